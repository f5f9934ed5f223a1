import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiPlatform, type UiPlatform } from './support/browser.ts';
import { completeTask, validOrder, waitForTask, type OrderView } from './support/orders.ts';

describe("an order's progress in the browser", () => {
  let ui: UiPlatform;
  beforeAll(async () => {
    ui = await startUiPlatform();
  });
  afterAll(async () => {
    await ui?.close();
  });

  it("a customer's tracking page on a phone shows the order move from the review to the next stage", async () => {
    // given a customer who ordered home broadband for themselves
    const token = await ui.tokenFor('customer.zhang');
    const created = await ui.fastify.inject({
      method: 'POST',
      url: '/orders',
      headers: { authorization: `Bearer ${token}` },
      payload: validOrder(),
    });
    expect(created.statusCode).toBe(201);
    const order = created.json() as OrderView;
    const review = await waitForTask(ui, 'order-center', order.id, 'review-order');

    // when they look the order up on their phone
    const page = await ui.loginAs('customer.zhang', { viewport: { width: 390, height: 844 } });
    await page.fill('input[name=number]', order.id);
    await page.click('.track-form button[type=submit]');
    const reviewStep = page.locator('[data-step=review-order]');
    await reviewStep.and(page.locator('[data-state=active]')).waitFor();
    await expect(page.locator('[data-testid=current-stage]').innerText()).resolves.toContain('审核');
    await ui.screenshot(page, 'tracking-review');

    // then, once the order center approves it, the page moves on by itself
    expect((await completeTask(ui, review.key, { reviewApproved: true, reviewNote: '资料齐全' })).statusCode).toBe(204);
    await reviewStep.and(page.locator('[data-state=done]')).waitFor({ timeout: 20_000 });
    await page
      .locator('[data-step=check-resources][data-state=done], [data-step=route-install-crew][data-state=active]')
      .first()
      .waitFor({ timeout: 20_000 });
    await expect(page.locator('[data-testid=current-stage]').innerText()).resolves.not.toContain('审核');
    await ui.screenshot(page, 'tracking-next-stage');
  });

  it('the instance view shows the completed and the active elements, and follows the instance live', async () => {
    // given an order waiting in the review
    const order = (await ui.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
    const review = await waitForTask(ui, 'order-center', order.id, 'review-order');

    // when a process owner opens its instance
    const page = await ui.loginAs('owner.process');
    await page.goto(`${ui.baseUrl}/#/instances/${order.processInstanceKey}`);
    const canvas = page.locator('[data-testid=instance-canvas]');
    await canvas.locator('g.djs-element.st-active[data-element-id=review-order]').waitFor();

    // then the start and intake show as completed, the review as active, with the path taken so far
    await canvas.locator('g.djs-element.st-completed[data-element-id=order-received]').waitFor();
    await canvas.locator('g.djs-element.st-completed[data-element-id=intake-order]').waitFor();
    expect(await canvas.locator('g.djs-connection.st-taken').count()).toBeGreaterThanOrEqual(2);
    await page.locator('[data-testid=active-elements] [data-element-id=review-order]').waitFor();
    await ui.screenshot(page, 'instance-review-active');

    // and when the review is completed, the view follows: review completed, the appointment active
    expect((await completeTask(ui, review.key, { reviewApproved: true })).statusCode).toBe(204);
    await canvas.locator('g.djs-element.st-completed[data-element-id=review-order]').waitFor({ timeout: 20_000 });
    await canvas.locator('g.djs-element.st-completed[data-element-id=check-resources]').waitFor({ timeout: 20_000 });
    await canvas.locator('g.djs-element.st-active[data-element-id=make-appointment]').waitFor({ timeout: 20_000 });
    await ui.screenshot(page, 'instance-appointment-active');
  });
});
