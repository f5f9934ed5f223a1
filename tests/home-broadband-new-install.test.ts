import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type Platform } from './support/platform.ts';
import { completeTask, engineEvents, processCompletedInEngine, validOrder, waitForTask, type OrderView } from './support/orders.ts';

describe('home broadband new install, end to end through the real engine and workers', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => platform?.close());

  const getOrder = async (id: string) => (await platform.app.inject({ method: 'GET', url: `/orders/${id}` })).json() as OrderView;

  it('an approved order in a grid with free ports runs from intake to archive, reserving one port and starting billing once', async () => {
    // given a customer's order
    const created = await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() });
    expect(created.statusCode).toBe(201);
    const order = created.json() as OrderView;
    expect(order.id).toMatch(/^HB\d{14}$/);
    expect(order.processInstanceKey).toMatch(/^\d+$/);

    // when the order center approves it
    const review = await waitForTask(platform, 'order-center', order.id, 'review-order');
    expect(review.formId).toBe('order-review');
    expect((await completeTask(platform, review.key, { reviewApproved: true, reviewNote: '资料齐全' })).statusCode).toBe(204);

    // then the grid's install crew agrees a time with the customer, installs, and the line is activated
    const appointment = await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'make-appointment');
    const inProgress = await getOrder(order.id);
    expect(inProgress.state).toBe('inProgress');
    expect(inProgress.currentStages.map((s) => s.elementId)).toEqual(['make-appointment']);
    const appointed = await completeTask(platform, appointment.key, { appointmentAt: '2026-11-24T10:00', appointmentNote: '客户上午在家' });
    expect(appointed.statusCode).toBe(204);
    const install = await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'install-onsite');
    const installed = await completeTask(platform, install.key, { onuSerial: 'ZTEG1234ABCD', fibreMeters: 35, opticalPowerDbm: -19.5 });
    expect(installed.statusCode).toBe(204);

    // and the quality check passes, and the customer confirms
    const quality = await waitForTask(platform, 'customer-response-center', order.id, 'quality-check');
    expect((await completeTask(platform, quality.key, { qualityPassed: true })).statusCode).toBe(204);
    expect((await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/confirm` })).statusCode).toBe(202);
    // (a confirmation sent again, as a retry after a lost answer, is the same confirmation: accepted, not an error)
    expect((await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/confirm` })).statusCode).toBe(202);

    // and the response center's revisit records the satisfaction
    const revisit = await waitForTask(platform, 'customer-response-center', order.id, 'revisit');
    expect((await completeTask(platform, revisit.key, { satisfaction: 9, revisitComment: '装机师傅很专业' })).statusCode).toBe(204);

    // then the engine completed the instance
    await eventually(() => processCompletedInEngine(platform, order.processInstanceKey));
    const done = await eventually(async () => {
      const o = await getOrder(order.id);
      return o.processState === 'completed' && o.state === 'completed' ? o : undefined;
    });

    // and the timeline lists every stage in order, each ended
    expect(done.timeline.map((s) => s.elementId)).toEqual([
      'order-received',
      'intake-order',
      'review-order',
      'check-resources',
      'route-install-crew',
      'make-appointment',
      'install-onsite',
      'activate-service',
      'quality-check',
      'customer-confirmed',
      'revisit',
      'archive-order',
      'order-archived',
    ]);
    expect(done.timeline.every((s) => s.state === 'completed' && s.endedAt !== null)).toBe(true);
    expect(done.timeline.map((s) => s.name)).toContain('订单中心资料审核');
    const starts = done.timeline.map((s) => Date.parse(s.startedAt));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(done.currentStages).toEqual([]);

    // and exactly one port is reserved and one billing start recorded
    const ports = await platform.database.sql`select olt, pon_port, splitter_port from resource_port where order_id = ${order.id}`;
    expect(ports).toHaveLength(1);
    const billing = await platform.database.sql`select product_code, monthly_fee_cents from billing_start where order_id = ${order.id}`;
    expect(billing).toEqual([{ product_code: 'HB-500M', monthly_fee_cents: 9900 }]);
    const [revisitRow] = await platform.database.sql`select satisfaction from revisit where order_id = ${order.id}`;
    expect(revisitRow?.satisfaction).toBe(9);
    // and no incident was raised on the way
    const incidents = await platform.database
      .sql`select 1 from engine_event where kind = 'incident' and process_instance_id = ${order.processInstanceKey}`;
    expect(incidents).toHaveLength(0);
  });

  it('an order in a grid without free ports takes the insufficient-resources path and shows it', async () => {
    // given an order in Midong, whose only grid has every port in service
    const created = await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder({ grid: 'URC-MD-01' }) });
    const order = created.json() as OrderView;

    // when the order center approves it
    const review = await waitForTask(platform, 'order-center', order.id, 'review-order');
    await completeTask(platform, review.key, { reviewApproved: true });

    // then the engine takes the BPMN error path to its end event
    await eventually(() => processCompletedInEngine(platform, order.processInstanceKey));
    const events = await engineEvents(platform, order.processInstanceKey);
    const completed = events.filter((e) => e.event === 'end').map((e) => e.element_id);
    expect(completed).toContain('no-resources');
    expect(completed).toContain('order-closed-no-resources');
    expect(completed).not.toContain('install-onsite');

    // and the order shows it
    const closed = await eventually(async () => {
      const o = await getOrder(order.id);
      return o.state === 'failed' && o.processState === 'completed' ? o : undefined;
    });
    expect(closed.stateReason).toBe('您所在区域暂无可用端口');
    expect(closed.timeline.map((s) => s.elementId)).toEqual([
      'order-received',
      'intake-order',
      'review-order',
      'check-resources',
      'no-resources',
      'close-insufficient',
      'order-closed-no-resources',
    ]);
    expect(closed.timeline.find((s) => s.elementId === 'check-resources')?.state).toBe('terminated');
    expect(await platform.database.sql`select 1 from resource_port where order_id = ${order.id}`).toHaveLength(0);
  });

  it('an order the order center rejects is closed as failed with the review note', async () => {
    const order = (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
    const review = await waitForTask(platform, 'order-center', order.id, 'review-order');
    // the decision is explicit, and a rejection says why (a box left unticked does not reject)
    const pointersOf = async (variables: Record<string, unknown>) => {
      const res = await completeTask(platform, review.key, variables);
      expect(res.statusCode).toBe(400);
      return (res.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer);
    };
    expect(await pointersOf({ reviewNote: '地址不完整' })).toEqual(['/variables/reviewApproved']);
    expect(await pointersOf({ reviewApproved: false })).toEqual(['/variables/reviewNote']);
    expect((await completeTask(platform, review.key, { reviewApproved: false, reviewNote: '地址不完整' })).statusCode).toBe(204);
    const closed = await eventually(async () => {
      const o = await getOrder(order.id);
      return o.state === 'failed' && o.processState === 'completed' ? o : undefined;
    });
    expect(closed.stateReason).toBe('订单资料审核未通过：地址不完整');
    expect(closed.timeline.at(-1)?.elementId).toBe('order-rejected');
  });
  it('a confirmation sent before the process waits for it (and again) is kept and taken as soon as the install passes its quality check', async () => {
    // given an order installed, its quality check still open
    const order = (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
    await completeTask(platform, (await waitForTask(platform, 'order-center', order.id, 'review-order')).key, { reviewApproved: true });
    const crew = 'install-crew-urc-tianshan';
    await completeTask(platform, (await waitForTask(platform, crew, order.id, 'make-appointment')).key, {
      appointmentAt: '2026-11-24T10:00',
    });
    await completeTask(platform, (await waitForTask(platform, crew, order.id, 'install-onsite')).key, {
      onuSerial: 'ZTEG1234ABCD',
      fibreMeters: 35,
      opticalPowerDbm: -19.5,
    });
    const quality = await waitForTask(platform, 'customer-response-center', order.id, 'quality-check');

    // when the customer confirms now (the process does not wait for it yet), twice
    expect((await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/confirm` })).statusCode).toBe(202);
    expect((await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/confirm` })).statusCode).toBe(202);
    const [pending] = await platform.database.sql<{ state: string }[]>`
      select state from engine_message where business_key = ${order.id} and message_name = 'customer-confirmed'`;
    expect(pending?.state).toBe('pending');

    // then, once the quality check passes, the kept confirmation is taken at once (no 2-day wait), once
    await completeTask(platform, quality.key, { qualityPassed: true });
    const revisit = await waitForTask(platform, 'customer-response-center', order.id, 'revisit');
    const rows = await platform.database.sql<{ state: string }[]>`
      select state from engine_message where business_key = ${order.id} and message_name = 'customer-confirmed'`;
    expect(rows.map((r) => r.state)).toEqual(['delivered']);
    const events = await engineEvents(platform, order.processInstanceKey);
    expect(events.filter((e) => e.element_id === 'customer-confirmed' && e.event === 'end')).toHaveLength(1);
    expect(events.some((e) => e.element_id === 'auto-confirmed' && e.event === 'end')).toBe(false);
    await completeTask(platform, revisit.key, { satisfaction: 10 });
    await eventually(() => processCompletedInEngine(platform, order.processInstanceKey));

    // and a confirmation after the order is closed is refused with a problem, not lost silently
    await eventually(async () => ((await getOrder(order.id)).state === 'completed' ? true : undefined));
    const late = await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/confirm` });
    expect(late.statusCode).toBe(409);
  });
});
