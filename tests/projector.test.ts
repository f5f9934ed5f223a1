import { readFileSync } from 'node:fs';
import net from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectDatabase, type Database } from '../db/client.ts';
import { createOperatonClient, numericKey, type ExternalTask } from '../engine/operaton.ts';
import { createOperatonClock } from '../engine/operaton-engine.ts';
import { startProjector, type Projector } from '../read-model/projector.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/operaton/${name}`, import.meta.url), 'utf8');
const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

async function eventually<T>(check: () => Promise<T | undefined | false>, { timeoutMs = 15_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A TCP relay to the database that a test can cut and restore: an outage for one client only. */
function databaseRelay(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  return {
    async open(port = 0): Promise<number> {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        const close = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', close).on('close', close);
        }
        client.pipe(upstream).pipe(client);
      });
      const listening = server;
      await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
      return (listening.address() as net.AddressInfo).port;
    },
    async cut() {
      for (const socket of sockets) socket.destroy();
      const closing = server;
      await new Promise((resolve) => (closing ? closing.close(resolve) : resolve(undefined)));
    },
  };
}

interface StageRow {
  key: string;
  elementId: string;
  type: string;
  name: string | null;
  flowScopeKey: string | null;
  state: string;
}

interface TaskRow {
  key: string;
  elementInstanceKey: string;
  elementId: string;
  name: string | null;
  candidateGroups: string[];
  assignee: string | null;
  formId: string | null;
  dueDate: string | null;
  priority: number;
  state: string;
  /** Timestamps come back as text (drizzle sets the pool's parsers so). */
  createdAt: string;
  variables: Record<string, unknown> | null;
}

