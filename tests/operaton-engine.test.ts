import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectDatabase, type Database } from '../db/client.ts';
import { createOperatonClient, fromVariableDtos, toVariableDto, type ExternalTask } from '../engine/operaton.ts';
import { createOperatonClock } from '../engine/operaton-engine.ts';
import { eventually } from './support/platform.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/operaton/${name}`, import.meta.url), 'utf8');

interface EventRow {
  kind: string;
  event_type: string;
  payload: Record<string, unknown>;
}

describe('our Operaton engine app', () => {
  const engine = createOperatonClient({ baseUrl: inject('operatonUrl') });
  const clock = createOperatonClock(inject('operatonUrl'));
  let database: Database;
  const events = async (processInstanceId: string) =>
    database.sql<
      EventRow[]
    >`select kind, event_type, payload from engine_event where process_instance_id = ${processInstanceId} order by tx_id, id`;
  const lockProbeWork = async (): Promise<ExternalTask> => {
    const [task] = await eventually(async () => {
      const tasks = await engine.fetchAndLock({
        workerId: 'engine-test',
        maxTasks: 1,
        asyncResponseTimeout: 2000,
        topics: [{ topicName: 'test-probe-work', lockDuration: 10_000 }],
      });
      return tasks.length ? tasks : undefined;
    });
    return task!;
  };
  const runUntilTimer = async (wait: string) => {
    const instance = await engine.startProcess('test-engine-probe', {
      businessKey: `PROBE-${Date.now()}`,
      variables: { order: { customer: { level: 'group' } }, dispatch: { crewGroup: 'crew-probe' }, wait },
    });
    const work = await lockProbeWork();
    await engine.completeExternalTask(work.id, 'engine-test', { port: { olt: 'OLT-1', n: 3 } });
    const [task] = await engine.tasks({ processInstanceId: instance.id });
    await engine.completeTask(task!.id, {});
    expect(await engine.correlateMessage({ messageName: 'probe-go', businessKey: instance.businessKey! })).toBe('correlated');
    return instance;
  };

  beforeAll(async () => {
    database = connectDatabase(inject('databaseUrl'));
    await engine.deploy('engine-tests', [
      { name: 'engine-probe.bpmn', content: fixture('engine-probe.bpmn') },
      { name: 'broken-expression.bpmn', content: fixture('broken-expression.bpmn') },
    ]);
  });
  afterAll(async () => {
    await clock.reset().catch(() => {});
    await database?.close();
  });

  it('keeps its tables in the schema operaton, apart from ours, with numeric ids that fit our bigint keys', async () => {
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from information_schema.tables where table_schema = 'operaton' and table_name like 'act_%'`;
    expect(row!.n).toBeGreaterThan(40);
    const [ours] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name like 'act_%'`;
    expect(ours!.n).toBe(0);
    const instance = await engine.startProcess('test-engine-probe', {
      variables: { order: { customer: { level: 'local-c' } }, dispatch: { crewGroup: 'crew-probe' }, wait: 'PT1H' },
    });
    expect(instance.id).toMatch(/^\d+$/);
    await engine.deleteProcessInstance(instance.id);
  });

  it('stores JSON objects as variables that expressions read as maps: candidate group, priority and due date of a user task', async () => {
    const instance = await engine.startProcess('test-engine-probe', {
      businessKey: 'PROBE-JSON',
      variables: { order: { customer: { level: 'group' }, tags: ['a', 'b'] }, dispatch: { crewGroup: 'crew-probe' }, wait: 'PT1H' },
    });
    const work = await lockProbeWork();
    expect(work.businessKey).toBe('PROBE-JSON');
    expect(fromVariableDtos(work.variables)).toMatchObject({ order: { customer: { level: 'group' }, tags: ['a', 'b'] } });
    await engine.completeExternalTask(work.id, 'engine-test', { port: { olt: 'OLT-1', n: 3 } });

    const [task] = await engine.tasks({ processInstanceId: instance.id });
    expect(task).toMatchObject({ name: '探针审核', priority: 90, taskDefinitionKey: 'probe-review' });
    const dueInHours = (Date.parse(task!.due!) - Date.parse(task!.created!)) / 3600_000;
    expect(dueInHours).toBeCloseTo(4, 1);
    expect((await engine.tasks({ candidateGroup: 'crew-probe', processInstanceId: instance.id })).map((t) => t.id)).toEqual([task!.id]);
    expect(await engine.variables(instance.id)).toMatchObject({ port: { olt: 'OLT-1', n: 3 } });
    await engine.deleteProcessInstance(instance.id);
  });

  it('records every stage, task, candidate group and variable in engine_event in the same transaction, in order', async () => {
    const instance = await runUntilTimer('PT1S');
    await eventually(async () => (await engine.processInstance(instance.id)) === undefined);
    const rows = await events(instance.id);
    const stages = rows.filter((r) => r.kind === 'activity-instance' && r.event_type === 'start').map((r) => r.payload.activityId);
    expect(stages).toEqual(['probe-start', 'probe-work', 'probe-review', 'probe-go', 'probe-wait', 'probe-route', 'probe-end-group']);
    expect(rows.at(-1)).toMatchObject({
      kind: 'process-instance',
      event_type: 'end',
      payload: { state: 'COMPLETED', businessKey: instance.businessKey },
    });
    const created = rows.find((r) => r.kind === 'task' && r.event_type === 'create');
    expect(created?.payload).toMatchObject({ name: '探针审核', priority: 90, taskDefinitionKey: 'probe-review' });
    const port = rows.find((r) => r.kind === 'variable' && r.payload.name === 'port');
    expect(port?.payload).toMatchObject({ value: { olt: 'OLT-1', n: 3 }, serializer: 'telecom-json' });
    // candidate groups are logged against the task
    const [link] = await database.sql<{ group_id: string }[]>`
      select payload->>'groupId' as group_id from engine_event where kind = 'identity-link' and payload->>'taskId' = ${String(created!.payload.taskId)}`;
    expect(link?.group_id).toBe('crew-probe');
  });

  it('records nothing for a command the engine rolls back (a start that fails in an expression)', async () => {
    const before = await database.sql<{ n: number }[]>`select count(*)::int as n from engine_event`;
    await expect(engine.startProcess('test-broken-expression')).rejects.toThrow(/missing|Unknown property|cannot resolve/i);
    const after = await database.sql<{ n: number }[]>`select count(*)::int as n from engine_event`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('fires a timer due in 2 seconds within 1 second of its due time', async () => {
    const instance = await runUntilTimer('PT2S');
    const [armed] = await database.sql<{ at: string }[]>`
      select payload->>'at' as at from engine_event
      where process_instance_id = ${instance.id} and kind = 'activity-instance' and event_type = 'start' and payload->>'activityId' = 'probe-wait'`;
    const fired = await eventually(
      async () => {
        const [row] = await database.sql<{ at: string }[]>`
          select payload->>'at' as at from engine_event
          where process_instance_id = ${instance.id} and kind = 'activity-instance' and event_type = 'end' and payload->>'activityId' = 'probe-wait'`;
        return row;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const lateMs = Date.parse(fired.at) - (Date.parse(armed!.at) + 2000);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThanOrEqual(1000);
  });

  it('fires a two-day timer as soon as the test clock is moved forward, without waiting', async () => {
    const instance = await runUntilTimer('P2D');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await engine.processInstance(instance.id)).toBeDefined();
    await clock.advance(2 * 24 * 3600_000 + 1000);
    await eventually(async () => (await engine.processInstance(instance.id)) === undefined, { timeoutMs: 10_000 });
    await clock.reset();
  });

  it('keeps no message for later: a message nothing waits for is reported, not buffered', async () => {
    expect(await engine.correlateMessage({ messageName: 'probe-go', businessKey: 'NOBODY-WAITS' })).toBe('no-match');
  });

  it('carries plain values as the REST API types them', () => {
    expect(toVariableDto('文本')).toEqual({ type: 'String', value: '文本' });
    expect(toVariableDto(42)).toEqual({ type: 'Integer', value: 42 });
    expect(toVariableDto(2 ** 40)).toEqual({ type: 'Long', value: 2 ** 40 });
    expect(toVariableDto(1.5)).toEqual({ type: 'Double', value: 1.5 });
    expect(toVariableDto(null)).toEqual({ type: 'Null', value: null });
    expect(toVariableDto([1])).toMatchObject({ type: 'Object', value: '[1]', valueInfo: { objectTypeName: 'java.util.List' } });
  });
});
