import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiPlatform, type UiPlatform } from './support/browser.ts';
import { eventually } from './support/platform.ts';
import { completeTask, validOrder, waitForTask, type OrderView } from './support/orders.ts';

/** Codes from fixed lists that must never reach a person where a name belongs (zh-CN pages). */
const RAW_CODES = /\b(order-center|customer-response-center|install-crew-[a-z-]+|urumqi|xian|local-[abc]|review-order|make-appointment)\b/;

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
    // the review is decided with two buttons, not a box left unticked
    await page.locator('[data-action=approve]').waitFor();
    await expect(page.locator('[data-action=approve]').innerText()).resolves.toBe('审核通过');
    await expect(page.locator('[data-action=reject]').innerText()).resolves.toBe('驳回');
    await expect(page.locator('[data-action=complete]').count()).resolves.toBe(0);
    const form = page.locator('[data-testid=task-form]');
    await expect(form.locator('input[type=checkbox]').count()).resolves.toBe(0);
    // a rejection must say why: without a note it is not sent
    await page.locator('[data-action=reject]').click();
    await page.locator('.toast', { hasText: '驳回须写明原因' }).waitFor();
    // (a toast goes away when clicked)
    while ((await page.locator('.toast').count()) > 0)
      await page
        .locator('.toast')
        .first()
        .click({ timeout: 1000 })
        .catch(() => undefined);
    await expect(page.locator(`tr[data-task-key="${task.key}"]`).count()).resolves.toBe(1);
    await form.locator('textarea').fill('资料齐全，同意受理');
    await ui.screenshot(page, 'task-list-form');
    // in Chinese, with names where the codes are stored: branch, group, customer level, task, form labels
    const text = await page.locator('main').innerText();
    expect(text).toContain('订单中心资料审核');
    expect(text).toContain('乌鲁木齐分公司');
    expect(text).toContain('订单中心');
    expect(text).toContain('本地C');
    expect(text).toContain('填写处理结果');
    expect(text).not.toMatch(RAW_CODES);
    await ui.referenceScreenshot(page, 'clerk-task-form');
    await page.locator('[data-action=approve]').click();
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
    // the previous tab's task is not left open
    await expect(page.locator('[data-testid=task-form]').count()).resolves.toBe(0);
    // who completed it, and what they submitted, with no countdown
    await expect(page.locator(`tr[data-task-key="${task.key}"]`).innerText()).resolves.toContain('王芳');
    await page.locator(`tr[data-task-key="${task.key}"]`).click();
    await page.locator('[data-testid=task-form] textarea').waitFor();
    await expect(page.locator('[data-testid=task-form] textarea').inputValue()).resolves.toBe('资料齐全，同意受理');
    const doneText = await page.locator('.task-detail').innerText();
    expect(doneText).toContain('提交的处理结果');
    expect(doneText).toContain('完成人');
    await expect(page.locator('[data-testid=decision]').innerText()).resolves.toBe('审核通过');
    expect(doneText).not.toMatch(/剩 |超 /);
    await ui.screenshot(page, 'task-list-done');
    await ui.referenceScreenshot(page, 'clerk-done-list');
    expect(ui.problemsOf(page)).toEqual([]);
  });

  it('a crew on a phone finds the order by its number and reaches the form without scrolling past the filters', async () => {
    const created = await ui.app.inject({ method: 'POST', url: '/orders', payload: validOrder() });
    const order = created.json() as OrderView;
    const review = await waitForTask(ui, 'order-center', order.id, 'review-order');
    expect((await completeTask(ui, review.key, { reviewApproved: true })).statusCode).toBe(204);
    const appointment = await waitForTask(ui, 'install-crew-urc-tianshan', order.id, 'make-appointment');

    const page = await ui.loginAs('clerk.urumqi', { viewport: { width: 390, height: 844 } });
    await page.locator('[data-testid=task-table]').waitFor();
    // the filters are folded on a phone; the number search is in them
    await expect(page.locator('details.filter-box').getAttribute('open')).resolves.toBeNull();
    await page.locator('details.filter-box > summary').click();
    await page.locator('input[data-filter=businessKey]').fill(order.id.slice(-8));
    await page.locator('input[data-filter=businessKey]').fill(order.id);
    await expect
      .poll(
        async () => {
          const rows = page.locator('tr[data-business-key]');
          const keys: (string | null)[] = [];
          for (let i = 0; i < (await rows.count()); i++) keys.push(await rows.nth(i).getAttribute('data-business-key'));
          return keys;
        },
        { timeout: 10_000 },
      )
      .toEqual([order.id]);
    await page.locator(`tr[data-task-key="${appointment.key}"]`).click();
    await page.locator('[data-action=claim]').click();
    // claimed: the detail comes back with the form to fill and the button to complete it
    await page.locator('[data-action=complete]').waitFor();
    await page.locator('[data-testid=task-form] input:not([readonly]):not([disabled])').first().waitFor();
    // the form is on screen, in Chinese, with a 24-hour date-time picker
    await expect(page.locator('[data-testid=task-form]').isVisible()).resolves.toBe(true);
    const formText = await page.locator('[data-testid=task-form]').innerText();
    expect(formText).toContain('致电客户，约定上门装机时间');
    expect(formText).not.toMatch(/[A-Za-z]{4,} [A-Za-z]{3,}/);
    expect(formText).toContain('日期');
    expect(formText).toContain('时间');
    const box = await page.locator('[data-action=complete]').boundingBox();
    expect(box && box.x + box.width <= 390).toBe(true);
    await ui.referenceScreenshot(page, 'crew-phone-task');
    expect(ui.problemsOf(page)).toEqual([]);
  });
});
