import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDate, loadBusinessCalendar } from '../calendar/business-calendar.ts';
import type { Principal } from '../api/domain/auth/schemas.ts';
import { endInstallWait, startInstallWait } from '../api/domain/sla-pauses/install-waits.ts';
import { createSlaPauseRepository } from '../api/domain/sla-pauses/repository.ts';
import { PostgresSlaPauseStore } from '../workers/adapters/sla-pause-store.ts';
import { completeTask, processCompletedInEngine, validOrder, waitForTask, type OrderView } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CREW = 'install-crew-urc-tianshan';
const PO = '/tmf-api/productOrderingManagement/v5';
const at = (local: string) => new Date(`${local}+08:00`);

interface Wait {
  id: number;
  orderId: string | null;
  ticketId: string | null;
  state: string;
  note: string;
  pausedWorkingMinutes: number | null;
  confirmationRequired: boolean | null;
  dueBefore: string | null;
  dueAfter: string | null;
  decidedBy: string | null;
}

interface StatusView {
  state: string;
  sla: { label: { zh: string }; dueAt: string; paused: boolean; pausedWorkingMinutes: number; breached: boolean };
  customerWaits: {
    reason: string;
    reasonLabel: { zh: string; en: string };
    state: string;
    stateLabel: { zh: string };
    pausedWorkingMinutes: number | null;
  }[];
}

/** The crew of Tianshan (clerk.urumqi's groups), as the use cases see it when called with a chosen clock. */
const crewPrincipal: Principal = {
  sub: 'clerk.urumqi',
  username: 'clerk.urumqi',
  name: '王芳',
  role: 'clerk',
  customerId: null,
  groups: ['order-center', CREW],
  branch: 'urumqi',
};

