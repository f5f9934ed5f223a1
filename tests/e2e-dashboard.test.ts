import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiPlatform, type UiPlatform } from './support/browser.ts';
import { eventually } from './support/platform.ts';
import { completeTask, validOrder, waitForTask, type OrderView } from './support/orders.ts';

describe("the leaders' dashboard in the browser", () => {
  let ui: UiPlatform;
  beforeAll(async () => {
    ui = await startUiPlatform();
  });
  afterAll(async () => {
    await ui?.close();
  });

  it('a leader sees the KPI charts and the stage-duration heat overlay of the home-broadband process', async () => {
    // given an order that went through the review
    const order = (await ui.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
    const review = await waitForTask(ui, 'order-center', order.id, 'review-order');
    expect((await completeTask(ui, review.key, { reviewApproved: true })).statusCode).toBe(204);
    await eventually(async () => {
      const o = (await ui.app.inject({ method: 'GET', url: `/orders/${order.id}` })).json() as OrderView;
      return o.timeline.some((s) => s.elementId === 'review-order' && s.state === 'completed');
    });

    // when a leader opens the dashboard
    const page = await ui.loginAs('leader.region');
    await page.locator('[data-testid=kpi-tiles] .kpi').first().waitFor();

    // then the charts are drawn and the diagram shows how long the review took
    for (const chart of ['durations', 'sla', 'online', 'backlog']) await page.locator(`[data-chart=${chart}] canvas`).waitFor();
    await page.locator('[data-testid=heat-canvas] .ov-heat[data-element-id=review-order]').waitFor({ timeout: 20_000 });
    await ui.screenshot(page, 'dashboard');
  });
});
