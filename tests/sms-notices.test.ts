import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_NOTICE_OPTIONS,
  createNoticeDispatcher,
  noticeBackoffMs,
  type NoticeDispatcherOptions,
} from '../workers/notices/dispatcher.ts';
import { PostgresCustomerDirectory, PostgresSmsGatewaySimulator } from '../workers/adapters/sms-gateway.ts';
import { formatChinaTime } from '../contracts/notices.ts';
import { fault, report, waitForInstanceTask } from './support/faults.ts';
import { completeTask, validOrder, waitForTask, type OrderView } from './support/orders.ts';
import { eventually, silentLog, startPlatform, type Platform } from './support/platform.ts';

const CREW = 'install-crew-urc-tianshan';
const CREW_PHONE = '13999110001';

let platform: Platform;
let phoneSerial = 0;
/** A phone of its own per test, so one test's messages never count against another's limit. */
const freshPhone = () => `137${String(Date.now() % 1e6).padStart(6, '0')}${String(++phoneSerial).padStart(2, '0')}`;

function dispatcher(options: Partial<NoticeDispatcherOptions> = {}) {
  return createNoticeDispatcher({
    db: platform.database.db,
    gateway: new PostgresSmsGatewaySimulator(platform.database.db),
    directory: new PostgresCustomerDirectory(platform.database.db),
    log: silentLog,
    options: { baseBackoffMs: 200, maxBackoffMs: 2_000, ...options },
  });
}

/** Runs dispatcher rounds until `check` holds (a round composes, sends and reads delivery reports). */
async function pump<T>(d: ReturnType<typeof dispatcher>, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  return eventually(
    async () => {
      await d.runOnce();
      return check();
    },
    { timeoutMs, intervalMs: 150 },
  );
}

const smsTo = (phone: string) =>
  platform.database.sql<{ id: string; client_ref: string; body: string; status: string; submissions: number }[]>`
    select id, client_ref, body, status, submissions from sim_sms_message where phone = ${phone} order by submitted_at, id`;

const noticesOf = (subjectId: string) =>
  platform.database.sql<
    {
      id: string;
      template: string;
      audience: string;
      recipient: string;
      status: string;
      attempts: number;
      body: string | null;
      status_reason: string | null;
      event_key: string;
      next_attempt_at: string;
      last_error: string | null;
    }[]
  >`select id::text, template, audience, recipient, status, attempts, body, status_reason, event_key, next_attempt_at, last_error
    from sms_notice where subject_id = ${subjectId} order by event_at, id`;

