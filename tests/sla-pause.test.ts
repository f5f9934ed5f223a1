import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDate, createBusinessCalendar, loadBusinessCalendar } from '../calendar/business-calendar.ts';
import { reportFault } from '../api/domain/faults/use-cases.ts';
import { movedDeadline, PostgresSlaPauseStore } from '../workers/adapters/sla-pause-store.ts';
import { completeTask, processCompletedInEngine } from './support/orders.ts';
import { escalationsOf, fault, waitForInstanceTask } from './support/faults.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';
import { tmfSchemaErrors } from './support/tmf-schemas.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CREW = 'install-crew-urc-tianshan';
const TT = '/tmf-api/troubleTicket/v5';

/** Midnight in China starting a local date, and local dates n days on. */
const chinaMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`);
const plusDays = (date: string, n: number) => chinaDate(new Date(chinaMidnight(date).getTime() + n * DAY + HOUR));
/** Engine date-times come as ISO strings, sometimes with a zone id ("…+08:00[Asia/Shanghai]"). */
const instant = (v: unknown) => new Date(String(v).replace(/\[[^\]]+\]$/, ''));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PauseRow {
  id: string;
  state: string;
  started_at: Date | null;
  ended_at: Date | null;
  paused_working_ms: string | null;
  due_before: Date | null;
  warn_before: Date | null;
  due_after: Date | null;
  warn_after: Date | null;
  confirmation_required: boolean | null;
}

describe('SLA pauses for customer-caused waits (客户原因) with the real engine, workers and business calendar', () => {
  let platform: Platform;
  let crew: string;
  let otherBranch: string;
  let responseCenter: string;
  let zhang: string;
  let li: string;
  let leader: string;
  let suiteStart: Date;
  /** The administrators' calendar rows this suite replaced, put back afterwards. */
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
    suiteStart = await platform.clock.now();
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

  const as = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    platform.fastify.inject({ method, url, ...(payload ? { payload } : {}), headers: { authorization: `Bearer ${token}` } });

  const pauses = async (ticketId: string): Promise<PauseRow[]> => {
    const rows = await platform.database.sql<Record<string, unknown>[]>`
      select id, state, started_at, ended_at, paused_working_ms, due_before, warn_before, due_after, warn_after, confirmation_required
      from sla_pause where ticket_id = ${ticketId} order by id`;
    const at = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
    return rows.map((r) => ({
      ...(r as unknown as PauseRow),
      started_at: at(r.started_at),
      ended_at: at(r.ended_at),
      due_before: at(r.due_before),
      warn_before: at(r.warn_before),
      due_after: at(r.due_after),
      warn_after: at(r.warn_after),
    }));
  };

  const engineDeadlines = async (processInstanceKey: string) => {
    const v = await platform.engine.variables(processInstanceKey);
    return { due: instant(v.repairDueAt), warn: instant(v.repairWarnAt) };
  };

  const advanceTo = async (target: Date) => {
    const now = await platform.clock.now();
    if (target.getTime() > now.getTime()) await platform.clock.advance(target.getTime() - now.getTime());
  };

  /** A local-C broadband fault of customer.zhang (48 h to repair, warned 8 h before), dispatched and accepted: the crew repairs on site. */
  async function ticketAtRepair() {
    const { ticketId, processInstanceKey } = await reportFault({
      fault: fault({ account: '0991-HB-100002', description: '光猫 LOS 灯红' }),
      customerId: 'CU-0001',
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    const dispatch = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'dispatch-repair');
    expect((await completeTask(platform, dispatch.key, { crewGroup: CREW })).statusCode).toBe(204);
    const accept = await waitForInstanceTask(platform, CREW, processInstanceKey, 'accept-repair');
    expect((await completeTask(platform, accept.key, { arrivalEta: '2026-12-10T10:00' })).statusCode).toBe(204);
    const repair = await waitForInstanceTask(platform, CREW, processInstanceKey, 'repair-onsite');
    return { ticketId, processInstanceKey, repair };
  }

  /** The crew records a wait; the answer once the process has paused the clock. */
  async function startWait(ticketId: string, reason = 'customer-not-home', note = '上门客户不在家，电话未接') {
    const res = await as(crew, 'POST', `/tickets/${ticketId}/customer-waits`, { reason, note, evidenceRef: 'CALL-20261203-0042' });
    expect(res.statusCode, res.body).toBe(201);
    const id = (res.json() as { id: number }).id;
    return eventually(async () => {
      const row = (await pauses(ticketId)).find((p) => Number(p.id) === id);
      return row?.state === 'active' ? row : undefined;
    });
  }

  /** The wait is over: retried while the process is still on its way to waiting for the end (409 CUSTOMER_WAIT_STARTING). */
  async function endWait(ticketId: string, token = crew) {
    return eventually(async () => {
      const res = await as(token, 'POST', `/tickets/${ticketId}/customer-waits/end`, {
        outcome: 'appointment-made',
        appointmentAt: '2026-12-20T10:00:00+08:00',
        note: '客户改约',
      });
      if (res.statusCode === 409 && (res.json() as { code: string }).code === 'CUSTOMER_WAIT_STARTING') return undefined;
      expect(res.statusCode, res.body).toBe(200);
      return res;
    });
  }

  async function closeTicket(processInstanceKey: string) {
    const repair = await waitForInstanceTask(platform, CREW, processInstanceKey, 'repair-onsite');
    await completeTask(platform, repair.key, { faultCause: 'drop-fibre', repairNote: '更换入户冷接子' });
    const confirm = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'confirm-recovery');
    await completeTask(platform, confirm.key, { recovered: true });
    const revisit = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'revisit-fault');
    await completeTask(platform, revisit.key, { satisfaction: 9 });
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    // the ticket's own row and the projected instance follow the engine within moments (the KPIs read both)
    await eventually(async () => {
      const [row] = await platform.database.sql<{ ticket: string; instance: string | null }[]>`
        select t.state as ticket, i.state as instance from trouble_ticket t
        left join process_instance i on i.process_instance_key = t.process_instance_key
        where t.process_instance_key = ${processInstanceKey}`;
      return (row?.ticket === 'closed' && row.instance === 'completed') || undefined;
    });
  }

  it('the business calendar counts working time forward over a holiday and back (addWorkingMillis inverts workingMillisBetween)', () => {
    // National Day 2026 (1–7 October) from the package
    const calendar = createBusinessCalendar();
    const start = new Date('2026-09-30T20:00:00+08:00');
    // 4 h left on 30 September, then nothing until 8 October
    expect(calendar.addWorkingMillis(start, 4 * HOUR).toISOString()).toBe(new Date('2026-10-01T00:00:00+08:00').toISOString());
    expect(calendar.addWorkingMillis(start, 6 * HOUR).toISOString()).toBe(new Date('2026-10-08T02:00:00+08:00').toISOString());
    // a clock resumed on a holiday starts at the next working midnight
    expect(calendar.addWorkingMillis(new Date('2026-10-03T12:00:00+08:00'), 0).toISOString()).toBe(
      new Date('2026-10-08T00:00:00+08:00').toISOString(),
    );
    for (const ms of [0, MINUTE, 4 * HOUR, 30 * HOUR, 100 * HOUR]) {
      expect(calendar.workingMillisBetween(start, calendar.addWorkingMillis(start, ms))).toBe(ms);
    }
    // paused at 20:00 on 30 Sep with the deadline at 06:00 on 8 Oct (10 working hours left), resumed at 09:00 on
    // 8 Oct: due at 19:00 that day, moved by the 9 working hours paused (4 on 30 Sep, 5 on 8 Oct)
    const moved = movedDeadline(calendar, new Date('2026-10-08T06:00:00+08:00'), start, new Date('2026-10-08T09:00:00+08:00'));
    expect(moved.toISOString()).toBe(new Date('2026-10-08T19:00:00+08:00').toISOString());
    expect(calendar.workingMillisBetween(new Date('2026-10-08T06:00:00+08:00'), moved)).toBe(
      calendar.workingMillisBetween(start, new Date('2026-10-08T09:00:00+08:00')),
    );
    // a deadline already past when the clock paused stays where it was
    const past = new Date('2026-09-30T19:00:00+08:00');
    expect(movedDeadline(calendar, past, start, new Date('2026-10-08T09:00:00+08:00'))).toEqual(past);
    expect(() => calendar.addWorkingMillis(start, -1)).toThrow(RangeError);
  });

  it('the API refuses bad reasons, a ticket not at the repair, a second open wait, resuming a ticket not paused, other branches and customers', async () => {
    const { ticketId, processInstanceKey } = await ticketAtRepair();
    const url = `/tickets/${ticketId}/customer-waits`;

    // bad input: 400 naming the field, nothing recorded
    const badReason = await as(crew, 'POST', url, { reason: 'crew-was-late', note: '班组迟到' });
    expect(badReason.statusCode).toBe(400);
    expect(JSON.stringify(badReason.json())).toContain('/reason');
    const noNote = await as(crew, 'POST', url, { reason: 'customer-not-home' });
    expect(noNote.statusCode).toBe(400);
    expect(JSON.stringify(noNote.json())).toContain('/note');
    expect((await as(crew, 'POST', url, { reason: 'customer-not-home', note: 'x\u0000' })).statusCode).toBe(400);
    expect((await as(crew, 'POST', '/tickets/x1/customer-waits', { reason: 'customer-not-home', note: '不在家' })).statusCode).toBe(400);
    // another business object's number is no ticket
    expect(
      (await as(crew, 'POST', '/tickets/HB20261122000001/customer-waits', { reason: 'customer-not-home', note: '不在家' })).statusCode,
    ).toBe(404);
    expect(await pauses(ticketId)).toEqual([]);

    // resuming a ticket that is not paused
    const notPaused = await as(crew, 'POST', `${url}/end`, { outcome: 'customer-reachable' });
    expect(notPaused.statusCode).toBe(409);
    expect(notPaused.json()).toMatchObject({ code: 'TICKET_NOT_PAUSED' });
    // a new appointment without its time
    const noTime = await as(crew, 'POST', `${url}/end`, { outcome: 'appointment-made' });
    expect(noTime.statusCode).toBe(400);
    expect(JSON.stringify(noTime.json())).toContain('/appointmentAt');

    // other people: a customer may not record (403), another branch's clerk does not see the ticket (404),
    // nor does another customer see its status; unknown tickets are 404
    expect((await as(zhang, 'POST', url, { reason: 'customer-not-home', note: '不在家' })).statusCode).toBe(403);
    expect((await as(otherBranch, 'POST', url, { reason: 'customer-not-home', note: '不在家' })).statusCode).toBe(404);
    expect((await as(otherBranch, 'GET', url)).statusCode).toBe(404);
    expect((await as(li, 'GET', `/status/${ticketId}`)).statusCode).toBe(404);
    expect((await as(li, 'GET', `${TT}/troubleTicket/${ticketId}`)).statusCode).toBe(404);
    expect(
      (await as(crew, 'POST', '/tickets/FT00000000000000/customer-waits', { reason: 'customer-not-home', note: '不在家' })).statusCode,
    ).toBe(404);

    // one open wait per ticket
    await startWait(ticketId);
    const second = await as(responseCenter, 'POST', url, { reason: 'site-not-accessible', note: '小区门禁' });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'CUSTOMER_WAIT_OPEN' });
    // the response center (no branch) may end the crew's wait; staff read the list with the note
    await endWait(ticketId, responseCenter);
    const list = await as(leader, 'GET', url);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject([
      { reason: 'customer-not-home', reasonLabel: { zh: '客户不在家', en: 'Customer not at home' }, note: '上门客户不在家，电话未接' },
    ]);
    await eventually(async () => (await pauses(ticketId))[0]?.state === 'counted');
    await platform.engine.deleteProcessInstance(processInstanceKey);

    // a ticket still at dispatch cannot be paused (the repair clock of the crew has not started)
    const early = await reportFault({
      fault: fault({ account: '0991-HB-100002' }),
      customerId: 'CU-0001',
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    await waitForInstanceTask(platform, 'monitoring-center', early.processInstanceKey, 'dispatch-repair');
    const notInRepair = await as(responseCenter, 'POST', `/tickets/${early.ticketId}/customer-waits`, {
      reason: 'customer-not-home',
      note: '不在家',
    });
    expect(notInRepair.statusCode).toBe(409);
    expect(notInRepair.json()).toMatchObject({ code: 'TICKET_NOT_IN_REPAIR' });
    expect(await pauses(early.ticketId)).toEqual([]);
    await platform.engine.deleteProcessInstance(early.processInstanceKey);
  });

  it('a wait over a 3-day holiday moves the repair deadline by exactly the paused working time; the timers fire at the new times, not the old', async () => {
    // given the administrators' calendar around now: every day a workday except a 3-day holiday from the third day
    const d0 = chinaDate(await platform.clock.now());
    calendarDates = Array.from({ length: 21 }, (_, i) => plusDays(d0, i));
    savedDays = await platform.database.sql<{ date: string; kind: string; name: string }[]>`
      select date, kind, name from calendar_day where date in ${platform.database.sql(calendarDates)}`;
    const holidays = new Set([3, 4, 5].map((i) => plusDays(d0, i)));
    for (const date of calendarDates) {
      const [kind, name] = holidays.has(date) ? ['holiday', '国庆节（测试日历）'] : ['workday', '工作日（测试日历）'];
      await platform.database.sql`
        insert into calendar_day (date, kind, name) values (${date}, ${kind}, ${name})
        on conflict (date) do update set kind = excluded.kind, name = excluded.name`;
    }

    // and a ticket at the on-site repair, due 48 h after its deadline was set
    const { ticketId, processInstanceKey, repair } = await ticketAtRepair();
    const before = await engineDeadlines(processInstanceKey);
    // (the two FEEL expressions read the clock a millisecond apart at most)
    expect(Math.abs(before.due.getTime() - before.warn.getTime() - 8 * HOUR)).toBeLessThan(1000);

    // when the crew records at 02:00 the next day that the customer is not at home
    await advanceTo(new Date(chinaMidnight(plusDays(d0, 1)).getTime() + 2 * HOUR));
    const started = await startWait(ticketId);
    expect(started.due_before).toEqual(before.due);
    expect(started.warn_before).toEqual(before.warn);
    // then the repair task is gone with its timers
    await eventually(async () => {
      const res = await platform.app.inject({ method: 'GET', url: `/tasks/${repair.key}` });
      return res.statusCode === 404 || (res.json() as { state?: string }).state !== 'created';
    });

    // the customer sees the pause and its reason, in Chinese and English
    const paused = await eventually(async () => {
      const v = (await as(zhang, 'GET', `/status/${ticketId}`)).json() as {
        state: string;
        sla: { paused: boolean; breached: boolean };
        customerWaits: { reasonLabel: { zh: string; en: string }; state: string }[];
      };
      return v.customerWaits.length === 1 ? v : undefined;
    });
    expect(paused.state).toBe('pending');
    expect(paused.sla).toMatchObject({ paused: true, breached: false });
    expect(paused.customerWaits[0]).toMatchObject({ reasonLabel: { zh: '客户不在家', en: 'Customer not at home' }, state: 'active' });
    const tmfPaused = (await as(zhang, 'GET', `${TT}/troubleTicket/${ticketId}`)).json() as {
      status: string;
      statusChangeReason: string;
    };
    expect(tmfSchemaErrors('tmf621', 'TroubleTicket', tmfPaused)).toEqual([]);
    expect(tmfPaused.status).toBe('pending');
    expect(tmfPaused.statusChangeReason).toBe('客户原因暂停：客户不在家');
    const inEnglish = await platform.fastify.inject({
      method: 'GET',
      url: `${TT}/troubleTicket/${ticketId}`,
      headers: { authorization: `Bearer ${zhang}`, 'accept-language': 'en' },
    });
    expect((inEnglish.json() as { statusChangeReason: string }).statusChangeReason).toBe('Paused for the customer: Customer not at home');

    // when the wait lasts past the old deadline, over the holiday, and ends at 22:00 on its last day
    await advanceTo(new Date(chinaMidnight(plusDays(d0, 6)).getTime() - 2 * HOUR));
    // a wait open 48 hours reminds the branch's response center (no SLA miss); the repair timers did not fire
    const longWait = { element_id: 'escalate-long-customer-wait', level: 'branch' };
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 1);
    expect(await escalationsOf(platform, ticketId)).toEqual([longWait]);
    await endWait(ticketId);

    // then the paused working time is the rest of the first day and the whole second one (the holiday is not working time)
    const resumed = await eventually(async () => {
      const row = (await pauses(ticketId))[0];
      return row?.state === 'counted' ? row : undefined;
    });
    const startedAt = resumed.started_at!;
    const pausedWorkingMs = chinaMidnight(plusDays(d0, 3)).getTime() - startedAt.getTime();
    expect(Number(resumed.paused_working_ms)).toBe(pausedWorkingMs);
    expect(resumed.confirmation_required).toBe(false);
    // and the deadline moves by exactly that working time plus the 72 holiday hours: the working time left
    // when the clock paused counts again from the first working midnight after the wait
    const newDue = new Date(chinaMidnight(plusDays(d0, 6)).getTime() + (before.due.getTime() - startedAt.getTime()));
    expect(resumed.due_after).toEqual(newDue);
    expect(newDue.getTime() - before.due.getTime()).toBe(pausedWorkingMs + 72 * HOUR);
    const newWarn = new Date(chinaMidnight(plusDays(d0, 6)).getTime() + (before.warn.getTime() - startedAt.getTime()));
    expect(resumed.warn_after).toEqual(newWarn);
    const after = await eventually(async () => {
      const d = await engineDeadlines(processInstanceKey);
      return d.due.getTime() === newDue.getTime() ? d : undefined;
    });
    expect(after.warn).toEqual(newWarn);

    // the repair is back with the new due date, and nothing fires at the old (already passed) times
    const back = await waitForInstanceTask(platform, CREW, processInstanceKey, 'repair-onsite');
    expect(back.key).not.toBe(repair.key);
    const task = (await platform.app.inject({ method: 'GET', url: `/tasks/${back.key}` })).json() as { dueDate: string };
    expect(new Date(task.dueDate)).toEqual(newDue);
    await sleep(3000);
    expect(await escalationsOf(platform, ticketId)).toEqual([longWait]);

    // the customer sees the pause counted and the new deadline
    const view = await eventually(async () => {
      const v = (await as(zhang, 'GET', `/status/${ticketId}`)).json() as {
        state: string;
        sla: { dueAt: string; paused: boolean; pausedWorkingMinutes: number; label: { zh: string } };
        customerWaits: { state: string; pausedWorkingMinutes: number; appointmentAt: string | null }[];
      };
      return v.customerWaits[0]?.state === 'counted' && v.sla.dueAt === newDue.toISOString() ? v : undefined;
    });
    expect(view.state).toBe('inProgress');
    expect(view.sla).toMatchObject({ paused: false, pausedWorkingMinutes: Math.round(pausedWorkingMs / MINUTE) });
    expect(view.sla.label.zh).toBe('修复时限 48 小时');
    expect(view.customerWaits[0]).toMatchObject({ pausedWorkingMinutes: Math.round(pausedWorkingMs / MINUTE) });
    expect(view.customerWaits[0]?.appointmentAt).toBe(new Date('2026-12-20T10:00:00+08:00').toISOString());
    const tmf = (await as(zhang, 'GET', `${TT}/troubleTicket/${ticketId}`)).json() as {
      status: string;
      expectedResolutionDate: string;
      statusChangeHistory: { status: string; statusChangeReason: string }[];
      note?: { text: string }[];
    };
    expect(tmfSchemaErrors('tmf621', 'TroubleTicket', tmf)).toEqual([]);
    expect(tmf.status).toBe('inProgress');
    expect(tmf.expectedResolutionDate).toBe(newDue.toISOString());
    expect(tmf.statusChangeHistory.map((h) => h.status)).toEqual(['acknowledged', 'inProgress', 'pending', 'inProgress']);
    expect(tmf.note?.[0]?.text).toContain('客户原因暂停：客户不在家；已扣除暂停时间；暂停');
    const tmfEnglish = await platform.fastify.inject({
      method: 'GET',
      url: `${TT}/troubleTicket/${ticketId}`,
      headers: { authorization: `Bearer ${zhang}`, 'accept-language': 'en' },
    });
    expect((tmfEnglish.json() as { note: { text: string }[] }).note[0]?.text).toContain(
      'SLA paused for the customer: Customer not at home; Paused time excluded;',
    );

    // when the clock reaches a minute before the new warning: nothing; a minute after: the branch is warned
    await advanceTo(new Date(newWarn.getTime() - MINUTE));
    await sleep(2000);
    expect(await escalationsOf(platform, ticketId)).toEqual([longWait]);
    await advanceTo(new Date(newWarn.getTime() + MINUTE));
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 2);
    // and at the new deadline the region
    await advanceTo(new Date(newDue.getTime() + MINUTE));
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 3);
    expect(await escalationsOf(platform, ticketId)).toEqual([
      longWait,
      { element_id: 'escalate-repair-deadline-near', level: 'branch' },
      { element_id: 'escalate-repair-deadline-breached', level: 'region' },
    ]);
    await closeTicket(processInstanceKey);
  });

  it('above 2 pauses the response center decides: a confirmed pause moves the deadline, a refused one does not', async () => {
    const { ticketId, processInstanceKey } = await ticketAtRepair();
    const original = await engineDeadlines(processInstanceKey);

    // two pauses within the limit count at once: 20 working hours, then 1
    for (const hours of [20, 1]) {
      await startWait(ticketId, 'customer-rescheduled', '客户要求改约');
      await platform.clock.advance(hours * HOUR);
      await endWait(ticketId);
      await eventually(async () => (await pauses(ticketId)).every((p) => p.state === 'counted'));
      // the repair is back once the clock has resumed
      await waitForInstanceTask(platform, CREW, processInstanceKey, 'repair-onsite');
    }

    // the third needs the response center's confirmation: the clock stays paused until it decides
    await startWait(ticketId, 'site-not-accessible', '小区门禁无法进入');
    await platform.clock.advance(HOUR);
    await endWait(ticketId);
    const confirm = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'confirm-sla-pause');
    expect((await pauses(ticketId))[2]).toMatchObject({ state: 'awaiting-confirmation', confirmation_required: true });
    const detail = (await as(responseCenter, 'GET', `/tasks/${confirm.key}`)).json() as { form?: unknown };
    expect(JSON.stringify(detail)).toContain('sla-pause-confirmation');
    expect((await completeTask(platform, confirm.key, { pauseConfirmed: true, pauseDecisionNote: '核实通话记录，属实' })).statusCode).toBe(
      204,
    );
    await eventually(async () => (await pauses(ticketId))[2]?.state === 'counted');
    await waitForInstanceTask(platform, CREW, processInstanceKey, 'repair-onsite');

    // the fourth is refused: it does not count and the deadline stays
    await startWait(ticketId, 'customer-equipment', '客户自购路由器故障');
    await platform.clock.advance(HOUR);
    await endWait(ticketId);
    const refuse = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'confirm-sla-pause');
    expect(refuse.key).not.toBe(confirm.key);
    expect((await completeTask(platform, refuse.key, { pauseConfirmed: false, pauseDecisionNote: '属班组原因' })).statusCode).toBe(204);
    const rows = await eventually(async () => {
      const r = await pauses(ticketId);
      return r[3]?.state === 'refused' ? r : undefined;
    });

    // each counted pause moved the deadline by exactly its own paused working time (on the calendar with the administrators' days)
    const calendar = await loadBusinessCalendar(platform.database.db);
    for (const p of rows.slice(0, 3)) {
      expect(calendar.workingMillisBetween(p.due_before!, p.due_after!)).toBe(Number(p.paused_working_ms));
      expect(calendar.workingMillisBetween(p.started_at!, p.ended_at!)).toBe(Number(p.paused_working_ms));
    }
    expect(Number(rows[0]!.paused_working_ms)).toBeGreaterThanOrEqual(20 * HOUR - 2 * MINUTE);
    expect(rows.map((p) => p.confirmation_required)).toEqual([false, false, true, true]);
    const refused = rows[3]!;
    expect(refused.due_after).toEqual(refused.due_before);
    expect(refused.warn_after).toEqual(refused.warn_before);
    const countedMs = rows.slice(0, 3).reduce((sum, p) => sum + Number(p.paused_working_ms), 0);
    const final = await eventually(async () => {
      const d = await engineDeadlines(processInstanceKey);
      return d.due.getTime() === rows[2]!.due_after!.getTime() ? d : undefined;
    });
    expect(final.warn).toEqual(rows[2]!.warn_after);
    expect(calendar.workingMillisBetween(original.due, final.due)).toBe(countedMs);

    // the customer sees all four, the refused one as not counted
    const view = (await as(zhang, 'GET', `/status/${ticketId}`)).json() as {
      customerWaits: { state: string; stateLabel: { zh: string } }[];
    };
    expect(view.customerWaits.map((w) => w.state)).toEqual(['counted', 'counted', 'counted', 'refused']);
    expect(view.customerWaits[3]?.stateLabel.zh).toBe('暂停未获确认，时限不变');

    // repaired 2 h after the original deadline but before the moved warning: no escalation
    await advanceTo(new Date(original.due.getTime() + 2 * HOUR));
    await sleep(2000);
    expect(await escalationsOf(platform, ticketId)).toEqual([]);
    await closeTicket(processInstanceKey);
  });

  it('KPIs report SLA compliance with customer-caused waits excluded, as if counted, and the paused time apart', async () => {
    const to = new Date((await platform.clock.now()).getTime() + HOUR).toISOString();
    const rows = await platform.database.sql<{ ms: string; counted: number; refused: number }[]>`
      select coalesce(sum(p.paused_working_ms) filter (where p.state = 'counted'), 0)::bigint as ms,
             count(*) filter (where p.state = 'counted')::int as counted, count(*) filter (where p.state = 'refused')::int as refused
      from sla_pause p join trouble_ticket t on t.id = p.ticket_id where t.state = 'closed'`;
    const res = await as(leader, 'GET', `/kpis?from=${encodeURIComponent(suiteStart.toISOString())}&to=${encodeURIComponent(to)}`);
    expect(res.statusCode, res.body).toBe(200);
    const kpis = res.json() as {
      slaCompliance: { customerLevel: string; total: number; met: number }[];
      slaPauses: {
        ticketsClosed: number;
        ticketsPaused: number;
        pausesCounted: number;
        pausesRefused: number;
        pausedWorkingHours: number;
        averagePausedWorkingHours: number | null;
        byLevel: { customerLevel: string; pausesExcluded: { total: number; met: number }; pausesCounted: { total: number; met: number } }[];
      };
    };
    // two tickets closed: the one breached at its moved deadline, the one repaired after its original deadline but within the moved one
    expect(kpis.slaPauses).toMatchObject({ ticketsClosed: 2, ticketsPaused: 2, pausesCounted: 4, pausesRefused: 1 });
    expect(rows[0]).toMatchObject({ counted: 4, refused: 1 });
    expect(kpis.slaPauses.pausedWorkingHours).toBe(Math.round((Number(rows[0]!.ms) / HOUR) * 10) / 10);
    expect(kpis.slaPauses.averagePausedWorkingHours).toBe(Math.round((Number(rows[0]!.ms) / 2 / HOUR) * 10) / 10);
    expect(kpis.slaPauses.byLevel).toMatchObject([
      { customerLevel: 'local-c', pausesExcluded: { total: 2, met: 1, rate: 0.5 }, pausesCounted: { total: 2, met: 0, rate: 0 } },
    ]);
    expect(kpis.slaCompliance.find((r) => r.customerLevel === 'local-c')).toMatchObject({ total: 2, met: 1 });
  });

  it('a single wait over 48 working hours needs the response center; holiday hours do not count toward the limit', async () => {
    // a ticket row and its pause, measured by the store as the end-sla-pause worker does, on a calendar with National Day 2026
    const [t] = await platform.database.sql<{ id: string }[]>`
      insert into trouble_ticket (account, customer_name, customer_level, service, source, description)
      values ('0991-HB-100002', '王芳', 'local-c', 'broadband', 'hotline', '测试') returning id`;
    const calendar = createBusinessCalendar();
    const store = new PostgresSlaPauseStore(platform.database.db);
    const insert = async () => {
      const [p] = await platform.database.sql<{ id: string }[]>`
        insert into sla_pause (ticket_id, process_instance_key, reason, note, recorded_by)
        values (${t!.id}, 1, 'customer-not-home', '不在家', 'clerk.urumqi') returning id`;
      return Number(p!.id);
    };
    const deadlines = { repairDueAt: new Date('2026-10-12T12:00:00+08:00'), repairWarnAt: new Date('2026-10-12T04:00:00+08:00') };

    // 29 Sep 12:00 → 9 Oct 12:00: 10 days, 7 of them National Day: 12 + 24 + 24 + 12 = 72 working hours
    const long = await insert();
    await store.start(long, t!.id, new Date('2026-09-29T12:00:00+08:00'), deadlines);
    const ended = await store.end(long, new Date('2026-10-09T12:00:00+08:00'), calendar);
    expect(ended).toMatchObject({ pausedWorkingMs: 72 * HOUR, confirmationRequired: true });
    // measured once: a repeated delivery answers the same
    expect(await store.end(long, new Date('2026-10-10T12:00:00+08:00'), calendar)).toMatchObject({ pausedWorkingMs: 72 * HOUR });
    const refused = await store.resume(long, false, new Date('2026-10-09T13:00:00+08:00'), calendar);
    expect(refused).toMatchObject({ outcome: 'refused', repairDueAt: deadlines.repairDueAt });

    // over the whole holiday week but only 12 working hours: within the limit
    const short = await insert();
    await store.start(short, t!.id, new Date('2026-09-30T12:00:00+08:00'), deadlines);
    expect(await store.end(short, new Date('2026-10-07T23:00:00+08:00'), calendar)).toMatchObject({
      pausedWorkingMs: 12 * HOUR,
      confirmationRequired: false,
      pauses: 1,
    });
    const counted = await store.resume(short, null, new Date('2026-10-08T00:00:00+08:00'), calendar);
    expect(counted.outcome).toBe('counted');
    // 12 working hours paused; the deadline moves from 12 Oct 12:00 to 13 Oct 00:00
    expect(counted.repairDueAt.toISOString()).toBe(new Date('2026-10-13T00:00:00+08:00').toISOString());
    await platform.database.sql`delete from trouble_ticket where id = ${t!.id}`;
  });
});
