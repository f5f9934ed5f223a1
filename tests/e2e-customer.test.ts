import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiPlatform, type UiPlatform } from './support/browser.ts';
import { completeTask, validOrder, waitForTask, type OrderView } from './support/orders.ts';
import { eventually } from './support/platform.ts';

const CREW = 'install-crew-urc-tianshan';
/** The calls of a page the API refused (4xx): none is expected of what the customer does here. */
function refusedCalls(page: Page) {
  const problems: string[] = [];
  // (the browser's own favicon probe is no call of the page)
  page.on(
    'response',
    (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.request().method()} ${r.url()}`),
  );
  return problems;
}

describe('a customer on a phone: my orders, the install waiting for them, a problem reported, a cancellation', () => {
  let ui: UiPlatform;
  beforeAll(async () => {
    ui = await startUiPlatform();
  });
  afterAll(async () => {
    await ui?.close();
  });

  const shot = (page: Page, name: string) => ui.referenceScreenshot(page, `customer-${name}`);

  it('the customer answers the install from the tracking page (有问题 with a note, later 确认) and cancels another order from 我的订单', async () => {
    // given two orders of customer.zhang: one installed and checked, one just placed
    const token = await ui.tokenFor('customer.zhang');
    const place = async () => {
      const res = await ui.fastify.inject({
        method: 'POST',
        url: '/orders',
        headers: { authorization: `Bearer ${token}` },
        payload: validOrder(),
      });
      expect(res.statusCode).toBe(201);
      return res.json() as OrderView;
    };
    const installed = await place();
    const other = await place();
    await completeTask(ui, (await waitForTask(ui, 'order-center', installed.id, 'review-order')).key, { reviewApproved: true });
    await completeTask(ui, (await waitForTask(ui, CREW, installed.id, 'make-appointment')).key, { appointmentAt: '2026-11-25T15:00' });
    await completeTask(ui, (await waitForTask(ui, CREW, installed.id, 'install-onsite')).key, {
      onuSerial: 'HWTC7777CCCC',
      fibreMeters: 35,
      opticalPowerDbm: -21,
    });
    const passCheck = async () =>
      completeTask(ui, (await waitForTask(ui, 'customer-response-center', installed.id, 'quality-check')).key, { qualityPassed: true });
    await passCheck();
    await waitForTask(ui, 'order-center', other.id, 'review-order');

    // when the customer opens 我的订单 on a 390-px phone
    const page = await ui.loginAs('customer.zhang', { viewport: { width: 390, height: 844 } });
    const refused = refusedCalls(page);
    await page.locator('[data-nav=my-orders]').click();
    await page.locator(`[data-order=${installed.id}]`).waitFor();
    await page.locator(`[data-order=${other.id}]`).waitFor();
    await expect(page.locator('.my-orders h1').innerText()).resolves.toBe('我的订单');
    // (their fault tickets too: none, or those earlier suites reported in their name)
    await page.locator('[data-testid=my-tickets] > li').first().waitFor();
    await expect(page.locator('[data-testid=my-tickets] .error-box').count()).resolves.toBe(0);
    await shot(page, 'my-orders');

    // then the installed order's page says it waits for them, with the visit and the crew's phone
    await page.locator(`[data-order=${installed.id}] a.button`).click();
    const awaiting = page.locator('[data-testid=awaiting-title]');
    await awaiting.waitFor({ timeout: 20_000 });
    await expect(awaiting.innerText()).resolves.toBe('等待您确认装机');
    await expect(page.locator('[data-action=confirm]').innerText()).resolves.toBe('确认');
    await expect(page.locator('[data-action=report-problem]').innerText()).resolves.toBe('有问题');
    await expect(page.locator('[data-testid=crew-phone]').innerText()).resolves.toBe('13999110001');
    await expect(page.locator('[data-testid=visit]').innerText()).resolves.toContain('天山装维班');
    await expect(page.locator('[data-testid=visit-time]').innerText()).resolves.toBe('11/25 15:00');
    await expect(page.locator('[data-testid=current-stage]').innerText()).resolves.toContain('等待您确认装机');
    await shot(page, 'awaiting-confirmation');

    // 有问题: an empty note is refused on the page, then the note goes to the crew's rectification
    await page.locator('[data-action=report-problem]').click();
    await page.locator('[data-action=send-problem]').click();
    await page.locator('.problem-form .field-error').getByText('请填写遇到的问题').waitFor();
    const note = '书房没有信号，光猫 LOS 灯闪红';
    await page.fill('textarea[name=problem-note]', note);
    await page.locator('.problem-form .field-error').waitFor({ state: 'hidden' });
    await shot(page, 'problem-note');
    await page.locator('[data-action=send-problem]').click();
    const rectify = await waitForTask(ui, CREW, installed.id, 'rectify-install');
    const detail = (await ui.app.inject({ method: 'GET', url: `/tasks/${rectify.key}` })).json() as { context: Record<string, unknown> };
    expect(detail.context.customerProblemNote).toBe(note);
    await page.locator('[data-testid=next-step]').waitFor({ state: 'hidden', timeout: 20_000 });
    await expect(page.locator('[data-testid=current-stage]').innerText()).resolves.toContain('安装整改');

    // the crew fixes it, the check passes again: the page asks again by itself, and 确认 moves the order on
    await completeTask(ui, rectify.key, { rectificationNote: '重新熔接书房光纤' });
    await passCheck();
    await awaiting.waitFor({ timeout: 20_000 });
    await page.locator('[data-action=confirm]').click();
    const revisit = await waitForTask(ui, 'customer-response-center', installed.id, 'revisit');
    await page.locator('[data-testid=next-step]').waitFor({ state: 'hidden', timeout: 20_000 });
    await completeTask(ui, revisit.key, { satisfaction: 10 });
    await page.locator('[data-testid=tracking][data-state=completed]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=closed-reason]').waitFor();
    expect(await page.locator('[data-testid=live-dot]').count()).toBe(0);
    expect(await page.locator('.step[data-state=todo], .step[data-state=skipped]').count()).toBe(0);

    // 我的订单 again: the other order is cancelled with a reason, after a second confirmation
    await page.locator('[data-nav=my-orders]').click();
    await page.locator(`[data-order=${other.id}] [data-action=cancel]`).click();
    await page.locator('[data-testid=cancel-form]').getByText('无法恢复').waitFor();
    await page.fill('[data-testid=cancel-form] input[name=reason]', '搬家，不再需要');
    await page.locator('[data-action=confirm-cancel]').click();
    await eventually(async () => {
      const o = (await ui.app.inject({ method: 'GET', url: `/orders/${other.id}` })).json() as OrderView;
      return o.state === 'cancelled' && o.processState === 'completed';
    });

    // its page shows why at the top, the steps it never reached as not needed, and no live dot; polling stops
    const statusCalls: string[] = [];
    page.on('request', (r) => r.url().includes(`/status/${other.id}`) && !r.url().includes('chase-ups') && statusCalls.push(r.url()));
    await page.goto(`${ui.baseUrl}/#/track/${other.id}`);
    const reason = page.locator('[data-testid=closed-reason]');
    await reason.waitFor({ timeout: 20_000 });
    await expect(reason.innerText()).resolves.toBe('已撤销：搬家，不再需要');
    expect(await page.locator('[data-testid=live-dot]').count()).toBe(0);
    expect(await page.locator('.step[data-state=todo]').count()).toBe(0);
    expect(await page.locator('.step[data-state=skipped]').count()).toBeGreaterThan(0);
    await expect(page.locator('.step[data-state=skipped] .step-at').first().innerText()).resolves.toBe('无需办理');
    // every step in words, none by its element id
    await expect(page.locator('[data-testid=stepper]').innerText()).resolves.not.toMatch(/[a-z]+-[a-z]+/);
    // the reason is above everything else of the order
    const top = async (selector: string) => (await page.locator(selector).first().boundingBox())!.y;
    expect(await top('[data-testid=closed-reason]')).toBeLessThan(await top('[data-testid=stepper]'));
    await shot(page, 'cancelled');
    await page.waitForTimeout(7000);
    expect(statusCalls).toHaveLength(1);

    // no page error, console error, failed request or 5xx (support/browser.ts), no refused call
    expect(ui.problemsOf(page)).toEqual([]);
    expect(refused).toEqual([]);
  });
});