async function placeOrder(phone: string, token?: string) {
  const res = await platform.app.inject({
    method: 'POST',
    url: '/orders',
    payload: validOrder({ customer: { name: '张伟', phone, level: 'local-c' } }),
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as OrderView;
}

async function approve(order: OrderView) {
  const review = await waitForTask(platform, 'order-center', order.id, 'review-order');
  expect((await completeTask(platform, review.key, { reviewApproved: true })).statusCode).toBe(204);
}

beforeAll(async () => {
  platform = await startPlatform();
  // What earlier suites left in the outbox is not this suite's to send.
  await platform.database.sql`delete from notice_change`;
});
afterAll(async () => {
  if (!platform) return;
  await platform.database.sql`delete from sim_sms_fault`;
  await platform.database.sql`update sms_template set body = default_body, updated_by = null`;
  await platform.database.sql`delete from customer_sms_preference`;
  await platform.close();
});

describe('SMS notices through the simulated gateway, with the real engine and workers', () => {
  it('an order walked to activation sends the customer each message once, in Chinese with the booked time, and tells the crew of each dispatch', async () => {
    const d = dispatcher();
    const phone = freshPhone();
    // given a customer's order, approved by the order center
    const order = await placeOrder(phone);
    await approve(order);
    // when the crew books the visit, an engineer claims the install (sets out) and installs
    const appointment = await waitForTask(platform, CREW, order.id, 'make-appointment');
    await completeTask(platform, appointment.key, { appointmentAt: '2026-11-24T10:00', appointmentNote: '客户上午在家' });
    const install = await waitForTask(platform, CREW, order.id, 'install-onsite');
    const clerk = await platform.tokenFor('clerk.urumqi');
    const claimed = await platform.app.inject({
      method: 'POST',
      url: `/tasks/${install.key}/claim`,
      headers: { authorization: `Bearer ${clerk}` },
    });
    expect(claimed.statusCode, claimed.body).toBeLessThan(300);
    await completeTask(platform, install.key, { onuSerial: 'ZTEG1234ABCD', fibreMeters: 35, opticalPowerDbm: -19.5 });
    await waitForTask(platform, 'customer-response-center', order.id, 'quality-check');

    // then the customer's phone got four messages, one per moment, all delivered
    const sent = await pump(d, async () => {
      const customer = (await noticesOf(order.id)).filter((n) => n.audience === 'customer');
      return customer.length === 4 && customer.every((n) => n.status === 'delivered') ? customer : undefined;
    });
    expect(sent.map((n) => n.template)).toEqual(['order-accepted', 'visit-booked', 'crew-on-the-way', 'service-active']);
    const messages = await smsTo(phone);
    expect(messages.map((m) => m.body)).toEqual(sent.map((n) => n.body));
    expect(messages[0]!.body).toBe(`【宽带服务】尊敬的张伟，您的宽带订单${order.id}已受理，装维人员将尽快与您预约上门时间。`);
    expect(messages[1]!.body).toContain('已为您预约11月24日（周二）10:00上门安装宽带');
    expect(messages[1]!.body).toContain('乌鲁木齐市天山区解放南路 88 号');
    expect(messages[2]!.body).toContain('装维人员王芳已出发');
    expect(messages[3]!.body).toContain('您的500M 家庭宽带已开通');

    // and the crew's duty phone was told of both of its tasks
    const crew = (await noticesOf(order.id)).filter((n) => n.audience === 'crew');
    expect(crew.map((n) => [n.template, n.recipient])).toEqual([
      ['crew-dispatch', CREW_PHONE],
      ['crew-dispatch', CREW_PHONE],
    ]);
    await pump(d, async () =>
      (await noticesOf(order.id)).filter((n) => n.audience === 'crew').every((n) => n.status === 'delivered') ? true : undefined,
    );
    const toCrew = (await smsTo(CREW_PHONE)).filter((m) => m.body.includes(order.id));
    expect(toCrew).toHaveLength(2);
    expect(toCrew[0]!.body).toMatch(/^【派单通知】天山区装维班：新工单HB\d+「.+」，客户张伟，地址乌鲁木齐市/);

    // and more rounds send nothing again
    for (let i = 0; i < 3; i++) await d.runOnce();
    expect(await smsTo(phone)).toHaveLength(4);

    // and staff see every message in the order's timeline, phones masked
    const timeline = await platform.app.inject({ method: 'GET', url: `/notices?subject=${order.id}` });
    expect(timeline.statusCode).toBe(200);
    const list = timeline.json() as { notices: { template: string; recipient: string; status: string; body: string }[] };
    expect(list.notices.filter((n) => n.template !== 'crew-dispatch').map((n) => n.template)).toEqual(sent.map((n) => n.template));
    expect(list.notices[0]!.recipient).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
    expect(JSON.stringify(list)).not.toContain(phone);

    // and when an SLA timer escalates the order, the response centers of that level and branch are told
    await platform.database.sql`
      insert into escalation (idempotency_key, subject_id, level, reason, process_instance_key, element_id)
      values (${`sms-test:${order.id}`}, ${order.id}, 'branch', '错单8小时未处理 / Error order unresolved for 8 hours', ${order.processInstanceKey}, 'escalate-abnormal-branch')`;
    const escalated = await pump(d, async () => {
      const ns = (await noticesOf(order.id)).filter((n) => n.template === 'escalation');
      return ns.length > 0 && ns.every((n) => n.status === 'delivered') ? ns : undefined;
    });
    expect(escalated.map((n) => n.recipient)).toEqual(['13999100102']);
    // (the reason as the process states it, "中文 / English": the Chinese side)
    expect(escalated[0]!.body).toBe(`【升级通知】${order.id}已升级至分公司客响中心：错单8小时未处理。请及时协调处理。`);
    expect((await platform.app.inject({ method: 'GET', url: '/notices?subject=HB19990101000001' })).statusCode).toBe(404);
    expect((await platform.app.inject({ method: 'GET', url: '/notices?subject=HB%27--' })).statusCode).toBe(400);
  });

  it('a gateway that fails twice and then recovers sends the message once, after retries with growing back-off', async () => {
    const d = dispatcher();
    const phone = freshPhone();
    await platform.database
      .sql`insert into sim_sms_fault (phone, mode, remaining, error) values (${phone}, 'reject', 2, '网关繁忙 / gateway busy')`;
    const order = await placeOrder(phone);
    await approve(order);

    // the first attempt fails and is put back with a back-off
    const failed = await pump(d, async () => (await noticesOf(order.id)).find((n) => n.template === 'order-accepted' && n.attempts === 1));
    expect(failed.status).toBe('queued');
    expect(failed.last_error).toContain('网关繁忙');
    expect(new Date(failed.next_attempt_at).getTime()).toBeGreaterThan(Date.now() - 1_000);

    const delivered = await pump(d, async () =>
      (await noticesOf(order.id)).find((n) => n.template === 'order-accepted' && n.status === 'delivered'),
    );
    expect(delivered.attempts).toBe(3);
    expect(await smsTo(phone)).toHaveLength(1);
    const [left] = await platform.database.sql<{ remaining: number }[]>`select remaining from sim_sms_fault where phone = ${phone}`;
    expect(left!.remaining).toBe(0);
  });

  it('a gateway outage for every phone holds all messages until it ends; a number refused for good is given up, not retried', async () => {
    const d = dispatcher();
    const phone = freshPhone();
    await platform.database.sql`insert into sim_sms_fault (phone, mode, remaining) values ('*', 'reject', null)`;
    const order = await placeOrder(phone);
    await approve(order);
    await pump(d, async () =>
      (await noticesOf(order.id)).find((n) => n.template === 'order-accepted' && n.attempts >= 2) ? true : undefined,
    );
    expect(await smsTo(phone)).toHaveLength(0);
    await platform.database.sql`delete from sim_sms_fault where phone = '*'`;
    await pump(d, async () =>
      (await noticesOf(order.id)).find((n) => n.template === 'order-accepted' && n.status === 'delivered') ? true : undefined,
    );
    expect(await smsTo(phone)).toHaveLength(1);

    const invalid = freshPhone();
    await platform.database
      .sql`insert into sim_sms_fault (phone, mode, remaining, error) values (${invalid}, 'invalid', null, '空号 / number does not exist')`;
    const other = await placeOrder(invalid);
    await approve(other);
    const given = await pump(d, async () =>
      (await noticesOf(other.id)).find((n) => n.template === 'order-accepted' && n.status === 'failed'),
    );
    expect(given.attempts).toBe(1);
    expect(given.status_reason).toContain('空号');
  });

  it('the same event processed twice, by two dispatchers at once and after a crash mid-send, is one message', async () => {
    const phone = freshPhone();
    const order = await placeOrder(phone);
    await approve(order);
    const [stage] = await platform.database.sql<{ key: string }[]>`
      select s.element_instance_key::text as key from instance_stage s join orders o on o.process_instance_key = s.process_instance_key
      where o.id = ${order.id} and s.element_id = 'review-order'`;
    await eventually(
      async () => (await platform.database.sql`select 1 from notice_change where kind = 'stage' and ref = ${stage!.key}`).length > 0,
    );
    // the event is in the outbox twice more (a trigger fired again, a projector re-applied it)
    await platform.database
      .sql`insert into notice_change (kind, ref, fact) values ('stage', ${stage!.key}, 'completed'), ('stage', ${stage!.key}, 'completed')`;
    const one = dispatcher();
    const two = dispatcher();
    for (let i = 0; i < 4; i++) await Promise.all([one.runOnce(), two.runOnce()]);
    await pump(one, async () => ((await smsTo(phone)).length > 0 ? true : undefined));
    for (let i = 0; i < 3; i++) await Promise.all([one.runOnce(), two.runOnce()]);
    const notices = (await noticesOf(order.id)).filter((n) => n.template === 'order-accepted');
    expect(notices).toHaveLength(1);
    // submitted once: the claim kept the two dispatchers from both sending it
    expect((await smsTo(phone)).map((m) => m.submissions)).toEqual([1]);

    // a dispatcher that died after the gateway accepted, before recording it: the notice is sent again, the gateway knows it
    await platform.database
      .sql`update sms_notice set status = 'sending', claimed_until = now() - interval '1 second' where id = ${notices[0]!.id}::bigint`;
    await pump(one, async () =>
      (await noticesOf(order.id)).find((n) => n.id === notices[0]!.id && n.status === 'delivered') ? true : undefined,
    );
    // submitted again, and the gateway answered with the first message: still one SMS
    expect((await smsTo(phone)).map((m) => m.submissions)).toEqual([2]);
  });

  it('a customer who opted out gets no SMS (kept as suppressed for staff); opting back in, the next one is sent', async () => {
    const d = dispatcher();
    const zhang = await platform.tokenFor('customer.zhang');
    const as = { authorization: `Bearer ${zhang}` };
    const out = await platform.app.inject({ method: 'PUT', url: '/sms-preference', headers: as, payload: { optedOut: true } });
    expect(out.statusCode, out.body).toBe(200);
    expect(out.json()).toEqual({ customerId: 'CU-0001', optedOut: true });
    expect((await platform.app.inject({ method: 'GET', url: '/sms-preference', headers: as })).json()).toEqual({
      customerId: 'CU-0001',
      optedOut: true,
    });
    const bad = await platform.app.inject({ method: 'PUT', url: '/sms-preference', headers: as, payload: { optedOut: 'yes' } });
    expect(bad.statusCode).toBe(400);

    const phone = freshPhone();
    const order = await placeOrder(phone, zhang);
    await approve(order);
    const suppressed = await pump(d, async () =>
      (await noticesOf(order.id)).find((n) => n.template === 'order-accepted' && n.status === 'suppressed'),
    );
    expect(suppressed.status_reason).toContain('退订');
    expect(await smsTo(phone)).toHaveLength(0);

    expect(
      (await platform.app.inject({ method: 'PUT', url: '/sms-preference', headers: as, payload: { optedOut: false } })).statusCode,
    ).toBe(200);
    const appointment = await waitForTask(platform, CREW, order.id, 'make-appointment');
    await completeTask(platform, appointment.key, { appointmentAt: '2026-11-25T15:30' });
    await pump(d, async () =>
      (await noticesOf(order.id)).find((n) => n.template === 'visit-booked' && n.status === 'delivered') ? true : undefined,
    );
    const messages = await smsTo(phone);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toContain('11月25日（周三）15:30');
  });

  it('the per-phone limit holds the message over it and sends it when the hour has passed', async () => {
    let offsetMs = 0;
    const limited = dispatcher({ customerPerPhonePerHour: 2, now: () => new Date(Date.now() + offsetMs) });
    const phone = freshPhone();
    const orders = [await placeOrder(phone), await placeOrder(phone), await placeOrder(phone)];
    for (const o of orders) await approve(o);
    const all = async () =>
      (await Promise.all(orders.map(async (o) => (await noticesOf(o.id)).filter((n) => n.template === 'order-accepted')))).flat();
    const held = await pump(limited, async () => {
      const ns = await all();
      const h = ns.find((n) => n.status === 'queued' && n.status_reason?.includes('频次限制'));
      return ns.length === 3 && ns.filter((n) => n.status === 'delivered').length === 2 && h ? h : undefined;
    });
    expect(new Date(held.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    for (let i = 0; i < 3; i++) await limited.runOnce();
    expect(await smsTo(phone)).toHaveLength(2);

    // an hour later (the dispatcher's clock), it goes
    offsetMs = 61 * 60_000;
    await pump(limited, async () => ((await all()).every((n) => n.status === 'delivered') ? true : undefined));
    expect(await smsTo(phone)).toHaveLength(3);
  });

  it("a process owner's template edit changes the next message; clerks and customers may not edit; an unknown placeholder is a 400 naming it", async () => {
    const d = dispatcher();
    const owner = { authorization: `Bearer ${await platform.tokenFor('owner.process')}` };
    const list = await platform.app.inject({ method: 'GET', url: '/sms-templates', headers: owner });
    expect(list.statusCode).toBe(200);
    const templates = list.json() as { key: string; placeholders: { name: string }[]; body: string; preview: string }[];
    expect(templates.map((t) => t.key)).toEqual([
      'order-accepted',
      'visit-booked',
      'crew-on-the-way',
      'service-active',
      'fault-accepted',
      'repair-crew-on-the-way',
      'fault-resolved',
      'ticket-closed',
      'crew-dispatch',
      'escalation',
    ]);
    const booked = templates.find((t) => t.key === 'visit-booked')!;
    expect(booked.placeholders.map((p) => p.name)).toContain('appointmentTime');
    expect(booked.preview).toContain('11月24日（周二）10:00');

    const body = '【宽带服务】{customerName}您好：师傅将于{appointmentTime}上门，订单{orderId}。';
    for (const user of ['clerk.urumqi', 'customer.zhang']) {
      const refused = await platform.app.inject({
        method: 'PUT',
        url: '/sms-templates/visit-booked',
        headers: { authorization: `Bearer ${await platform.tokenFor(user)}` },
        payload: { body },
      });
      expect(refused.statusCode, user).toBe(403);
    }
    const unknown = await platform.app.inject({
      method: 'PUT',
      url: '/sms-templates/visit-booked',
      headers: owner,
      payload: { body: '{customerName}您好，{visitWindow}上门' },
    });
    expect(unknown.statusCode).toBe(400);
    const problem = unknown.json() as { code: string; detail: string; errors: { pointer: string; message: string }[] };
    expect(problem.code).toBe('UNKNOWN_PLACEHOLDER');
    expect(problem.detail).toContain('{visitWindow}');
    expect(problem.errors).toEqual([{ pointer: '/body', in: 'body', message: '未知占位符 / unknown placeholder {visitWindow}' }]);
    const stray = await platform.app.inject({
      method: 'PUT',
      url: '/sms-templates/visit-booked',
      headers: owner,
      payload: { body: '您好 {customerName' },
    });
    expect(stray.statusCode).toBe(400);
    expect(
      (await platform.app.inject({ method: 'PUT', url: '/sms-templates/no-such', headers: owner, payload: { body } })).statusCode,
    ).toBe(404);
    const empty = await platform.app.inject({ method: 'PUT', url: '/sms-templates/visit-booked', headers: owner, payload: { body: '  ' } });
    expect(empty.statusCode).toBe(400);
    expect(JSON.stringify(empty.json())).toContain('/body');
    // nothing refused was stored
    const [still] = await platform.database.sql<{ body: string }[]>`select body from sms_template where key = 'visit-booked'`;
    expect(still!.body).toBe(booked.body);

    const saved = await platform.app.inject({ method: 'PUT', url: '/sms-templates/visit-booked', headers: owner, payload: { body } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((saved.json() as { updatedBy: string }).updatedBy).toBe('owner.process');

    const phone = freshPhone();
    const order = await placeOrder(phone);
    await approve(order);
    const appointment = await waitForTask(platform, CREW, order.id, 'make-appointment');
    await completeTask(platform, appointment.key, { appointmentAt: '2026-11-26T09:00' });
    await pump(d, async () => ((await smsTo(phone)).length === 2 ? true : undefined));
    expect((await smsTo(phone))[1]!.body).toBe(`【宽带服务】张伟您好：师傅将于11月26日（周四）09:00上门，订单${order.id}。`);
  });

  it('a fault repaired in the field tells the customer, at the phone the CRM has for the account, each step once: accepted with the promised time, crew on the way, resolved, closed', async () => {
    const d = dispatcher();
    // given a fault on a line with loss of signal (a field repair), reported for a local-A customer
    const { ticketId, processInstanceKey } = await report(
      platform,
      fault({ account: '0991-HB-100002', customer: { name: '钱芳', level: 'local-a' }, description: '光猫 LOS 灯红' }),
    );
    const accepted = await pump(d, async () =>
      (await noticesOf(ticketId)).find((n) => n.template === 'fault-accepted' && n.status === 'delivered'),
    );
    expect(accepted.recipient).toBe('13899100002');
    const [due] = await platform.database.sql<{ value: string }[]>`
      select value #>> '{}' as value from instance_variable where process_instance_key = ${processInstanceKey}::bigint and name = 'repairDueAt'`;
    expect(accepted.body).toBe(
      `【宽带服务】钱芳您好，您的故障申告已受理，工单号${ticketId}，我们承诺在${formatChinaTime(due!.value)}前修复。`,
    );

    // when the monitoring center dispatches, the crew accepts with an arrival time, repairs, and the recovery is confirmed
    const crew = 'install-crew-urc-tianshan';
    await completeTask(platform, (await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'dispatch-repair')).key, {
      crewGroup: crew,
    });
    await completeTask(platform, (await waitForInstanceTask(platform, crew, processInstanceKey, 'accept-repair')).key, {
      arrivalEta: '2026-11-23T10:00',
    });
    await completeTask(platform, (await waitForInstanceTask(platform, crew, processInstanceKey, 'repair-onsite')).key, {
      faultCause: 'drop-fibre',
      repairNote: '更换入户冷接子',
    });
    await completeTask(platform, (await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'confirm-recovery')).key, {
      recovered: true,
    });
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'revisit-fault')).key,
      {
        satisfaction: 9,
      },
    );

    // then the customer got four messages, once each, in order
    const sent = await pump(d, async () => {
      const customer = (await noticesOf(ticketId)).filter((n) => n.audience === 'customer');
      return customer.length === 4 && customer.every((n) => n.status === 'delivered') ? customer : undefined;
    });
    expect(sent.map((n) => n.template)).toEqual(['fault-accepted', 'repair-crew-on-the-way', 'fault-resolved', 'ticket-closed']);
    expect(sent[1]!.body).toContain('预计11月23日（周一）10:00到达');
    expect(sent[2]!.body).toContain('已修复，请确认业务是否恢复正常');
    expect(sent[3]!.body).toContain(`故障工单${ticketId}已处理完毕并结单`);
    expect((await smsTo('13899100002')).filter((m) => m.body.includes(ticketId)).map((m) => m.body)).toEqual(sent.map((n) => n.body));
    // and the crew's duty phone was told of its two tasks
    const toCrew = (await noticesOf(ticketId)).filter((n) => n.audience === 'crew');
    expect(toCrew.map((n) => n.recipient)).toEqual([CREW_PHONE, CREW_PHONE]);
  });
});

describe('retry back-off', () => {
  it('doubles from the base up to the cap, with ±20 % jitter', () => {
    const o = { baseBackoffMs: 2_000, maxBackoffMs: 10 * 60_000 };
    expect([1, 2, 3, 4, 12].map((n) => noticeBackoffMs(n, o, () => 0.5))).toEqual([2_000, 4_000, 8_000, 16_000, 600_000]);
    expect(noticeBackoffMs(1, o, () => 0)).toBe(1_600);
    expect(noticeBackoffMs(1, o, () => 0.999_999)).toBe(2_400);
  });
});

describe('template placeholders', () => {
  it('defaults seeded in the database use only their own placeholders', async () => {
    const { templateProblems } = await import('../contracts/notices.ts');
    const rows = await platform.database.sql<{ key: string; default_body: string }[]>`select key, default_body from sms_template`;
    expect(rows).toHaveLength(10);
    for (const r of rows) expect(templateProblems(r.key, r.default_body), r.key).toEqual({ unknown: [], strayBraces: false });
    expect(DEFAULT_NOTICE_OPTIONS.customerPerPhonePerHour).toBeGreaterThan(0);
  });
});