describe('customer-caused waits (客户原因) on home-broadband install orders: the computed install SLA pauses', () => {
  let platform: Platform;
  let crew: string;
  let otherBranch: string;
  let responseCenter: string;
  let zhang: string;
  let li: string;
  let leader: string;
  let savedDays: { date: string; kind: string; name: string }[] = [];
  let calendarDates: string[] = [];

  beforeAll(async () => {
    platform = await startPlatform();
    const token = (u: string) => platform.tokenFor(u);
    [crew, otherBranch, responseCenter, zhang, li, leader] = [
      await token('clerk.urumqi'),
      await token('clerk.xian'),
      await token('clerk.response'),
      await token('customer.zhang'),
      await token('customer.li'),
      await token('leader.region'),
    ];
    // The administrators' calendar this suite relies on: March 2030 with a two-day test holiday (Thu 7th, Fri 8th),
    // and the days around now as workdays (the KPI case measures waits of the last days).
    const today = chinaDate(new Date());
    const recent = Array.from({ length: 6 }, (_, i) => chinaDate(new Date(at(`${today}T12:00:00`).getTime() + (i - 4) * DAY)));
    const march = Array.from({ length: 14 }, (_, i) => `2030-03-${String(i + 1).padStart(2, '0')}`);
    calendarDates = [...recent, ...march];
    savedDays = await platform.database.sql<{ date: string; kind: string; name: string }[]>`
      select date, kind, name from calendar_day where date in ${platform.database.sql(calendarDates)}`;
    const weekend = (d: string) => [0, 6].includes(new Date(`${d}T12:00:00+08:00`).getUTCDay());
    for (const date of calendarDates) {
      const [kind, name] =
        date === '2030-03-07' || date === '2030-03-08'
          ? ['holiday', '测试假日（测试日历）']
          : march.includes(date) && weekend(date)
            ? ['holiday', '周末（测试日历）']
            : ['workday', '工作日（测试日历）'];
      await platform.database.sql`
        insert into calendar_day (date, kind, name) values (${date}, ${kind}, ${name})
        on conflict (date) do update set kind = excluded.kind, name = excluded.name`;
    }
  });

  afterAll(async () => {
    if (!platform) return;
    if (calendarDates.length > 0) {
      await platform.database.sql`delete from calendar_day where date in ${platform.database.sql(calendarDates)}`;
      for (const d of savedDays)
        await platform.database.sql`insert into calendar_day (date, kind, name) values (${d.date}, ${d.kind}, ${d.name})`;
    }
    await platform.close();
  });

  const as = (token: string, method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) =>
    platform.fastify.inject({ method, url, ...(payload ? { payload } : {}), headers: { authorization: `Bearer ${token}`, ...headers } });
  // (the use cases called directly with a chosen clock do not clear the status read cache as the routes do)
  const status = async (id: string) => {
    platform.fastify.statusReads.forget(id);
    return (await as(zhang, 'GET', `/status/${id}`)).json() as StatusView;
  };

  /** The use cases with a chosen clock: the install SLA counts from the order's creation, which the test sets. */
  const deps = (id: string, now: Date) => ({
    caller: crewPrincipal,
    id,
    repo: createSlaPauseRepository(platform.database.db),
    store: new PostgresSlaPauseStore(platform.database.db),
    calendar: () => loadBusinessCalendar(platform.database.db),
    now: () => now,
  });
  const waitAt = (id: string, from: Date, to: Date, reason: 'customer-not-home' | 'customer-rescheduled' = 'customer-not-home') =>
    startInstallWait({ ...deps(id, from), body: { reason, note: '上门客户不在家' } }).then(() =>
      endInstallWait({ ...deps(id, to), body: { outcome: 'customer-reachable' } }),
    );

  /** A local-C install order of customer.zhang, reviewed: the crew's appointment is open. */
  async function orderAtAppointment(createdAt?: Date) {
    const created = await as(zhang, 'POST', '/orders', validOrder());
    expect(created.statusCode, created.body).toBe(201);
    const order = created.json() as OrderView;
    await completeTask(platform, (await waitForTask(platform, 'order-center', order.id, 'review-order')).key, { reviewApproved: true });
    await waitForTask(platform, CREW, order.id, 'make-appointment');
    if (createdAt)
      await platform.database.sql`update orders set created_at = ${createdAt.toISOString()}::timestamptz where id = ${order.id}`;
    return order;
  }

  /** Appointment, install, quality check, the customer's confirmation and the revisit: the order completes. */
  async function finish(order: OrderView) {
    await completeTask(platform, (await waitForTask(platform, CREW, order.id, 'make-appointment')).key, {
      appointmentAt: '2026-12-05T10:00',
    });
    await completeTask(platform, (await waitForTask(platform, CREW, order.id, 'install-onsite')).key, {
      onuSerial: 'ZTEG7777ABCD',
      fibreMeters: 30,
      opticalPowerDbm: -20,
    });
    await completeTask(platform, (await waitForTask(platform, 'customer-response-center', order.id, 'quality-check')).key, {
      qualityPassed: true,
    });
    expect((await as(zhang, 'POST', `/orders/${order.id}/confirm`)).statusCode).toBe(202);
    await completeTask(platform, (await waitForTask(platform, 'customer-response-center', order.id, 'revisit')).key, { satisfaction: 9 });
    await eventually(() => processCompletedInEngine(platform, order.processInstanceKey));
    await eventually(async () => {
      const [row] = await platform.database.sql<
        { state: string }[]
      >`select state from process_instance where process_instance_key = ${order.processInstanceKey}`;
      return row?.state === 'completed' ? row : undefined;
    });
  }

  it('refuses a wait outside the install stage, from customers, from another branch, with a bad reason; one open wait per order', async () => {
    const fresh = await as(zhang, 'POST', '/orders', validOrder());
    const early = fresh.json() as OrderView;
    await waitForTask(platform, 'order-center', early.id, 'review-order');
    const body = { reason: 'customer-not-home', note: '上门客户不在家' };
    // still at the review: not between dispatch and activation
    const notYet = await as(crew, 'POST', `/orders/${early.id}/customer-waits`, body);
    expect(notYet.statusCode).toBe(409);
    expect(notYet.json()).toMatchObject({ code: 'ORDER_NOT_IN_INSTALL' });
    expect((notYet.json() as { detail: string }).detail).toMatch(/^订单 HB\d+ 当前不在预约或上门装机环节/);

    const order = await orderAtAppointment();
    // customers record nothing (their own order or another's); another customer does not even see the order's status
    expect((await as(zhang, 'POST', `/orders/${order.id}/customer-waits`, body)).statusCode).toBe(403);
    expect((await as(li, 'POST', `/orders/${order.id}/customer-waits`, body)).statusCode).toBe(403);
    expect((await as(li, 'GET', `/status/${order.id}`)).statusCode).toBe(404);
    // a clerk of another branch's order center: no such order for them
    const xian = await as(otherBranch, 'POST', `/orders/${order.id}/customer-waits`, body);
    expect(xian.statusCode).toBe(404);
    expect(xian.json()).toMatchObject({ code: 'ORDER_NOT_FOUND' });
    expect((await as(otherBranch, 'GET', `/orders/${order.id}/customer-waits`)).statusCode).toBe(404);
    // a reason not on the list names the field
    const bad = await as(crew, 'POST', `/orders/${order.id}/customer-waits`, { reason: 'crew-busy', note: '班组忙' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [expect.objectContaining({ pointer: '/reason' })] });
    // nothing to end or decide yet
    expect((await as(crew, 'POST', `/orders/${order.id}/customer-waits/end`, { outcome: 'customer-reachable' })).json()).toMatchObject({
      code: 'ORDER_NOT_PAUSED',
    });

    const started = await as(crew, 'POST', `/orders/${order.id}/customer-waits`, { ...body, evidenceRef: 'CALL-20261202-0007' });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json()).toMatchObject({ orderId: order.id, ticketId: null, state: 'active', evidenceRef: 'CALL-20261202-0007' });
    const second = await as(crew, 'POST', `/orders/${order.id}/customer-waits`, body);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'CUSTOMER_WAIT_OPEN' });
    // a new appointment needs its time; the response center has nothing to decide on an active wait
    const noTime = await as(crew, 'POST', `/orders/${order.id}/customer-waits/end`, { outcome: 'appointment-made' });
    expect(noTime.statusCode).toBe(400);
    expect(noTime.json()).toMatchObject({ errors: [expect.objectContaining({ pointer: '/appointmentAt' })] });
    expect((await as(responseCenter, 'POST', `/orders/${order.id}/customer-waits/decision`, { confirmed: true })).json()).toMatchObject({
      code: 'NO_PAUSE_AWAITING_CONFIRMATION',
    });

    // the customer sees the pause and its reason, not the crew's note; TMF622 says the order waits on the customer
    const paused = await status(order.id);
    expect(paused.state).toBe('pending');
    expect(paused.sla.paused).toBe(true);
    expect(paused.sla.breached).toBe(false);
    expect(paused.customerWaits).toMatchObject([
      {
        reason: 'customer-not-home',
        reasonLabel: { zh: '客户不在家', en: 'Customer not at home' },
        state: 'active',
        stateLabel: { zh: '计时暂停中（客户原因）' },
      },
    ]);
    expect(JSON.stringify(paused)).not.toContain('上门客户不在家');
    const tmf = await as(zhang, 'GET', `${PO}/productOrder/${order.id}`);
    expect(tmf.statusCode).toBe(200);
    expect((tmf.json() as { state: string }).state).toBe('pending');

    const ended = await as(crew, 'POST', `/orders/${order.id}/customer-waits/end`, {
      outcome: 'appointment-made',
      appointmentAt: '2026-12-06T10:00:00+08:00',
    });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toMatchObject({ state: 'counted', confirmationRequired: false });
    const resumed = await status(order.id);
    expect(resumed.state).toBe('inProgress');
    expect(resumed.sla.paused).toBe(false);
    expect(resumed.customerWaits[0]).toMatchObject({ state: 'counted', stateLabel: { zh: '已扣除暂停时间' } });
    // staff read the waits with the note; a leader too
    const listed = (await as(leader, 'GET', `/orders/${order.id}/customer-waits`)).json() as Wait[];
    expect(listed).toMatchObject([{ note: '上门客户不在家', state: 'counted' }]);
  });

  it('a wait across a holiday moves the install due by exactly the paused working time', async () => {
    // created Tue 5 March 2030 10:00, local C: activation due 48 h later, Thu 7 March 10:00 (a test holiday)
    const order = await orderAtAppointment(at('2030-03-05T10:00:00'));
    const calendar = await loadBusinessCalendar(platform.database.db);
    // the crew finds nobody at home Wed 20:00; the customer is reachable again Mon 11 March 06:00, after the holiday and the weekend
    const from = at('2030-03-06T20:00:00');
    const to = at('2030-03-11T06:00:00');
    await startInstallWait({ ...deps(order.id, from), body: { reason: 'customer-not-home', note: '晚上上门无人' } });
    const during = await status(order.id);
    expect(during.sla.paused).toBe(true);
    expect(during.sla.dueAt).toBe(at('2030-03-07T10:00:00').toISOString());
    const ended = await endInstallWait({ ...deps(order.id, to), body: { outcome: 'customer-reachable' } });
    // paused: Wed 20:00–24:00 and Mon 00:00–06:00 = 10 working hours (Thu, Fri, the weekend count nothing)
    expect(ended.pausedWorkingMinutes).toBe(600);
    expect(ended.state).toBe('counted');
    // the 4 working hours left at the pause (Wed 20:00–24:00; Thu is a holiday) count again from Mon 06:00: due Mon 10:00
    expect(ended.dueBefore).toBe(at('2030-03-07T10:00:00').toISOString());
    expect(ended.dueAfter).toBe(at('2030-03-11T10:00:00').toISOString());
    expect(calendar.workingMillisBetween(new Date(ended.dueBefore!), new Date(ended.dueAfter!))).toBe(10 * HOUR);

    const after = await status(order.id);
    expect(after.sla).toMatchObject({ dueAt: at('2030-03-11T10:00:00').toISOString(), paused: false, pausedWorkingMinutes: 600 });
    expect(after.sla.label.zh).toBe('开通时限 48 小时');
    await platform.engine.deleteProcessInstance(order.processInstanceKey);
  });

  it('above the limit the response center decides: the third pause confirmed, the fourth refused; one long wait needs it too', async () => {
    const order = await orderAtAppointment(at('2030-03-04T09:00:00'));
    // three waits of 1 working hour each on Mon 4 and Tue 5 March
    const first = await waitAt(order.id, at('2030-03-04T12:00:00'), at('2030-03-04T13:00:00'));
    const second = await waitAt(order.id, at('2030-03-04T15:00:00'), at('2030-03-04T16:00:00'), 'customer-rescheduled');
    expect([first.state, second.state]).toEqual(['counted', 'counted']);
    const third = await waitAt(order.id, at('2030-03-05T09:00:00'), at('2030-03-05T10:00:00'));
    expect(third).toMatchObject({ state: 'awaiting-confirmation', confirmationRequired: true, dueAfter: null });
    // still paused for the customer until the response center decides
    expect((await status(order.id)).sla.paused).toBe(true);
    expect((await status(order.id)).customerWaits[2]).toMatchObject({ state: 'awaiting-confirmation' });
    // the crew cannot decide; another wait cannot start meanwhile
    expect((await as(crew, 'POST', `/orders/${order.id}/customer-waits/decision`, { confirmed: true })).statusCode).toBe(404);
    expect(
      (await as(crew, 'POST', `/orders/${order.id}/customer-waits`, { reason: 'customer-not-home', note: '再次不在家' })).statusCode,
    ).toBe(409);
    const confirmed = await as(responseCenter, 'POST', `/orders/${order.id}/customer-waits/decision`, {
      confirmed: true,
      note: '通话记录属实',
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const c = confirmed.json() as Wait;
    expect(c).toMatchObject({ state: 'counted', decidedBy: 'clerk.response', pausedWorkingMinutes: 60 });
    // due: created + 48 h = Wed 6 March 09:00, moved by 1 h three times
    expect(c.dueAfter).toBe(at('2030-03-06T12:00:00').toISOString());
    // a second decision on the same pause: nothing left to decide
    expect((await as(responseCenter, 'POST', `/orders/${order.id}/customer-waits/decision`, { confirmed: false })).statusCode).toBe(409);

    const fourth = await waitAt(order.id, at('2030-03-05T11:00:00'), at('2030-03-05T12:00:00'));
    expect(fourth.state).toBe('awaiting-confirmation');
    const refused = await as(responseCenter, 'POST', `/orders/${order.id}/customer-waits/decision`, { confirmed: false, note: '无证据' });
    expect(refused.json()).toMatchObject({ state: 'refused', dueBefore: c.dueAfter, dueAfter: c.dueAfter });
    const s = await status(order.id);
    expect(s.sla).toMatchObject({ dueAt: c.dueAfter, paused: false, pausedWorkingMinutes: 180 });
    expect(s.customerWaits.map((w) => w.state)).toEqual(['counted', 'counted', 'counted', 'refused']);
    await platform.engine.deleteProcessInstance(order.processInstanceKey);

    // one wait of 49 working hours (Mon 09:00 – Wed 10:00, Tue whole) is above the 48-hour limit
    const long = await orderAtAppointment(at('2030-03-11T08:00:00'));
    const l = await waitAt(long.id, at('2030-03-11T09:00:00'), at('2030-03-13T10:00:00'));
    expect(l).toMatchObject({ state: 'awaiting-confirmation', pausedWorkingMinutes: 49 * 60, confirmationRequired: true });
    await platform.engine.deleteProcessInstance(long.processInstanceKey);
  });

  it('KPIs count install SLA compliance with the pauses excluded, as if counted, and the paused time apart', async () => {
    const kpis = async () => {
      const from = new Date(Date.now() - DAY).toISOString();
      const to = new Date(Date.now() + HOUR).toISOString();
      const res = await as(leader, 'GET', `/kpis?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      expect(res.statusCode, res.body).toBe(200);
      return (
        res.json() as {
          slaPauses: {
            installs: {
              ordersActivated: number;
              ordersPaused: number;
              pausesCounted: number;
              pausesRefused: number;
              pausedWorkingHours: number;
              byLevel: {
                customerLevel: string;
                pausesExcluded: { total: number; met: number };
                pausesCounted: { total: number; met: number };
              }[];
            };
          };
        }
      ).slaPauses.installs;
    };
    const before = await kpis();
    const localC = (k: typeof before) =>
      k.byLevel.find((r) => r.customerLevel === 'local-c') ?? { pausesExcluded: { total: 0, met: 0 }, pausesCounted: { total: 0, met: 0 } };

    // created 49 h ago (local C: due an hour ago); the customer kept the crew waiting 8 working hours before that
    const now = Date.now();
    const order = await orderAtAppointment(new Date(now - 49 * HOUR));
    const ended = await waitAt(order.id, new Date(now - 10 * HOUR), new Date(now - 2 * HOUR));
    expect(ended).toMatchObject({ state: 'counted', pausedWorkingMinutes: 480 });
    // and a plain order within its limit, no pause
    const plain = await orderAtAppointment();
    await finish(order);
    await finish(plain);

    const after = await kpis();
    expect(after.ordersActivated - before.ordersActivated).toBe(2);
    expect(after.ordersPaused - before.ordersPaused).toBe(1);
    expect(after.pausesCounted - before.pausesCounted).toBe(1);
    expect(Math.round((after.pausedWorkingHours - before.pausedWorkingHours) * 10) / 10).toBe(8);
    // the paused order met its moved due, not the limit from its creation; the plain one met both
    expect(localC(after).pausesExcluded.total - localC(before).pausesExcluded.total).toBe(2);
    expect(localC(after).pausesExcluded.met - localC(before).pausesExcluded.met).toBe(2);
    expect(localC(after).pausesCounted.met - localC(before).pausesCounted.met).toBe(1);
  });
});
