import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiPlatform, type UiPlatform } from './support/browser.ts';
import { eventually } from './support/platform.ts';
import { validOrder, waitForTask, type OrderView } from './support/orders.ts';

describe('the clerk task list in the browser', () => {
  let ui: UiPlatform;
  beforeAll(async () => {
    ui = await startUiPlatform();
  });
  afterAll(async () => {
    await ui?.close();
  });

  it("a clerk of the order center claims a new order's review, fills its form and completes it", async () => {
    // given a new home-broadband order waiting for the order center's review
    const created = await ui.app.inject({ method: 'POST', url: '/orders', payload: validOrder() });
    expect(created.statusCode).toBe(201);
    const order = created.json() as OrderView;
    const task = await waitForTask(ui, 'order-center', order.id, 'review-order');

    // when the clerk opens it from their task list, claims it, approves it in the form and completes it
    const page = await ui.loginAs('clerk.urumqi');
    const row = page.locator(`tr[data-task-key="${task.key}"]`);
    await row.waitFor();
    // (the priority filter hides this local-C customer's task at 90 and up, and shows it again for all)
    await page.locator('select[data-filter=minPriority]').selectOption('90');
    await row.waitFor({ state: 'detached' });
    await page.locator('select[data-filter=minPriority]').selectOption('');
    await row.waitFor();
    await row.click();
    await page.locator('[data-action=claim]').click();
    await page.locator('[data-action=complete]').waitFor();
    const form = page.locator('[data-testid=task-form]');
    await expect(form.locator('input[type=checkbox]').count()).resolves.toBe(1);
    await form.locator('input[type=checkbox]').check();
    await form.locator('textarea').fill('资料齐全，同意受理');
    await ui.screenshot(page, 'task-list-form');
    await page.locator('[data-action=complete]').click();
    await page.locator('[data-testid=task-completed]').waitFor();

    // then the task leaves the list, and the order goes on to the resource check with the clerk's decision
    await page.locator(`tr[data-task-key="${task.key}"]`).waitFor({ state: 'detached' });
    // (approved: a rejected review would close the order instead)
    const after = await eventually(async () => {
      const o = (await ui.app.inject({ method: 'GET', url: `/orders/${order.id}` })).json() as OrderView;
      return o.timeline.some((s) => s.elementId === 'check-resources') ? o : undefined;
    });
    expect(after.timeline.map((s) => s.elementId)).not.toContain('close-rejected');

    // and it shows in the clerk's done list
    await page.locator('[data-tab=done]').click();
    await page.locator(`tr[data-task-key="${task.key}"]`).waitFor();
    await ui.screenshot(page, 'task-list-done');
  });
});
