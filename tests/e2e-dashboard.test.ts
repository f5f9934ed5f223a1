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
    for (const chart of ['durations', 'sla', 'backlog']) await page.locator(`[data-chart=${chart}] canvas`).waitFor();
    await page.locator('[data-testid=heat-canvas] .ov-heat[data-element-id=review-order]').waitFor({ timeout: 20_000 });
    await ui.screenshot(page, 'dashboard');

    // in Chinese: the process and branch by name, the stages by name, the branches by name, durations in minutes or hours of working time
    await expect(page.locator('select[name=process] option:checked').innerText()).resolves.not.toMatch(/[a-z]-[a-z]/);
    await expect(page.locator('select[name=branch] option[value=urumqi]').innerText()).resolves.toBe('乌鲁木齐分公司');
    const durations = page.locator('[data-chart=durations]');
    await expect(durations.getAttribute('data-stages')).resolves.toContain('订单中心资料审核');
    await expect(durations.getAttribute('data-stages')).resolves.not.toMatch(/review-order|close-cancelled|客户撤单/);
    await expect(durations.getAttribute('data-series')).resolves.toBe('乌鲁木齐分公司');
    expect(['秒', '分钟', '小时']).toContain(await durations.getAttribute('data-unit'));
    await expect(page.locator('[data-testid=working-time-note]').innerText()).resolves.toContain('工作时间');
    const heatLabel = await page.locator('[data-testid=heat-canvas] .ov-heat[data-element-id=review-order]').innerText();
    expect(heatLabel).toMatch(/^P50 \d+(\.\d)? (秒|分钟|小时) · P90 \d+(\.\d)? (秒|分钟|小时)$/);

    // the tiles are the installation's: what closed, its SLA, satisfaction, what is open; no fault figures
    const tiles = async () =>
      page.locator('[data-testid=kpi-tiles] .kpi').evaluateAll((els) => els.map((e) => e.getAttribute('data-tile')));
    expect(await tiles()).toEqual(['closed', 'sla', 'satisfaction', 'open']);
    await expect(page.locator('[data-testid=kpi-tiles] [data-tile=closed] .label').innerText()).resolves.toBe('本期办结');
    expect(await page.locator('[data-chart=online]').isVisible()).toBe(false);
    // the backlog names its groups
    await expect(page.locator('[data-chart=backlog]').getAttribute('aria-label')).resolves.not.toMatch(/order-center|install-crew/);
    await ui.referenceScreenshot(page, 'leader-dashboard');
    await page.locator('[data-testid=heat-canvas]').scrollIntoViewIfNeeded();
    await ui.referenceScreenshot(page, 'leader-heat');

    // and choosing the fault process shows the fault's tiles and its online resolution
    await page.selectOption('select[name=process]', 'fault-trouble-ticket');
    await page.locator('[data-testid=kpi-tiles] [data-tile=dispatch15]').waitFor();
    expect(await tiles()).toEqual(['closed', 'sla', 'online', 'dispatch15', 'accept30', 'satisfaction', 'paused']);
    await page.locator('[data-chart=online]').waitFor();
    expect(ui.problemsOf(page)).toEqual([]);
  });
});