describe('the read model, projected from the engine events of Operaton', () => {
  const engine = createOperatonClient({ baseUrl: inject('operatonUrl'), timeoutMs: 30_000 });
  const clock = createOperatonClock(inject('operatonUrl'));
  let database: Database;
  let projector: Projector;
  /** Where the projection stood before this suite deployed anything: the idempotency check replays from here. */
  let before: { tx_id: string; event_id: string } | undefined;
  const ordersCreated: string[] = [];

  const stages = async (instance: string) =>
    database.sql<StageRow[]>`
      select element_instance_key::text as key, element_id as "elementId", element_type as type, name,
             flow_scope_key::text as "flowScopeKey", state
      from instance_stage where process_instance_key = ${instance} order by started_at, element_instance_key`;
  const tasks = async (instance: string) =>
    database.sql<TaskRow[]>`
      select user_task_key::text as key, element_instance_key::text as "elementInstanceKey", element_id as "elementId", name,
             candidate_groups as "candidateGroups", assignee, form_id as "formId", due_date as "dueDate", priority, state,
             created_at as "createdAt", variables
      from user_task where process_instance_key = ${instance} order by user_task_key`;
  const variables = async (scope: string) =>
    Object.fromEntries(
      (await database.sql<{ name: string; value: unknown }[]>`select name, value from instance_variable where scope_key = ${scope}`).map(
        (v) => [v.name, v.value],
      ),
    );
  /** Locks the external task of one instance (by its business key: a task left by a failed test is let go again). */
  const lockOne = async (topic: string, businessKey: string): Promise<ExternalTask> =>
    eventually(async () => {
      const locked = await engine.fetchAndLock({
        workerId: 'projector-test',
        maxTasks: 5,
        asyncResponseTimeout: 1000,
        topics: [{ topicName: topic, lockDuration: 30_000 }],
      });
      for (const other of locked.filter((t) => t.businessKey !== businessKey)) await engine.unlockExternalTask(other.id);
      return locked.find((t) => t.businessKey === businessKey);
    });
  const start = (businessKey: string, level = 'group') =>
    engine.startProcess('test-projector-main', {
      businessKey,
      variables: {
        order: { customer: { level } },
        dispatch: { crewGroup: 'crew-north' },
        lines: [{ lineId: 'L1' }, { lineId: 'L2' }],
      },
    });
  /** Runs an instance until it waits at its review task. */
  const untilReview = async (businessKey: string) => {
    const instance = await start(businessKey);
    const check = await lockOne('test-projector-check', businessKey);
    expect(check.processInstanceId).toBe(instance.id);
    await engine.completeExternalTask(check.id, 'projector-test', { checked: true });
    const [task] = await eventually(async () => {
      const open = await engine.tasks({ processInstanceId: instance.id });
      return open.length ? open : undefined;
    });
    return { instance, task: task! };
  };

  beforeAll(async () => {
    database = connectDatabase(inject('databaseUrl'));
    [before] = await database.sql<{ tx_id: string; event_id: string }[]>`
      select tx_id::text, id::text as event_id from engine_event order by tx_id desc, id desc limit 1`;
    await engine.deploy('projector-tests', [
      { name: 'projector-main.bpmn', content: fixture('projector-main.bpmn') },
      { name: 'projector-child.bpmn', content: fixture('projector-child.bpmn') },
      { name: 'projector-review.form', content: fixture('projector-review.form') },
    ]);
    projector = startProjector({ database, log: silentLog, pollMs: 200 });
  });

  afterAll(async () => {
    await clock.reset().catch(() => {});
    await projector?.stop();
    if (ordersCreated.length) await database.sql`delete from orders where id in ${database.sql(ordersCreated)}`;
    await database?.close();
  });

  it('records each deployed process with its elements, and each form versioned per form id', async () => {
    await projector.catchUp();
    const [definition] = await database.sql<{ key: string; version: number; resourceName: string; xml: string }[]>`
      select process_definition_key::text as key, version, resource_name as "resourceName", xml
      from process_definition where bpmn_process_id = 'test-projector-main' order by version desc limit 1`;
    expect(definition).toMatchObject({ resourceName: 'projector-main.bpmn' });
    expect(definition!.xml).toContain('id="test-projector-main"');
    const elements = await database.sql<{ elementId: string; name: string | null; type: string; formId: string | null }[]>`
      select element_id as "elementId", name, element_type as type, form_id as "formId"
      from process_element where process_definition_key = ${definition!.key} order by element_id`;
    expect(elements).toEqual(
      expect.arrayContaining([
        { elementId: 'test-projector-main', name: 'Projector main (tests only)', type: 'Process', formId: null },
        { elementId: 'pm-review', name: 'Review', type: 'UserTask', formId: 'test-projector-review' },
        { elementId: 'pm-check', name: 'Check', type: 'ServiceTask', formId: null },
      ]),
    );
    const forms = await database.sql<{ version: number; schema: { id: string } }[]>`
      select version, schema from form where form_id = 'test-projector-review' order by version`;
    expect(forms.length).toBeGreaterThanOrEqual(1);
    expect(forms.map((f) => f.version)).toEqual(forms.map((_, i) => i + 1));
    expect(forms.at(-1)!.schema.id).toBe('test-projector-review');
  });

  it('shows a walked instance: its stages in order, its tasks with groups, priority, due date and form, its variables per scope', async () => {
    const { instance, task: review } = await untilReview(`PROJ-WALK-${Date.now()}`);
    await projector.catchUp();
    const [pi] = await database.sql<
      { definitionKey: string; processId: string; version: number; parent: string | null; root: string; state: string }[]
    >`
      select process_definition_key::text as "definitionKey", bpmn_process_id as "processId", version,
             parent_process_instance_key::text as parent, root_process_instance_key::text as root, state
      from process_instance where process_instance_key = ${instance.id}`;
    expect(pi).toMatchObject({
      definitionKey: numericKey(instance.definitionId),
      processId: 'test-projector-main',
      version: Number(instance.definitionId!.split(':')[1]),
      parent: null,
      root: instance.id,
      state: 'active',
    });

    const [task] = await tasks(instance.id);
    const reviewStage = (await stages(instance.id)).find((s) => s.elementId === 'pm-review');
    expect(task).toMatchObject({
      key: review.id,
      elementInstanceKey: reviewStage!.key,
      elementId: 'pm-review',
      name: 'Review',
      candidateGroups: ['crew-north'],
      assignee: null,
      formId: 'test-projector-review',
      priority: 90,
      state: 'created',
    });
    const dueInHours = (Date.parse(task!.dueDate!) - Date.parse(task!.createdAt)) / 3600_000;
    expect(dueInHours).toBeCloseTo(4, 1);
    expect(reviewStage).toMatchObject({ type: 'USER_TASK', state: 'active', flowScopeKey: instance.id });

    // Claimed in the engine: the assignee follows.
    await engine.claimTask(review.id, 'clerk-7');
    await projector.catchUp();
    expect((await tasks(instance.id))[0]!.assignee).toBe('clerk-7');

    await engine.completeTask(review.id, { reviewNote: 'fine' });
    const child = await lockOne('test-projector-child-work', instance.businessKey!);
    await engine.completeExternalTask(child.id, 'projector-test', { childResult: 'done' });
    const lineTasks = await eventually(async () => {
      const open = await engine.tasks({ processInstanceId: instance.id });
      return open.length === 2 ? open : undefined;
    });
    await projector.catchUp();

    // Each branch of the multi-instance sub-process has its own scope, where the branch's tasks find their line.
    const branchTasks = (await tasks(instance.id)).filter((t) => t.elementId === 'pm-line-work');
    expect(branchTasks).toHaveLength(2);
    const all = await stages(instance.id);
    const branchLines = [];
    for (const t of branchTasks) {
      expect(t).toMatchObject({ candidateGroups: ['line-crew'], priority: 50, formId: null, dueDate: null, state: 'created' });
      const stage = all.find((s) => s.key === t.elementInstanceKey)!;
      const branch = all.find((s) => s.key === stage.flowScopeKey)!;
      expect(branch).toMatchObject({ elementId: 'pm-lines', type: 'SUB_PROCESS', state: 'active' });
      const body = all.find((s) => s.key === branch.flowScopeKey)!;
      expect(body).toMatchObject({ elementId: 'pm-lines', type: 'MULTI_INSTANCE_BODY', name: 'Each line', flowScopeKey: instance.id });
      const local = await variables(branch.key);
      expect(local.line).toEqual({ lineId: local.lineId });
      branchLines.push(local.lineId);
    }
    expect(branchLines.sort()).toEqual(['L1', 'L2']);

    for (const t of lineTasks) await engine.completeTask(t.id, {});
    await eventually(async () => (await engine.processInstance(instance.id)) === undefined);
    await projector.catchUp();

    const walked = await stages(instance.id);
    expect(walked.filter((s) => s.flowScopeKey === instance.id).map((s) => [s.elementId, s.type, s.name, s.state])).toEqual([
      ['pm-start', 'START_EVENT', 'Received', 'completed'],
      ['pm-check', 'SERVICE_TASK', 'Check', 'completed'],
      ['pm-review', 'USER_TASK', 'Review', 'completed'],
      ['pm-call', 'CALL_ACTIVITY', 'Child work', 'completed'],
      ['pm-lines', 'MULTI_INSTANCE_BODY', 'Each line', 'completed'],
      ['pm-done', 'END_EVENT', 'Done', 'completed'],
    ]);
    // Gateways are not stages; each branch went start → work → end.
    expect(walked.some((s) => s.elementId === 'pm-route')).toBe(false);
    expect(walked.filter((s) => s.elementId === 'pm-line-work' && s.state === 'completed')).toHaveLength(2);
    expect(walked.filter((s) => s.elementId === 'pm-line-end' && s.type === 'END_EVENT')).toHaveLength(2);

    const [done] = await database.sql<{ state: string; endedAt: string | null }[]>`
      select state, ended_at as "endedAt" from process_instance where process_instance_key = ${instance.id}`;
    expect(done).toMatchObject({ state: 'completed' });
    expect(done!.endedAt).not.toBeNull();
    const reviewed = (await tasks(instance.id)).find((t) => t.key === review.id);
    expect(reviewed).toMatchObject({ state: 'completed', variables: { reviewNote: 'fine' } });
    expect((await tasks(instance.id)).every((t) => t.state === 'completed')).toBe(true);

    // The called instance: its parent and root, its own stages.
    const [called] = await database.sql<{ key: string; processId: string; parent: string; root: string; state: string }[]>`
      select process_instance_key::text as key, bpmn_process_id as "processId", parent_process_instance_key::text as parent,
             root_process_instance_key::text as root, state
      from process_instance where parent_process_instance_key = ${instance.id}`;
    expect(called).toMatchObject({ processId: 'test-projector-child', parent: instance.id, root: instance.id, state: 'completed' });
    expect((await stages(called!.key)).map((s) => s.elementId)).toEqual(['pc-start', 'pc-work', 'pc-end']);
    expect(await variables(called!.key)).toMatchObject({ order: { customer: { level: 'group' } }, childResult: 'done' });

    // Process-level variables at the instance, a service task's input mapping at its own stage.
    expect(await variables(instance.id)).toMatchObject({
      order: { customer: { level: 'group' } },
      dispatch: { crewGroup: 'crew-north' },
      lines: [{ lineId: 'L1' }, { lineId: 'L2' }],
      checked: true,
      reviewNote: 'fine',
      childResult: 'done',
    });
    const checkStage = walked.find((s) => s.elementId === 'pm-check')!;
    expect(await variables(checkStage.key)).toEqual({ checkLevel: 'group' });
  });

  it('records an incident when an external task fails without retries, with the external task id to retry it, and resolves it', async () => {
    const instance = await start(`PROJ-INCIDENT-${Date.now()}`);
    const check = await lockOne('test-projector-check', instance.businessKey!);
    await engine.externalTaskFailure(check.id, 'projector-test', {
      errorMessage: 'inventory down',
      errorDetails: 'trace',
      retries: 0,
      retryTimeout: 0,
    });
    const [engineIncident] = await eventually(async () => {
      const found = await engine.incidents({ processInstanceId: instance.id });
      return found.length ? found : undefined;
    });
    await projector.catchUp();
    const checkStage = (await stages(instance.id)).find((s) => s.elementId === 'pm-check')!;
    const incidentRow = async () =>
      (
        await database.sql<Record<string, unknown>[]>`
          select incident_key::text as key, element_instance_key::text as "elementInstanceKey", bpmn_process_id as "processId",
                 element_id as "elementId", error_type as "errorType", error_message as "errorMessage", job_key::text as "jobKey", state,
                 resolved_at as "resolvedAt"
          from incident where process_instance_key = ${instance.id}`
      )[0];
    expect(await incidentRow()).toMatchObject({
      key: engineIncident!.id,
      elementInstanceKey: checkStage.key,
      processId: 'test-projector-main',
      elementId: 'pm-check',
      errorType: 'failedExternalTask',
      errorMessage: 'inventory down',
      jobKey: check.id,
      state: 'active',
      resolvedAt: null,
    });

    // Retries given back (what the API's resolve does for an external task): the incident is resolved.
    await engine.setExternalTaskRetries(check.id, 1);
    await projector.catchUp();
    expect(await incidentRow()).toMatchObject({ state: 'resolved', resolvedAt: expect.any(String) });
    await engine.deleteProcessInstance(instance.id);
  });

  it('closes the order of a top-level instance cancelled from outside; the process’s own cancellation path closes nothing', async () => {
    const order = async (instanceId: string) => {
      const [row] = await database.sql<{ id: string }[]>`
        insert into orders (customer_name, customer_phone, customer_level, address, grid, product, state, process_instance_key)
        values ('测试用户', '13800000000', 'group', '测试地址', 'urumqi-01', '{}'::jsonb, 'inProgress', ${instanceId}) returning id`;
      ordersCreated.push(row!.id);
      return row!.id;
    };
    const orderState = async (id: string) =>
      (
        await database.sql<{ state: string; stateReason: string | null }[]>`
        select state, state_reason as "stateReason" from orders where id = ${id}`
      )[0];

    // A process owner deletes the instance while its called process works.
    const { instance: deleted, task } = await untilReview(`PROJ-DELETE-${Date.now()}`);
    const deletedOrder = await order(deleted.id);
    await engine.completeTask(task.id, {});
    await lockOne('test-projector-child-work', deleted.businessKey!);
    expect(await engine.deleteProcessInstance(deleted.id)).toBe('cancelled');
    await projector.catchUp();
    expect(await orderState(deletedOrder)).toEqual({ state: 'cancelled', stateReason: 'Process instance cancelled by a process owner' });
    const [row] = await database.sql<{ state: string }[]>`select state from process_instance where process_instance_key = ${deleted.id}`;
    expect(row!.state).toBe('terminated');
    expect((await stages(deleted.id)).find((s) => s.elementId === 'pm-call')).toMatchObject({ state: 'terminated' });
    const [child] = await database.sql<{ state: string }[]>`
      select state from process_instance where parent_process_instance_key = ${deleted.id}`;
    expect(child!.state).toBe('terminated');

    // The customer cancels: the message event sub-process ends the instance normally.
    const { instance: withdrawn } = await untilReview(`PROJ-WITHDRAW-${Date.now()}`);
    const withdrawnOrder = await order(withdrawn.id);
    expect(await engine.correlateMessage({ messageName: 'projector-cancel', businessKey: withdrawn.businessKey! })).toBe('correlated');
    await projector.catchUp();
    expect(await orderState(withdrawnOrder)).toEqual({ state: 'inProgress', stateReason: null });
    const timeline = await stages(withdrawn.id);
    expect(timeline.find((s) => s.elementId === 'pm-review')).toMatchObject({ state: 'terminated' });
    expect(timeline.slice(-3).map((s) => [s.elementId, s.type, s.state])).toEqual([
      ['pm-cancellation', 'EVENT_SUB_PROCESS', 'completed'],
      ['pm-cancel-requested', 'START_EVENT', 'completed'],
      ['pm-cancelled', 'END_EVENT', 'completed'],
    ]);
    expect((await tasks(withdrawn.id))[0]).toMatchObject({ state: 'canceled', variables: null });
    const [ended] = await database.sql<
      { state: string }[]
    >`select state from process_instance where process_instance_key = ${withdrawn.id}`;
    expect(ended!.state).toBe('completed');
  });

  it('ends a review as cancelled when its timer boundary fires, and shows the boundary event as a stage', async () => {
    const { instance, task } = await untilReview(`PROJ-LATE-${Date.now()}`);
    await clock.advance(9 * 3600_000);
    await eventually(async () => (await engine.processInstance(instance.id)) === undefined);
    await clock.reset();
    await projector.catchUp();
    expect((await tasks(instance.id)).find((t) => t.key === task.id)).toMatchObject({ state: 'canceled' });
    expect((await stages(instance.id)).slice(-3).map((s) => [s.elementId, s.type, s.state])).toEqual([
      ['pm-review', 'USER_TASK', 'terminated'],
      ['pm-review-late', 'BOUNDARY_EVENT', 'completed'],
      ['pm-late-end', 'END_EVENT', 'completed'],
    ]);
  });

  it('gives the diagram overlays what they need without engine_record: element states, taken flows, called instances', async () => {
    const { instance, task } = await untilReview(`PROJ-OVERLAY-${Date.now()}`);
    await engine.completeTask(task.id, {});
    await lockOne('test-projector-child-work', instance.businessKey!);
    await projector.catchUp();

    // The queries api/domain/processes/repository.ts is to use (see read-model/README.md).
    const elements = await database.sql<{ elementId: string; type: string; completed: number; active: number; terminated: number }[]>`
      with started as (
        select e.id, e.payload->>'activityInstanceId' as aid, regexp_replace(e.payload->>'activityId', '#multiInstanceBody$', '') as element_id,
               e.payload->>'activityType' as activity_type, coalesce((e.payload->>'startTime')::timestamptz, (e.payload->>'at')::timestamptz) as started_at
        from engine_event e
        where e.process_instance_id = ${instance.id} and e.kind = 'activity-instance' and e.event_type = 'start'
          and e.payload->>'activityType' <> 'multiInstanceBody'
      ), ended as (
        select e.payload->>'activityInstanceId' as aid, (e.payload->>'canceled')::boolean as canceled
        from engine_event e where e.process_instance_id = ${instance.id} and e.kind = 'activity-instance' and e.event_type = 'end'
      )
      select a.element_id as "elementId",
             min(coalesce(s.element_type, upper(regexp_replace(a.activity_type, '([a-z])([A-Z])', '\\1_\\2', 'g')))) as type,
             count(*) filter (where not e.canceled)::int as completed, count(*) filter (where e.aid is null)::int as active,
             count(*) filter (where e.canceled)::int as terminated
      from started a
      left join ended e on e.aid = a.aid
      left join instance_stage s on s.element_instance_key = substring(a.aid from '[0-9]+$')::bigint
      group by a.element_id order by min(a.started_at), min(a.id)`;
    expect(elements.map((e) => [e.elementId, e.type, e.completed, e.active, e.terminated])).toEqual([
      ['pm-start', 'START_EVENT', 1, 0, 0],
      ['pm-check', 'SERVICE_TASK', 1, 0, 0],
      ['pm-review', 'USER_TASK', 1, 0, 0],
      ['pm-route', 'EXCLUSIVE_GATEWAY', 1, 0, 0],
      ['pm-call', 'CALL_ACTIVITY', 0, 1, 0],
    ]);

    const flows = await database.sql<{ id: string }[]>`
      with acts as (
        select e.tx_id, e.id, e.event_type, regexp_replace(e.payload->>'activityId', '#multiInstanceBody$', '') as activity_id,
               coalesce((e.payload->>'canceled')::boolean, false) as canceled
        from engine_event e
        where e.process_instance_id = ${instance.id} and e.kind = 'activity-instance' and e.event_type in ('start', 'end')
      ), flows as (
        select (xpath('/*/@id', f))[1]::text as id, (xpath('/*/@sourceRef', f))[1]::text as source, (xpath('/*/@targetRef', f))[1]::text as target
        from process_instance pi
        join process_definition d on d.process_definition_key = pi.process_definition_key
        cross join unnest(xpath('//bpmn:sequenceFlow', d.xml::xml, array[array['bpmn', ${BPMN_NS}]])) f
        where pi.process_instance_key = ${instance.id}
      )
      select f.id from flows f
      where exists (
        select 1 from acts s join acts t on t.activity_id = f.target and t.event_type = 'start' and (t.tx_id, t.id) > (s.tx_id, s.id)
        where s.activity_id = f.source and s.event_type = 'end' and not s.canceled)
      order by f.id`;
    expect(flows.map((f) => f.id)).toEqual(['pm-f1', 'pm-f2', 'pm-f3', 'pm-f4']);

    const called = await database.sql<{ elementId: string; processId: string; state: string }[]>`
      select coalesce(s.element_id, '') as "elementId", c.process_instance_key::text as key, c.bpmn_process_id as "processId", c.state
      from process_instance c
      left join lateral (
        select regexp_replace(e.payload->>'activityId', '#multiInstanceBody$', '') as element_id from engine_event e
        where e.process_instance_id = ${instance.id} and e.kind = 'activity-instance'
          and e.payload->>'calledProcessInstanceId' = c.process_instance_key::text
        limit 1
      ) s on true
      where c.parent_process_instance_key = ${instance.id} order by c.started_at`;
    expect(called).toEqual([expect.objectContaining({ elementId: 'pm-call', processId: 'test-projector-child', state: 'active' })]);
    await engine.deleteProcessInstance(instance.id);
  });

  it('applies everything again from an earlier checkpoint without changing anything', async () => {
    await projector.catchUp();
    const snapshot = async () => ({
      instances: await database.sql`select * from process_instance order by process_instance_key`,
      stages: await database.sql`select * from instance_stage order by element_instance_key`,
      tasks: await database.sql`select * from user_task order by user_task_key`,
      variables: await database.sql`select * from instance_variable order by scope_key, name`,
      incidents: await database.sql`select * from incident order by incident_key`,
      definitions: await database.sql`select * from process_definition order by process_definition_key`,
      elements: await database.sql`select * from process_element order by process_definition_key, element_id`,
      forms: await database.sql`select * from form order by form_key`,
      orders: await database.sql`select * from orders order by id`,
    });
    const first = await snapshot();
    await projector.stop();
    if (before) {
      await database.sql`update engine_event_checkpoint set tx_id = ${before.tx_id}::xid8, event_id = ${before.event_id} where projection = 'read-model'`;
    } else {
      await database.sql`delete from engine_event_checkpoint where projection = 'read-model'`;
    }
    projector = startProjector({ database, log: silentLog, pollMs: 200 });
    await projector.catchUp();
    expect(await snapshot()).toEqual(first);
  });

  it('catches up after a stop, from where it stopped', async () => {
    await projector.catchUp();
    await projector.stop();
    const [stoppedAt] = await database.sql<{ event_id: string }[]>`
      select event_id::text from engine_event_checkpoint where projection = 'read-model'`;
    const { instance, task } = await untilReview(`PROJ-RESTART-${Date.now()}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(await stages(instance.id)).toEqual([]);

    projector = startProjector({ database, log: silentLog, pollMs: 200 });
    await projector.catchUp();
    expect((await stages(instance.id)).map((s) => s.elementId)).toEqual(['pm-start', 'pm-check', 'pm-review']);
    expect((await tasks(instance.id)).map((t) => t.key)).toEqual([task.id]);
    const [now] = await database.sql<
      { event_id: string }[]
    >`select event_id::text from engine_event_checkpoint where projection = 'read-model'`;
    expect(Number(now!.event_id)).toBeGreaterThan(Number(stoppedAt!.event_id));
    await engine.deleteProcessInstance(instance.id);
  });

  it('survives a database outage: it retries with back-off, never throws, and catches up when the database is back', async () => {
    await projector.catchUp();
    await projector.stop();
    const url = new URL(inject('databaseUrl'));
    const relay = databaseRelay({ host: url.hostname, port: Number(url.port || 5432) });
    const port = await relay.open();
    const relayed = new URL(url);
    relayed.host = `127.0.0.1:${port}`;
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const remote = connectDatabase(relayed.toString(), { max: 2 });
    const cutOff = startProjector({ database: remote, log, pollMs: 100 });
    try {
      await cutOff.catchUp();
      await relay.cut();
      const { instance, task } = await untilReview(`PROJ-OUTAGE-${Date.now()}`);
      await expect(cutOff.catchUp()).resolves.toBe(0);
      await new Promise((r) => setTimeout(r, 1000));
      expect(warnings.some((w) => w.includes('read-model projection failed'))).toBe(true);
      expect(await stages(instance.id)).toEqual([]);

      await relay.open(port);
      // Nobody calls catchUp: its own retries find the database again.
      await eventually(async () => (await tasks(instance.id)).length === 1, { timeoutMs: 20_000 });
      expect((await stages(instance.id)).map((s) => s.elementId)).toEqual(['pm-start', 'pm-check', 'pm-review']);
      await engine.completeTask(task.id, {});
      await eventually(async () => (await tasks(instance.id))[0]?.state === 'completed');
      await engine.deleteProcessInstance(instance.id);
    } finally {
      await cutOff.stop();
      await remote.close();
      await relay.cut();
      projector = startProjector({ database, log: silentLog, pollMs: 200 });
    }
  });

  it('shows a new task in the read model within milliseconds of the engine command that created it', async () => {
    await projector.catchUp();
    const samples: { sinceCommandMs: number; sinceAnswerMs: number }[] = [];
    for (let i = 0; i < 15; i++) {
      const instance = await start(`PROJ-LATENCY-${Date.now()}-${i}`);
      const check = await lockOne('test-projector-check', instance.businessKey!);
      const sent = performance.now();
      await engine.completeExternalTask(check.id, 'projector-test', {});
      const answered = performance.now();
      await eventually(
        async () => {
          const [row] = await database.sql`select 1 from user_task where process_instance_key = ${instance.id}`;
          return row !== undefined;
        },
        { timeoutMs: 5000, intervalMs: 2 },
      );
      const seen = performance.now();
      samples.push({ sinceCommandMs: seen - sent, sinceAnswerMs: seen - answered });
      await engine.deleteProcessInstance(instance.id);
    }
    const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;
    const report = {
      commandToReadModelP50Ms: Math.round(p50(samples.map((s) => s.sinceCommandMs))),
      commandToReadModelP90Ms: Math.round(p90(samples.map((s) => s.sinceCommandMs))),
      answerToReadModelP50Ms: Math.round(p50(samples.map((s) => s.sinceAnswerMs))),
    };
    console.log(`[projector latency] ${JSON.stringify(report)}`);
    expect(report.answerToReadModelP50Ms).toBeLessThan(500);
  });
});
