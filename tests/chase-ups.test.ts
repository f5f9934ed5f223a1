import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaseUp } from '../api/domain/chase-ups/schemas.ts';
import type { ChaseUpKpis } from '../api/domain/kpis/chase-ups.ts';
import type { StatusView } from '../api/domain/status/schemas.ts';
import { validOrder } from './support/orders.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import type { JobContext } from '../workers/job-definition.ts';
import { recordChaseUpHandling } from '../workers/job-types/record-chase-up-handling.ts';
import { eventually, silentLog, startPlatform, type Platform } from './support/platform.ts';
import { faultTicket } from './support/tmf-fixtures.ts';

/** Presses within this many seconds count once here (300 in production), so the suite waits seconds, not minutes. */
const FOLD_SECONDS = 2;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TaskItem {
  key: string;
  elementId: string;
  businessKey: string | null;
  branch: string | null;
  priority: number;
  dueDate: string | null;
  processInstanceKey: string;
  chaseUps: { count: number; sinceTaskCreated: number; latest: { id: string; note: string | null; by: string; role: string } | null };
  context?: Record<string, unknown>;
}

describe('chase-ups (催单): customers press for progress, the task holder sees it, repeated chasing escalates', () => {
  let platform: Platform;
  let zhang: string;
  let li: string;
  let clerk: string;
  let response: string;
  let leader: string;
  const startedAt = new Date();
  const started: string[] = [];

  beforeAll(async () => {
    // a generous engine deadline: the suite shares two cores with others, and a cold engine's first start can take seconds
    platform = await startPlatform({ env: { CHASE_UP_FOLD_SECONDS: String(FOLD_SECONDS), ENGINE_REQUEST_TIMEOUT_MS: '20000' } });
    zhang = await platform.tokenFor('customer.zhang');
    li = await platform.tokenFor('customer.li');
    clerk = await platform.tokenFor('clerk.urumqi');
    response = await platform.tokenFor('clerk.response');
    leader = await platform.tokenFor('leader.region');
  });
  afterAll(async () => {
    // the orders and tickets started here, and the response center's follow-ups of their chase-ups
    const followUps = await platform.database.sql<{ key: string }[]>`
      select escalation_process_instance_key::text as key from chase_up where escalation_process_instance_key is not null`;
    for (const key of [...started, ...followUps.map((f) => f.key)]) await platform.engine.deleteProcessInstance(key).catch(() => {});
    await platform?.close();
  });

  const as = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    platform.fastify.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  const chase = (token: string, id: string, body: Record<string, unknown> = {}) => as(token, 'POST', `/status/${id}/chase-ups`, body);
  const tasksOf = async (token: string, group: string) => (await as(token, 'GET', `/tasks?group=${group}&limit=500`)).json() as TaskItem[];
  const waitForTaskOf = (
    token: string,
    group: string,
    businessKey: string,
    elementId: string,
    extra: (t: TaskItem) => boolean = () => true,
  ) =>
    eventually(async () =>
      (await tasksOf(token, group)).find((t) => t.businessKey === businessKey && t.elementId === elementId && extra(t)),
    );
  const escalations = (id: string) =>
    platform.database.sql<{ level: string; element_id: string; reason: string }[]>`
      select level, element_id, reason from escalation where subject_id = ${id} order by id`;

  let orderId = '';
  let ticketId = '';

  it("a customer's chase-up on an order in review is recorded and shown to the order center's clerk who holds the review", async () => {
    // given an order of customer Zhang waiting for the order center's review
    const created = await as(zhang, 'POST', '/orders', validOrder());
    expect(created.statusCode).toBe(201);
    orderId = (created.json() as { id: string }).id;
    started.push((created.json() as { processInstanceKey: string }).processInstanceKey);
    const review = await waitForTaskOf(clerk, 'order-center', orderId, 'review-order');
    expect(review.chaseUps).toEqual({ count: 0, sinceTaskCreated: 0, latest: null });

    // when Zhang presses 催单 on the tracking page
    const res = await chase(zhang, orderId, { channel: 'tracking-page', note: '三天了还没人联系我' });

    // then it is recorded: who, when, channel, note, the step and who held it
    expect(res.statusCode).toBe(201);
    const first = res.json() as ChaseUp;
    expect(first).toMatchObject({
      subjectId: orderId,
      channel: 'tracking-page',
      channelLabel: { zh: '进度查询页', en: 'Tracking page' },
      note: '三天了还没人联系我',
      requestedBy: { name: '张伟', role: 'customer' },
      sequenceInStep: 1,
      escalation: null,
      repeatPresses: 0,
      step: { elementIds: ['review-order'], holders: ['order-center'] },
    });
    expect(Date.now() - Date.parse(first.at)).toBeLessThan(10_000);

    // and the clerk holding the review sees it in the list and the detail
    const listed = (await tasksOf(clerk, 'order-center')).find((t) => t.key === review.key)!;
    expect(listed.chaseUps).toMatchObject({
      count: 1,
      sinceTaskCreated: 1,
      latest: { id: first.id, note: '三天了还没人联系我', by: '张伟', role: 'customer' },
    });
    const detail = (await as(clerk, 'GET', `/tasks/${review.key}`)).json() as TaskItem;
    expect(detail.chaseUps.latest?.id).toBe(first.id);
    // nothing escalated on a first chase-up
    expect(await escalations(orderId)).toEqual([]);
  });

  it('presses within minutes count once: the same chase-up answers again (200), nothing more is counted', async () => {
    const again = await chase(zhang, orderId, { channel: 'tracking-page' });
    expect(again.statusCode).toBe(200);
    const folded = again.json() as ChaseUp;
    expect(folded.sequenceInStep).toBe(1);
    expect(folded.repeatPresses).toBe(1);
    expect((await chase(zhang, orderId)).json()).toMatchObject({ id: folded.id, repeatPresses: 2 });
    const list = (await as(zhang, 'GET', `/status/${orderId}/chase-ups`)).json() as { total: number; inCurrentStep: number; open: boolean };
    expect(list).toMatchObject({ total: 1, inCurrentStep: 1, open: true });
    expect(await escalations(orderId)).toEqual([]);
  });

  it("the second chase-up within the step escalates to the branch's response center: an escalation the customer sees and a task for clerk.response", async () => {
    await pause(FOLD_SECONDS * 1000 + 200);
    const res = await chase(zhang, orderId, { channel: 'app', note: '再催一次' });
    expect(res.statusCode).toBe(201);
    const second = res.json() as ChaseUp;
    expect(second.sequenceInStep).toBe(2);
    expect(second.escalation).toEqual({
      level: 'branch',
      label: { zh: '已升级至分公司客响中心', en: 'Escalated to the branch response center' },
    });
    expect(await escalations(orderId)).toEqual([
      { level: 'branch', element_id: 'chase-up', reason: expect.stringContaining('客户第 2 次催单') as string },
    ]);

    // the branch's response center gets a follow-up task carrying the order, the branch and the step
    const task = await waitForTaskOf(response, 'customer-response-center', orderId, 'supervise-chase-up');
    expect(task.branch).toBe('urumqi');
    expect(task.priority).toBe(85);
    expect(task.dueDate).not.toBeNull();
    const detail = (await as(response, 'GET', `/tasks/${task.key}`)).json() as TaskItem & { context: { chaseUp: Record<string, unknown> } };
    expect(detail.context.chaseUp).toMatchObject({
      subjectId: orderId,
      level: 'branch',
      branchName: '乌鲁木齐分公司',
      step: '订单中心资料审核',
      sequenceInStep: 2,
    });
    expect(detail.chaseUps.count).toBe(2);
    // the order center's clerk does not work the response center's tasks
    expect((await as(clerk, 'GET', `/tasks/${task.key}`)).statusCode).toBe(404);

    // the customer sees the escalation on the status page
    const status = await eventually(async () => {
      const s = (await as(zhang, 'GET', `/status/${orderId}`)).json() as StatusView;
      return s.escalations.length > 0 ? s : undefined;
    });
    expect(status.escalations[0]?.level).toBe('branch');
    // in the customer's words, not the operator's reason
    expect(status.escalations[0]?.reason).toBe('处理时间较长，已升级督办，加快为您处理');
  });

  it('the third escalates to the region; the response center’s follow-up is written back where the customer reads it', async () => {
    await pause(FOLD_SECONDS * 1000 + 200);
    const third = (await chase(zhang, orderId)).json() as ChaseUp;
    expect(third.sequenceInStep).toBe(3);
    expect(third.escalation?.level).toBe('region');
    expect((await escalations(orderId)).map((e) => e.level)).toEqual(['branch', 'region']);
    const regionTask = await waitForTaskOf(response, 'customer-response-center', orderId, 'supervise-chase-up', (t) => t.priority === 95);
    const regionDetail = (await as(response, 'GET', `/tasks/${regionTask.key}`)).json() as { context: { chaseUp: { level: string } } };
    expect(regionDetail.context.chaseUp.level).toBe('region');

    // the branch's follow-up: the form is checked, then the outcome reaches the chase-up
    const branchTask = (await tasksOf(response, 'customer-response-center')).find(
      (t) => t.businessKey === orderId && t.elementId === 'supervise-chase-up' && t.priority === 85,
    )!;
    expect(
      (await as(response, 'POST', `/tasks/${branchTask.key}/complete`, { variables: { chaseUpOutcome: 'resolved' } })).statusCode,
    ).toBe(400);
    const done = await as(response, 'POST', `/tasks/${branchTask.key}/complete`, {
      variables: { chaseUpOutcome: 'holder-pressed', chaseUpNote: '已督促订单中心今天 18 点前审核' },
    });
    expect(done.statusCode).toBe(204);
    const handled = await eventually(async () => {
      const list = (await as(zhang, 'GET', `/status/${orderId}/chase-ups`)).json() as { chaseUps: ChaseUp[] };
      return list.chaseUps.find((c) => c.sequenceInStep === 2 && c.handling)?.handling ?? undefined;
    });
    expect(handled).toMatchObject({ outcome: 'holder-pressed', note: '已督促订单中心今天 18 点前审核' });
    expect(handled.outcomeLabel.zh).toContain('督促');
  });

  it("another customer's token finds no such order (404), to chase or to read", async () => {
    expect((await chase(li, orderId)).statusCode).toBe(404);
    expect((await as(li, 'GET', `/status/${orderId}/chase-ups`)).statusCode).toBe(404);
    expect((await chase(zhang, 'HB00000000000000')).statusCode).toBe(404);
    // bad input is a problem naming the field
    const bad = await chase(zhang, orderId, { channel: 'fax' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('/channel');
    const notMine = await chase(zhang, orderId, { channel: 'customer-manager' });
    expect(notMine.statusCode).toBe(400);
    expect((notMine.json() as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe('/channel');
    expect((await chase(zhang, orderId, { note: 'x'.repeat(501) })).statusCode).toBe(400);
  });

  it('once the step moves on, counting starts again: the first chase-up of the new step does not escalate', async () => {
    const review = await waitForTaskOf(clerk, 'order-center', orderId, 'review-order');
    expect(
      (await as(clerk, 'POST', `/tasks/${review.key}/complete`, { variables: { reviewApproved: true, reviewNote: '资料齐全' } }))
        .statusCode,
    ).toBe(204);
    await waitForTaskOf(clerk, 'install-crew-urc-tianshan', orderId, 'make-appointment');
    await pause(FOLD_SECONDS * 1000 + 200);
    const next = (await chase(zhang, orderId)).json() as ChaseUp;
    expect(next).toMatchObject({ sequenceInStep: 1, escalation: null, step: { elementIds: ['make-appointment'] } });
    expect((await escalations(orderId)).length).toBe(2);
    const list = (await as(zhang, 'GET', `/status/${orderId}/chase-ups`)).json() as { total: number; inCurrentStep: number };
    expect(list).toMatchObject({ total: 4, inCurrentStep: 1 });
  });

  it("a customer manager chases a customer's fault ticket on their behalf; clerks outside that group may not; a closed order cannot be chased", async () => {
    const ticket = await as(zhang, 'POST', '/tmf-api/troubleTicket/v5/troubleTicket', faultTicket());
    expect(ticket.statusCode).toBe(201);
    ticketId = (ticket.json() as { id: string }).id;
    const [instance] = await platform.database.sql<{ key: string | null }[]>`
      select process_instance_key::text as key from trouble_ticket where id = ${ticketId}`;
    if (instance?.key) started.push(instance.key);
    // the ticket waits in its first user task (the monitoring center's, after the pre-diagnosis)
    await eventually(async () => {
      const [open] = await platform.database.sql<{ n: number }[]>`
        select count(*)::int as n from user_task where process_instance_key = ${instance!.key}::bigint and state = 'created'`;
      return open!.n > 0;
    });

    // clerk.response is in the customer-manager group
    const res = await chase(response, ticketId, { note: '客户来电催修' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      step: { holders: expect.arrayContaining([expect.any(String)]) as string[] },
      requestedBy: { name: '赵强 (客响中心)', role: 'customer-manager' },
      channel: 'customer-manager',
      channelLabel: { zh: '客户经理代催' },
      sequenceInStep: 1,
    });
    // the order center's clerk is not a customer manager
    const refused = await chase(clerk, ticketId);
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { detail: string }).detail).toContain('客户经理');
    // the customer sees the manager's chase-up among their own
    expect(((await as(zhang, 'GET', `/status/${ticketId}/chase-ups`)).json() as { total: number }).total).toBe(1);

    // a cancelled order is closed: nothing to chase
    const other = (await as(zhang, 'POST', '/orders', validOrder())).json() as { id: string };
    await waitForTaskOf(clerk, 'order-center', other.id, 'review-order');
    expect((await as(zhang, 'POST', `/orders/${other.id}/cancel`, { reason: '不需要了' })).statusCode).toBeLessThan(300);
    await eventually(async () => ((await as(zhang, 'GET', `/status/${other.id}`)).json() as StatusView).state === 'cancelled');
    const closed = await chase(zhang, other.id);
    expect(closed.statusCode).toBe(409);
    expect((closed.json() as { code: string }).code).toBe('CHASE_UP_CLOSED');
  });

  it('the KPIs give the chase-up rate per branch: orders and tickets chased, chase-ups, escalations', async () => {
    const res = await as(leader, 'GET', `/kpis/chase-ups?from=${encodeURIComponent(startedAt.toISOString())}`);
    expect(res.statusCode).toBe(200);
    const kpis = res.json() as ChaseUpKpis;
    const urumqi = kpis.branches.find((b) => b.branch === 'urumqi')!;
    // two orders and one ticket received; the first order and the ticket were chased
    expect(urumqi).toMatchObject({
      branchName: { zh: '乌鲁木齐分公司', en: 'Ürümqi branch' },
      subjects: 3,
      chasedSubjects: 2,
      rate: 0.667,
      chaseUps: 5,
      presses: 7,
      escalatedToBranch: 1,
      escalatedToRegion: 1,
    });
    expect(urumqi.perHundred).toBeCloseTo(166.7, 1);
    expect(kpis.total.chaseUps).toBe(5);
    // a branch filter, a clerk refused, a bad period refused naming the field
    expect(
      ((await as(leader, 'GET', `/kpis/chase-ups?branch=xian&from=${encodeURIComponent(startedAt.toISOString())}`)).json() as ChaseUpKpis)
        .total.chaseUps,
    ).toBe(0);
    expect((await as(clerk, 'GET', '/kpis/chase-ups')).statusCode).toBe(403);
    const bad = await as(leader, 'GET', '/kpis/chase-ups?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z');
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('to');
  });
  it('the new routes are documented: summary, tag, errors, a body example', async () => {
    const spec = platform.fastify.swagger() as unknown as {
      paths: Record<
        string,
        Record<string, { summary?: string; tags?: string[]; responses: Record<string, unknown>; requestBody?: unknown }>
      >;
      components: { schemas: Record<string, { example?: unknown }> };
    };
    for (const [path, method] of [
      ['/status/{id}/chase-ups', 'post'],
      ['/status/{id}/chase-ups', 'get'],
      ['/kpis/chase-ups', 'get'],
      ['/kpis/complaint-stats', 'get'],
    ] as const) {
      const op = spec.paths[path]?.[method];
      expect(op?.summary, `${method} ${path}`).toBeTruthy();
      expect(op?.tags?.length).toBeGreaterThan(0);
      expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    }
    expect(spec.components.schemas.ChaseUpRequest?.example).toEqual({ channel: 'tracking-page', note: '约好今天上门，到现在还没人联系' });
  });
  it("the follow-up worker run twice (a redelivered job) records the response center's first answer once", async () => {
    const [row] = await platform.database.sql<{ id: string; handled_at: Date | null }[]>`
      select id::text, handled_at from chase_up where subject_id = ${orderId} and sequence_in_step = 3 and handled_at is null`;
    expect(row).toBeDefined();
    const deps = createWorkerDependencies(platform.database.db);
    const job: JobContext = {
      key: '9007199254749001',
      type: 'record-chase-up-handling',
      processInstanceKey: '9007199254749000',
      elementInstanceKey: '9007199254749002',
      elementId: 'record-chase-up-handling',
      bpmnProcessId: 'chase-up-escalation',
      retries: 5,
      idempotencyKey: 'chase-up-escalation:record-chase-up-handling:9007199254749002',
    };
    const run = (note: string) =>
      recordChaseUpHandling.handler({
        variables: { chaseUp: { id: row!.id }, chaseUpOutcome: 'customer-informed', chaseUpNote: note },
        job,
        deps,
        log: silentLog,
      });
    await run('已向客户说明：今日内审核');
    await run('第二次投递');
    const [after] = await platform.database.sql<{ handling_note: string; handling_outcome: string }[]>`
      select handling_note, handling_outcome from chase_up where id = ${row!.id}`;
    expect(after).toEqual({ handling_note: '已向客户说明：今日内审核', handling_outcome: 'customer-informed' });
  });
  it('two presses at the same moment are numbered one after the other: one counted (201), one folded into it (200)', async () => {
    await pause(FOLD_SECONDS * 1000 + 200);
    const answers = await Promise.all([chase(zhang, ticketId, { channel: 'app' }), chase(response, ticketId)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 201]);
    const [a, b] = answers.map((r) => r.json() as ChaseUp);
    expect(a!.id).toBe(b!.id);
    // the ticket's second chase-up in its step: one escalation, not two
    expect((await escalations(ticketId)).map((e) => e.level)).toEqual(['branch']);
  });
});
