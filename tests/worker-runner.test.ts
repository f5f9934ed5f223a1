import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request as forward, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { connectDatabase, type Database } from '../db/client.ts';
import { createOperatonClient, numericKey, type OperatonClient } from '../engine/operaton.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import { BusinessError, defineJob, PermanentJobError, type JobContext, type JobDefinition } from '../workers/job-definition.ts';
import { retryBackoffMs, startWorkers, type RunningWorkers } from '../workers/runner.ts';
import { eventually, silentLog } from './support/platform.ts';
import { createProbeTables, deliveriesOf, dropProbeTables, effectsOf, sideEffectJob } from './support/worker-probes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => readFileSync(new URL(`./fixtures/operaton/${name}`, import.meta.url), 'utf8');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PROCESSES = [
  'test-worker-outcomes',
  'test-worker-refused-completion',
  'test-worker-busy-engine',
  'test-worker-killed',
  'test-worker-long',
  'test-worker-stop',
  'test-worker-pickup',
];

/** The outcome probe's handler does what the instance's `mode` variable says. */
const OutcomeInputSchema = z.object({ subjectId: z.string(), mode: z.enum(['fine', 'refuse', 'flaky', 'broken']) });

describe('the workers run Operaton external tasks through their definitions', () => {
  const operatonUrl = inject('operatonUrl');
  const engine = createOperatonClient({ baseUrl: operatonUrl });
  let database: Database;
  const runners: RunningWorkers[] = [];
  const children: ChildProcess[] = [];
  const run = (definitions: JobDefinition[], options: { workerName?: string; pollTimeoutMs?: number; via?: OperatonClient } = {}) => {
    const runner = startWorkers({
      engine: options.via ?? engine,
      deps: createWorkerDependencies(database.db),
      log: silentLog,
      definitions,
      workerName: options.workerName,
      pollTimeoutMs: options.pollTimeoutMs,
    });
    runners.push(runner);
    return runner;
  };
  const ended = async (processInstanceId: string) => (await engine.processInstance(processInstanceId)) === undefined;
  const lockOf = async (processInstanceId: string) => {
    const [task] = await engine.externalTasks({ processInstanceId });
    return { workerId: task?.workerId ?? null, lockExpiresAt: task?.lockExpirationTime ? Date.parse(task.lockExpirationTime) : null };
  };

  beforeAll(async () => {
    database = connectDatabase(inject('databaseUrl'), { max: 4 });
    await createProbeTables(database.sql);
    await engine.deploy('worker-runner-tests', [
      { name: 'worker-outcomes.bpmn', content: fixture('worker-outcomes.bpmn') },
      { name: 'worker-steps.bpmn', content: fixture('worker-steps.bpmn') },
    ]);
    // Instances an interrupted run left behind would hand their tasks to these workers.
    for (const key of PROCESSES)
      for (const left of await engine.processInstances({ processDefinitionKey: key })) await engine.deleteProcessInstance(left.id);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    for (const key of PROCESSES)
      for (const left of await engine.processInstances({ processDefinitionKey: key })) await engine.deleteProcessInstance(left.id);
    await dropProbeTables(database.sql);
    await database?.close();
  });

  describe('every task ends in exactly one action', () => {
    const attempts: { mode: string; job: JobContext; startedAt: number; failedAt?: number }[] = [];
    const outcome = defineJob({
      type: 'test-worker-outcome',
      description: 'test: ends as its instance says',
      input: OutcomeInputSchema,
      output: z.object({ verdict: z.string(), checkedSubject: z.string() }),
      async handler({ variables, job }) {
        const attempt: (typeof attempts)[number] = { mode: variables.mode, job, startedAt: Date.now() };
        attempts.push(attempt);
        if (variables.mode === 'refuse') throw new BusinessError('TEST_REFUSED', 'no free port in the grid', { refusalReason: 'no-port' });
        if (variables.mode === 'broken') throw new PermanentJobError('the order names a product that does not exist');
        if (variables.mode === 'flaky') {
          attempt.failedAt = Date.now();
          throw new Error('inventory timed out');
        }
        return { verdict: 'fine', checkedSubject: variables.subjectId };
      },
    });
    const start = (mode: string) =>
      engine.startProcess('test-worker-outcomes', { businessKey: `WR-${mode}-${Date.now()}`, variables: { orderId: `ORD-${mode}`, mode } });
    // One worker for these cases, whose log we keep. (A worker stopped between cases would leave its
    // aborted long poll pending in the engine, which could lock the next case's task for a minute.)
    const lines: Record<string, unknown>[] = [];
    let worker: RunningWorkers | undefined;
    beforeAll(() => {
      const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
      worker = startWorkers({ engine, deps: createWorkerDependencies(database.db), log, definitions: [outcome] });
    });
    afterAll(() => worker?.stop());

    it('a task is completed by its handler, which sees the engine identity of the task, and its output is set on the process', async () => {
      // when an order's task comes
      const instance = await start('fine');
      const [review] = await eventually(async () => {
        const tasks = await engine.tasks({ processInstanceId: instance.id });
        return tasks.length ? tasks : undefined;
      });

      // then the process went on with the handler's output as process variables (the input mapping's local variable stays local)
      expect(review).toMatchObject({ taskDefinitionKey: 'outcome-review' });
      const variables = await engine.variables(instance.id);
      expect(variables).toMatchObject({ verdict: 'fine', checkedSubject: 'ORD-fine' });
      expect(variables).not.toHaveProperty('subjectId');
      // and the handler knew the task as the engine does
      const attempt = attempts.find((a) => a.job.processInstanceKey === instance.id)!;
      const [started] = await database.sql<{ activity_instance_id: string }[]>`
        select payload->>'activityInstanceId' as activity_instance_id from engine_event
        where process_instance_id = ${instance.id} and kind = 'activity-instance' and event_type = 'start' and payload->>'activityId' = 'outcome-work'`;
      expect(attempt.job).toEqual({
        key: expect.stringMatching(/^\d+$/),
        type: 'test-worker-outcome',
        processInstanceKey: instance.id,
        elementInstanceKey: numericKey(started!.activity_instance_id),
        elementId: 'outcome-work',
        bpmnProcessId: 'test-worker-outcomes',
        retries: 2,
        idempotencyKey: `test-worker-outcomes:outcome-work:${numericKey(started!.activity_instance_id)}`,
      });
      // and its log lines say which task, instance and business object they are about
      expect(lines.find((l) => l.msg === 'task completed' && l.processInstanceId === instance.id)).toMatchObject({
        topic: 'test-worker-outcome',
        externalTaskId: attempt.job.key,
        processInstanceId: instance.id,
        businessKey: instance.businessKey,
      });
    });

    it('a business refusal takes the BPMN error boundary, with the variables it names', async () => {
      const instance = await start('refuse');
      const [task] = await eventually(async () => {
        const tasks = await engine.tasks({ processInstanceId: instance.id });
        return tasks.length ? tasks : undefined;
      });
      expect(task).toMatchObject({ taskDefinitionKey: 'outcome-refusal-review' });
      expect(await engine.variables(instance.id)).toMatchObject({ refusalReason: 'no-port' });
      expect(await engine.incidents({ processInstanceId: instance.id })).toEqual([]);
    });

    it('transient trouble is retried after its back-off, not before, and raises an incident when the service task’s retries (its `retries` property: 2) run out', async () => {
      // given a handler that fails every time for this instance
      const instance = await start('flaky');

      // then an incident appears, with the handler's message, after two attempts
      const [incident] = await eventually(
        async () => {
          const incidents = await engine.incidents({ processInstanceId: instance.id });
          return incidents.length ? incidents : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(incident).toMatchObject({
        incidentType: 'failedExternalTask',
        activityId: 'outcome-work',
        incidentMessage: 'inventory timed out',
      });
      const tries = attempts.filter((a) => a.job.processInstanceKey === instance.id);
      expect(tries.map((t) => t.job.retries)).toEqual([2, 1]);
      expect(incident!.configuration).toBe(tries[0]!.job.key);
      // and the second attempt came after the retry timeout of the first failure (2 s), and soon after it
      const gap = tries[1]!.startedAt - tries[0]!.failedAt!;
      expect(gap).toBeGreaterThanOrEqual(retryBackoffMs(1));
      expect(gap).toBeLessThan(retryBackoffMs(1) + 2_500);
      await sleep(500);
      expect(attempts.filter((a) => a.job.processInstanceKey === instance.id)).toHaveLength(2);
    });

    it('a handler that cannot succeed (PermanentJobError) raises an incident at once, without retries', async () => {
      const instance = await start('broken');
      const [incident] = await eventually(async () => {
        const incidents = await engine.incidents({ processInstanceId: instance.id });
        return incidents.length ? incidents : undefined;
      });
      expect(incident).toMatchObject({
        incidentType: 'failedExternalTask',
        incidentMessage: 'the order names a product that does not exist',
      });
      expect(attempts.filter((a) => a.job.processInstanceKey === instance.id)).toHaveLength(1);
    });
  });

  it('a completion the engine refuses for good (the next step’s condition fails) becomes an incident with its reason, not a task that comes back forever', async () => {
    let runs = 0;
    const work = defineJob({
      type: 'test-worker-refused-completion',
      description: 'test: completes without the variable the next step needs',
      input: z.looseObject({}),
      output: z.object({}),
      handler: async () => {
        runs++;
        return {};
      },
    });
    run([work]);
    const instance = await engine.startProcess('test-worker-refused-completion', { businessKey: `WR-REFUSED-${Date.now()}` });
    const [incident] = await eventually(async () => {
      const incidents = await engine.incidents({ processInstanceId: instance.id });
      return incidents.length ? incidents : undefined;
    });
    expect(incident).toMatchObject({ incidentType: 'failedExternalTask', activityId: 'refused-completion-work' });
    expect(incident!.incidentMessage).toMatch(
      /the engine refused complete: .*Unknown property used in expression: \$\{routeTo == 'review'\}/,
    );
    expect(runs).toBe(1);
  });

  it('a busy engine (fetchAndLock answered 500, a dropped connection, a completion answered 503) does not stop the worker', async () => {
    // given the engine behind a proxy that fails the first three polls with the engine's own 500, drops the fourth, and answers 503 to the first completion
    const proxy = await faultyProxy(operatonUrl, (path, n) => {
      if (path.endsWith('/external-task/fetchAndLock') && n <= 3) return 500;
      if (path.endsWith('/external-task/fetchAndLock') && n === 4) return 'drop';
      if (path.endsWith('/complete') && n === 1) return 503;
      return 'forward';
    });
    try {
      const handled: string[] = [];
      const work = defineJob({
        type: 'test-worker-busy-engine',
        description: 'test: completes at once',
        input: z.looseObject({}),
        output: z.object({ done: z.boolean() }),
        handler: async ({ job }) => {
          handled.push(job.processInstanceKey);
          return { done: true };
        },
      });
      const first = await engine.startProcess('test-worker-busy-engine', { businessKey: `WR-BUSY-${Date.now()}` });
      run([work], { via: createOperatonClient({ baseUrl: proxy.url }) });

      // then the task is done once the engine answers again
      await eventually(() => ended(first.id), { timeoutMs: 15_000 });
      expect(proxy.faults).toEqual({ 500: 3, drop: 1, 503: 1 });
      // and the worker still works the tasks that come afterwards
      const second = await engine.startProcess('test-worker-busy-engine', { businessKey: `WR-BUSY-${Date.now()}` });
      await eventually(() => ended(second.id), { timeoutMs: 5_000 });
      expect(handled).toEqual([first.id, second.id]);
    } finally {
      await proxy.close();
    }
  });

  it('a worker killed while it holds a lock: the task comes again after the lock expires, and its side effect happens once', async () => {
    // given a worker process (2 s locks) in the middle of a handler that has done its side effect
    const topic = 'test-worker-killed';
    const instance = await engine.startProcess('test-worker-killed', { businessKey: `WR-KILL-${Date.now()}` });
    const child = spawn(`${root}node_modules/.bin/node`, ['tests/support/worker-child.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ENGINE_URL: operatonUrl,
        DATABASE_URL: inject('databaseUrl'),
        WORKER_NAME: 'killed-worker',
        TOPIC: topic,
        LOCK_MS: '2000',
        WORK_MS: '600000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/^started \d+$/m.test(out)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the worker exited (${code}) before its handler started`)));
      setTimeout(() => reject(new Error('the worker did not start its handler within 30 s')), 30_000);
    });
    const held = await lockOf(instance.id);
    expect(held.workerId).toBe('killed-worker');

    // when it is killed, and another worker polls the topic (short polls: Operaton's long poll is not woken by a lock expiring)
    child.kill('SIGKILL');
    run([sideEffectJob({ sql: database.sql, topic, worker: 'replacement-worker', lockMs: 2000 })], {
      workerName: 'replacement-worker',
      pollTimeoutMs: 1000,
    });

    // then the task is delivered again, only after the killed worker's lock expired, and completed
    await eventually(() => ended(instance.id), { timeoutMs: 15_000 });
    const deliveries = await deliveriesOf(database.sql, topic);
    expect(deliveries.map((d) => d.worker)).toEqual(['killed-worker', 'replacement-worker']);
    expect(new Set(deliveries.map((d) => d.idempotency_key)).size).toBe(1);
    expect(deliveries[1]!.started_at).toBeGreaterThanOrEqual(held.lockExpiresAt!);
    // and the side effect was done once, by the first delivery
    expect(await effectsOf(database.sql, [deliveries[0]!.idempotency_key])).toEqual([
      { idempotency_key: deliveries[0]!.idempotency_key, worker: 'killed-worker' },
    ]);
    const [output] = await database.sql<{ value: unknown }[]>`
      select payload->'value' as value from engine_event where process_instance_id = ${instance.id} and kind = 'variable' and payload->>'name' = 'effectDoneBy'`;
    expect(output?.value).toBe('killed-worker');
  });

  it('a handler that runs longer than its lock keeps the lock extended, and no other worker gets its task meanwhile', async () => {
    // given two workers polling the topic often, with 2 s locks, and a handler that works 5 s
    const topic = 'test-worker-long';
    for (const worker of ['long-worker-a', 'long-worker-b'])
      run([sideEffectJob({ sql: database.sql, topic, worker, lockMs: 2000, workMs: 5000 })], { workerName: worker, pollTimeoutMs: 500 });
    const instance = await engine.startProcess('test-worker-long', { businessKey: `WR-LONG-${Date.now()}` });

    // when the handler has started
    await eventually(async () => (await deliveriesOf(database.sql, topic)).length > 0, { intervalMs: 20 });
    const first = await lockOf(instance.id);
    await sleep(3500);
    const later = await lockOf(instance.id);

    // then the lock moved on with the same worker, well past the first lock
    expect(later.workerId).toBe(first.workerId);
    expect(later.lockExpiresAt! - first.lockExpiresAt!).toBeGreaterThanOrEqual(1500);
    await eventually(() => ended(instance.id), { timeoutMs: 10_000 });
    expect(await deliveriesOf(database.sql, topic)).toHaveLength(1);
  });

  it('stop() lets a running handler end in its action, and returns without waiting for the long poll', async () => {
    // given a worker with a handler that works 1.5 s
    const topic = 'test-worker-stop';
    let started: () => void = () => {};
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const runner = run([
      sideEffectJob({ sql: database.sql, topic, worker: 'stopping-worker', lockMs: 10_000, workMs: 1500, onStart: () => started() }),
    ]);
    const instance = await engine.startProcess('test-worker-stop', { businessKey: `WR-STOP-${Date.now()}` });
    await handlerStarted;

    // when the worker is stopped in the middle of it
    const begin = Date.now();
    await runner.stop();

    // then the task was completed before stop() resolved, well before the 20 s long poll would have ended
    expect(await ended(instance.id)).toBe(true);
    expect(Date.now() - begin).toBeLessThan(5000);
    // and an idle worker stops at once
    const idle = run([sideEffectJob({ sql: database.sql, topic, worker: 'idle-worker', lockMs: 10_000 })]);
    await sleep(200);
    const idleBegin = Date.now();
    await idle.stop();
    expect(Date.now() - idleBegin).toBeLessThan(1000);
  });

  it('a stopped worker withdraws its long poll: a task created right after is left for the others (engine with unique worker requests)', async (context) => {
    if (!(await engineReplacesPollsOfOneWorker(engine))) {
      context.skip('the engine keeps an aborted long poll pending (fetch-and-lock-unique-worker-request is off)');
    }
    const idle = run([sideEffectJob({ sql: database.sql, topic: 'test-worker-stop', worker: 'withdrawing-worker', lockMs: 10_000 })], {
      workerName: 'withdrawing-worker',
    });
    await sleep(300);
    await idle.stop();
    const instance = await engine.startProcess('test-worker-stop', { businessKey: `WR-WITHDRAW-${Date.now()}` });
    await sleep(1000);
    expect(await lockOf(instance.id)).toEqual({ workerId: null, lockExpiresAt: null });
    await engine.deleteProcessInstance(instance.id);
  });

  it('picks a new task up within milliseconds of its creation at low load (long polling answered by the engine at once)', async () => {
    const pickedUp = new Map<string, number>();
    const pickup = defineJob({
      type: 'test-worker-pickup',
      description: 'test: notes when it started',
      input: z.looseObject({}),
      output: z.object({}),
      handler: async ({ job }) => {
        pickedUp.set(job.processInstanceKey, Date.now());
        return {};
      },
    });
    run([pickup]);
    await sleep(200);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const instance = await engine.startProcess('test-worker-pickup', { businessKey: `WR-PICKUP-${i}` });
      ids.push(instance.id);
      await eventually(async () => pickedUp.has(instance.id), { intervalMs: 5 });
      await sleep(20);
    }
    // task created = the engine's start of the service task (its clock, in the same transaction as the task)
    const created = await database.sql<{ id: string; at: string }[]>`
      select process_instance_id as id, payload->>'at' as at from engine_event
      where process_instance_id = any(${ids}) and kind = 'activity-instance' and event_type = 'start' and payload->>'activityId' = 'pickup-work'`;
    const latencies = created.map((c) => pickedUp.get(c.id)! - Date.parse(c.at)).sort((a, b) => a - b);
    expect(latencies).toHaveLength(50);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(`[worker-runner] task created → handler start over 50 tasks: p50 ${p(0.5)} ms, p90 ${p(0.9)} ms, max ${p(1)} ms`);
    expect(p(0.5)).toBeLessThan(250);
  });
});

/**
 * An HTTP proxy in front of the real engine that fails chosen requests: `fault(path, n)` gets the
 * request path and how many requests of that kind (fetchAndLock, complete, …: the path's last
 * segment) came so far, and answers 'forward', a status (with an Operaton-like error body), or 'drop'
 * (the connection closed without an answer).
 */
async function faultyProxy(target: string, fault: (path: string, n: number) => 'forward' | 'drop' | 500 | 503) {
  const upstream = new URL(target);
  const seen = new Map<string, number>();
  const faults: Record<string, number> = {};
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '/';
    const kind = path.split('?')[0]!.split('/').at(-1)!;
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    const verdict = fault(path, n);
    if (verdict !== 'forward') faults[verdict] = (faults[verdict] ?? 0) + 1;
    if (verdict === 'drop') {
      req.socket.destroy();
      return;
    }
    if (verdict !== 'forward') {
      req.resume();
      res.writeHead(verdict, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          verdict === 500
            ? {
                type: 'NullPointerException',
                message: 'Cannot invoke "ExecutionEntity.ensureExecutionTreeInitialized()" because "execution" is null',
              }
            : { type: 'ServiceUnavailable', message: 'engine starting' },
        ),
      );
      return;
    }
    const out = forward({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Whether the engine answers a pending long poll when the same worker polls again (fetch-and-lock-unique-worker-request). */
async function engineReplacesPollsOfOneWorker(engine: OperatonClient): Promise<boolean> {
  const workerId = `unique-probe-${Date.now()}`;
  const topics = [{ topicName: 'test-worker-no-such-topic', lockDuration: 1000 }];
  const aborted = new AbortController();
  const first = engine.fetchAndLock({ workerId, maxTasks: 1, asyncResponseTimeout: 3000, topics, signal: aborted.signal }).then(
    () => 'answered',
    () => 'answered',
  );
  await sleep(200);
  await engine.fetchAndLock({ workerId, maxTasks: 0, asyncResponseTimeout: 1, topics }).catch(() => {});
  const outcome = await Promise.race([first, sleep(1000).then(() => 'pending')]);
  aborted.abort();
  return outcome === 'answered';
}
