import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportComplaint } from '../api/domain/complaints/use-cases.ts';
import { startUiPlatform, type UiPlatform } from './support/browser.ts';
import { validOrder, waitForTask, type OrderView } from './support/orders.ts';

describe('chase-ups and live complaint statistics in the browser', () => {
  let ui: UiPlatform;
  const started: string[] = [];
  beforeAll(async () => {
    ui = await startUiPlatform();
  });
  afterAll(async () => {
    for (const key of started) await ui.engine.deleteProcessInstance(key).catch(() => {});
    await ui?.close();
  });

  it('a customer presses 催单 on a phone; a second press is not counted again; the clerk holding the review sees it', async () => {
    // given Zhang's order waiting for the order center's review
    const token = await ui.tokenFor('customer.zhang');
    const created = await ui.fastify.inject({
      method: 'POST',
      url: '/orders',
      headers: { authorization: `Bearer ${token}` },
      payload: validOrder(),
    });
    expect(created.statusCode).toBe(201);
    const order = created.json() as OrderView;
    started.push(order.processInstanceKey);
    const review = await waitForTask(ui, 'order-center', order.id, 'review-order');

    // when Zhang opens the tracking page on a phone and presses 催单 with a note
    const page = await ui.loginAs('customer.zhang', { viewport: { width: 390, height: 844 } });
    await page.goto(`${ui.baseUrl}/#/track/${order.id}`);
    const button = page.locator('[data-testid=chase-up-button]');
    await button.waitFor();
    await page.fill('input[name=chase-note]', '一直没人联系我');
    await button.click();

    // then the page says it is recorded and lists it with the note
    const message = page.locator('[data-testid=chase-up-message]');
    await page.locator('[data-testid=chase-up-message][data-outcome=recorded]').waitFor();
    await expect(message.innerText()).resolves.toContain('已收到您的催单');
    await page.locator('[data-testid=chase-up-list] li').first().waitFor();
    await expect(page.locator('[data-testid=chase-up-list]').innerText()).resolves.toContain('一直没人联系我');
    // the button fits a phone's width (no sideways scrolling)
    const box = await button.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await ui.screenshot(page, 'tracking-chase-up');

    // and a second press at once counts once
    await button.click();
    await page.locator('[data-testid=chase-up-message][data-outcome=repeat]').waitFor();
    await expect(message.innerText()).resolves.toContain('不重复计数');
    await expect(page.locator('[data-testid=chase-up-list] li').count()).resolves.toBe(1);

    // the order center's clerk sees the chase-up on the review's detail
    const clerk = await ui.loginAs('clerk.urumqi');
    const row = clerk.locator(`tr[data-task-key="${review.key}"]`);
    await row.waitFor();
    await row.click();
    const block = clerk.locator('[data-testid=task-chase-ups]');
    await block.waitFor();
    await expect(block.innerText()).resolves.toContain('客户催单 1 次');
    await expect(block.innerText()).resolves.toContain('一直没人联系我');
    await ui.screenshot(clerk, 'task-chase-up');
  });

  it("the leaders' dashboard shows today's complaints by category and branch, counts a new one without a reload, and the chase-up rate per branch", async () => {
    const page = await ui.loginAs('leader.region');
    await page.goto(`${ui.baseUrl}/#/dashboard`);
    const today = page.locator('[data-testid=complaints-today]');
    await today.waitFor();
    const before = Number(await today.innerText());
    await expect(page.locator('[data-testid=complaint-categories]').innerText()).resolves.toContain('网速慢');

    // a complaint is recorded while the dashboard is open
    const { processInstanceKey } = await reportComplaint({
      complaint: {
        account: '0991-HB-100001',
        customer: { name: '刘洋', level: 'local-c' },
        category: 'staff-attitude',
        description: '装维人员态度差',
      },
      customerId: 'CU-0001',
      db: ui.database.db,
      engine: ui.engine,
      engineTimeoutMs: 20_000,
    });
    started.push(processInstanceKey);

    // the next refresh counts it, in its category and in the Ürümqi branch column
    await expect.poll(async () => Number(await today.innerText()), { timeout: 25_000, interval: 500 }).toBe(before + 1);
    const row = page.locator('[data-testid=complaint-categories] tr[data-category=staff-attitude]');
    await expect(row.innerText()).resolves.toContain('服务态度');
    await expect(row.locator('td[data-branch=urumqi]').innerText()).resolves.toMatch(/^[1-9]\d* \/ [1-9]/);
    await page.locator('[data-testid=complaint-stats]').scrollIntoViewIfNeeded();
    await ui.screenshot(page, 'dashboard-complaint-stats');

    // and the chase-up rate per branch counts the order chased above
    const rate = page.locator('[data-testid=chase-up-rate] tr[data-branch=urumqi] td[data-col=rate]');
    await rate.waitFor();
    await expect(rate.innerText()).resolves.toMatch(/^\d+\.\d%$/);
    await expect(page.locator('[data-testid=chase-up-rate]').innerText()).resolves.toContain('乌鲁木齐分公司');
  });
});
