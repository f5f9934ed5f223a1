import { createOperatonClock } from '../engine/operaton-engine.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { completeTask, engineEvents, processCompletedInEngine, validOrder, waitForTask, type OrderView } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

const HOUR = 3_600_000;

describe('home broadband new install: quality, confirmation, cancellation and error orders', () => {
  let platform: Platform;
  const clock = createOperatonClock(inject('operatonUrl'));
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => platform?.close());

  const getOrder = async (id: string) => (await platform.app.inject({ method: 'GET', url: `/orders/${id}` })).json() as OrderView;
  const placeOrder = async (overrides: Record<string, unknown> = {}) =>
    (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder(overrides) })).json() as OrderView;
  const approve = async (id: string) =>
    completeTask(platform, (await waitForTask(platform, 'order-center', id, 'review-order')).key, { reviewApproved: true });
  const closedOrder = (id: string, state: string) =>
    eventually(async () => {
      const o = await getOrder(id);
      return o.state === state && o.processState === 'completed' ? o : undefined;
    });

  it('an install that fails the quality check is rectified, and the customer who does not answer for 2 days counts as confirmed', async () => {
    const order = await placeOrder();
    await approve(order.id);
    await completeTask(platform, (await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'make-appointment')).key, {
      appointmentAt: '2026-11-25T15:00',
    });
    await completeTask(platform, (await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'install-onsite')).key, {
      onuSerial: 'HWTC5555AAAA',
      fibreMeters: 60,
      opticalPowerDbm: -24,
    });

    // the quality check finds a problem: the crew rectifies, the second check passes
    const firstCheck = await waitForTask(platform, 'customer-response-center', order.id, 'quality-check');
    await completeTask(platform, firstCheck.key, { qualityPassed: false, qualityIssues: '入户光纤未固定，无标签' });
    const rectify = await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'rectify-install');
    expect((await completeTask(platform, rectify.key, {})).statusCode).toBe(400); // the form requires a note
    await completeTask(platform, rectify.key, { rectificationNote: '已固定光纤并贴标签' });
    const secondCheck = await waitForTask(platform, 'customer-response-center', order.id, 'quality-check');
    await completeTask(platform, secondCheck.key, { qualityPassed: true });

    // nobody confirms: after 2 days the order moves on to the revisit
    // the process now waits for the customer (its 2-day timer is set), then nobody answers
    await eventually(async () => {
      const events = await engineEvents(platform, order.processInstanceKey);
      return events.some((e) => e.element_id === 'await-confirmation' && e.event === 'start');
    });
    await clock.advance(2 * 24 * HOUR + 60_000);
    const revisit = await waitForTask(platform, 'customer-response-center', order.id, 'revisit');
    await completeTask(platform, revisit.key, { satisfaction: 8 });

    const done = await closedOrder(order.id, 'completed');
    const ids = done.timeline.map((s) => s.elementId);
    expect(ids.filter((id) => id === 'quality-check')).toHaveLength(2);
    expect(ids).toContain('rectify-install');
    expect(ids).toContain('auto-confirmed');
    expect(ids).not.toContain('customer-confirmed');
    // activation ran once: billing started once
    expect(await platform.database.sql`select 1 from billing_start where order_id = ${order.id}`).toHaveLength(1);
  });

  it('a customer who cancels after the resource check gets the reserved port released and the order cancelled', async () => {
    const order = await placeOrder({ grid: 'XA-YT-01' });
    await approve(order.id);
    await waitForTask(platform, 'install-crew-xa-yanta', order.id, 'make-appointment');
    expect(await platform.database.sql`select 1 from resource_port where order_id = ${order.id} and status = 'reserved'`).toHaveLength(1);

    const res = await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/cancel`, payload: { reason: '搬家，不再需要' } });
    expect(res.statusCode).toBe(202);

    const cancelled = await closedOrder(order.id, 'cancelled');
    expect(cancelled.stateReason).toBe('已撤销：搬家，不再需要');
    expect(await platform.database.sql`select 1 from resource_port where order_id = ${order.id}`).toHaveLength(0);
    const completed = (await engineEvents(platform, order.processInstanceKey)).filter((e) => e.event === 'end').map((e) => e.element_id);
    expect(completed).toEqual(
      expect.arrayContaining(['cancel-requested', 'release-resources', 'undo-reservations', 'close-cancelled', 'order-cancelled']),
    );
    expect(await processCompletedInEngine(platform, order.processInstanceKey)).toBe(true);
    // and the appointment task is gone from the crew's list
    const tasks = (await platform.app.inject({ method: 'GET', url: '/tasks?group=install-crew-xa-yanta' })).json() as { orderId: string }[];
    expect(tasks.filter((t) => t.orderId === order.id)).toEqual([]);
    // cancelling again is a conflict
    expect((await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/cancel` })).statusCode).toBe(409);
  });

  it('a customer who cancels before any reservation closes the order without releasing anything', async () => {
    const order = await placeOrder();
    await waitForTask(platform, 'order-center', order.id, 'review-order');
    expect((await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/cancel` })).statusCode).toBe(202);
    const cancelled = await closedOrder(order.id, 'cancelled');
    expect(cancelled.stateReason).toBe('已撤销：客户申请撤销');
    const completed = (await engineEvents(platform, order.processInstanceKey)).map((e) => e.element_id);
    expect(completed).not.toContain('release-resources');
  });

  it('an order for a product not on sale becomes an error order that escalates county, branch, then region, and continues once corrected', async () => {
    const order = await placeOrder({ product: { code: 'HB-50M', name: '50M', bandwidthMbps: 50, monthlyFeeCents: 2900 } });
    const errorTask = await waitForTask(platform, 'order-center', order.id, 'fix-error-order');
    expect(errorTask.formId).toBe('error-order');

    await clock.advance(4 * HOUR + 60_000);
    await eventually(async () => (await platform.database.sql`select level from escalation where subject_id = ${order.id}`).length === 1);
    await clock.advance(4 * HOUR);
    const levels = await eventually(async () => {
      const rows = await platform.database.sql<
        { level: string }[]
      >`select level from escalation where subject_id = ${order.id} order by id`;
      return rows.length === 2 ? rows.map((r) => r.level) : undefined;
    });
    expect(levels).toEqual(['county', 'branch']);
    await clock.advance(16 * HOUR);
    const allLevels = await eventually(async () => {
      const rows = await platform.database.sql<
        { level: string }[]
      >`select level from escalation where subject_id = ${order.id} order by id`;
      return rows.length === 3 ? rows.map((r) => r.level) : undefined;
    });
    expect(allLevels).toEqual(['county', 'branch', 'region']);

    // the order center corrects the product; intake accepts it and the review follows
    await completeTask(platform, errorTask.key, {
      errorResolution: 'corrected',
      correctedProductCode: 'HB-300M',
      errorNote: '客户改订 300M',
    });
    await waitForTask(platform, 'order-center', order.id, 'review-order');
    const corrected = await getOrder(order.id);
    expect(corrected.product).toMatchObject({ code: 'HB-300M', monthlyFeeCents: 6900 });
    expect(corrected.state).toBe('inProgress');
    await platform.engine.deleteProcessInstance(order.processInstanceKey);
  });

  it('an error order the order center cancels is closed as cancelled with its note', async () => {
    const order = await placeOrder({ product: { code: 'HB-9999M', name: 'x', bandwidthMbps: 9999, monthlyFeeCents: 1 } });
    const errorTask = await waitForTask(platform, 'order-center', order.id, 'fix-error-order');
    await completeTask(platform, errorTask.key, { errorResolution: 'cancel', errorNote: '无此套餐，客户放弃' });
    const cancelled = await closedOrder(order.id, 'cancelled');
    expect(cancelled.stateReason).toBe('已撤销：无此套餐，客户放弃');
  });
});
