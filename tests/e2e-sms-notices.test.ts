import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresCustomerDirectory, PostgresSmsGatewaySimulator } from '../workers/adapters/sms-gateway.ts';
import { createNoticeDispatcher } from '../workers/notices/dispatcher.ts';
import { startUiPlatform, type UiPlatform } from './support/browser.ts';
import { completeTask, validOrder, waitForTask, type OrderView } from './support/orders.ts';
import { eventually, silentLog } from './support/platform.ts';

describe('SMS notices in the browser', () => {
  let ui: UiPlatform;
  beforeAll(async () => {
    ui = await startUiPlatform();
    await ui.database.sql`delete from notice_change`;
  });
  afterAll(async () => {
    if (!ui) return;
    await ui.database.sql`update sms_template set body = default_body, updated_by = null`;
    await ui.close();
  });

  it("a process owner edits a template with a live preview, an unknown placeholder is named; staff see an order's SMS under its timeline", async () => {
    // given an approved order whose "order accepted" SMS went out
    const phone = `1365${String(Date.now() % 1e7).padStart(7, '0')}`;
    const zhang = await ui.tokenFor('customer.zhang');
    const order = (
      await ui.app.inject({
        method: 'POST',
        url: '/orders',
        headers: { authorization: `Bearer ${zhang}` },
        payload: validOrder({ customer: { name: '张伟', phone, level: 'local-c' } }),
      })
    ).json() as OrderView;
    await completeTask(ui, (await waitForTask(ui, 'order-center', order.id, 'review-order')).key, { reviewApproved: true });
    const notices = createNoticeDispatcher({
      db: ui.database.db,
      gateway: new PostgresSmsGatewaySimulator(ui.database.db),
      directory: new PostgresCustomerDirectory(ui.database.db),
      log: silentLog,
    });
    await eventually(async () => {
      await notices.runOnce();
      return (await ui.database.sql`select 1 from sim_sms_message where phone = ${phone} and status = 'delivered'`).length === 1;
    });

    // when the process owner opens the SMS templates from the top bar
    const owner = await ui.loginAs('owner.process');
    await owner.click('[data-nav=sms-templates]');
    const body = owner.locator('[data-testid=sms-body-visit-booked]');
    await body.waitFor();
    // then an unknown placeholder shows in the preview and is refused by name
    await body.fill('{customerName}您好，{visitWindow}上门');
    expect(await owner.locator('[data-testid=sms-preview-visit-booked]').textContent()).toBe('张伟您好，⚠{visitWindow}上门');
    await owner.click('[data-testid=sms-save-visit-booked]');
    await owner.locator('[data-key=visit-booked] .error-text', { hasText: '{visitWindow}' }).waitFor();
    // and a good text is saved
    await body.fill('【宽带服务】{customerName}您好，师傅{appointmentTime}上门（订单{orderId}）。');
    expect(await owner.locator('[data-testid=sms-preview-visit-booked]').textContent()).toContain('师傅11月24日（周二）10:00上门');
    await owner.click('[data-testid=sms-save-visit-booked]');
    await eventually(
      async () =>
        (await ui.database.sql<{ body: string }[]>`select body from sms_template where key = 'visit-booked'`)[0]?.body.includes('师傅') ===
        true,
    );
    await ui.screenshot(owner, 'sms-templates');

    // and a clerk following the order sees its SMS under the timeline, phone masked
    const clerk = await ui.loginAs('clerk.urumqi');
    await clerk.goto(`${ui.baseUrl}/#/track/${order.id}`);
    const sent = clerk.locator('[data-testid=sms-notices] li[data-template=order-accepted][data-status=delivered]');
    await sent.waitFor();
    expect(await sent.textContent()).toContain(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
    expect(await sent.textContent()).toContain('已受理');
    // (the page redraws as it follows the order live: an element drawn over again is found anew)
    await expect
      .poll(() =>
        sent.scrollIntoViewIfNeeded({ timeout: 2000 }).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
    await ui.screenshot(clerk, 'sms-notices-on-tracking');
    // the customer's own tracking page has no such panel
    const customer = await ui.loginAs('customer.zhang', { viewport: { width: 390, height: 844 } });
    await customer.goto(`${ui.baseUrl}/#/track/${order.id}`);
    await customer.locator('[data-testid=tracking]').waitFor();
    expect(await customer.locator('[data-testid=sms-notices]').count()).toBe(0);
  });
});
