import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { z } from 'zod';
import { connectDatabase, type Database } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { ensureDatabaseServer, toJdbc } from '../db/server.ts';
import { createOperatonClient, type OperatonClient } from '../engine/operaton.ts';
import { OPERATON_VERSION, startOperaton, stopOperaton, type OperatonProfile, type RunningOperaton } from '../engine/operaton-engine.ts';
import { startOwnCluster, type OwnCluster } from '../tests/support/pg-cluster.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import { defineJob } from '../workers/job-definition.ts';
import { startWorkers } from '../workers/runner.ts';
import { median, percentile, round } from './stats.ts';
import { runBench } from './lifecycle.ts';

/**
 * npm run bench -- --cluster [--quick]: one engine node against two on one PostgreSQL, in the same
 * run (docs/scaling.md). Its own PostgreSQL cluster (or DATABASE_URL's server, database
 * telecom_bench_cluster) and two engines of its own (profiles operaton-bench-a / -b, ports 8077 / 8078).
 *
 * 1. Task pickup at low load: from an external task's creation (the engine's log) to a worker's
 *    handler, for a worker long-polling the node that created it, the other node (woken by the
 *    other node's notice), and the other node without the notice (node B started with
 *    ENGINE_CLUSTER_WAKEUP=false) at several poll timeouts.
 * 2. Throughput: a closed loop of instances of a four-step external-task process (the workers
 *    complete each step at once), two worker processes; one node (B frozen with SIGSTOP: no CPU, no
 *    polling) against two nodes (starts and workers split between A and B), alternated. Reported per
 *    round: instances/s, end-to-end p50/p99, pickup p50/p99, CPU seconds per 1,000 instances of each
 *    engine, PostgreSQL and the workers. The figure is `twoNodeThroughputRatio`: two nodes / one node.
 * 3. Two nodes again, both without the notice, the workers polling every second (the fallback):
 *    one round, `shortPollThroughputRatio` against the median two-node round of 2.
 *
 * Results: bench/results/cluster-latest.json.
 */
const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = path.join(root, 'bench/results');
const log = (line: string) => console.log(`[bench cluster ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PLAN = quick
  ? { pickups: 20, slowPickups: 3, pollTimeouts: [20_000, 1_000], rounds: 2, roundSeconds: 30, warmupSeconds: 15, inFlight: 30 }
  : {
      pickups: 50,
      slowPickups: 6,
      pollTimeouts: [20_000, 5_000, 1_000, 250],
      rounds: 3,
      roundSeconds: 60,
      warmupSeconds: 30,
      inFlight: 40,
    };
const STEP = 'bench-cluster-step';
const PICKUP = 'bench-cluster-pickup';

const BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="bench-cluster" targetNamespace="http://telecom.example/bench">
  <bpmn:process id="bench-cluster-steps" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="start" />
    ${[1, 2, 3, 4]
      .map(
        (n) => `<bpmn:sequenceFlow id="f${n}" sourceRef="${n === 1 ? 'start' : `step${n - 1}`}" targetRef="step${n}" />
    <bpmn:serviceTask id="step${n}" camunda:type="external" camunda:topic="${STEP}" />`,
      )
      .join('\n    ')}
    <bpmn:sequenceFlow id="f5" sourceRef="step4" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:process id="bench-cluster-pickup" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="p-start" />
    <bpmn:sequenceFlow id="p-f1" sourceRef="p-start" targetRef="p-work" />
    <bpmn:serviceTask id="p-work" camunda:type="external" camunda:topic="${PICKUP}" />
    <bpmn:sequenceFlow id="p-f2" sourceRef="p-work" targetRef="p-end" />
    <bpmn:endEvent id="p-end" />
  </bpmn:process>
</bpmn:definitions>`;

// ── infrastructure ────────────────────────────────────────────────────────────
let cluster: OwnCluster | undefined;
let database: Database | undefined;
const children = new Set<ChildProcess>();
/** Sends SIGCONT to node B if a one-node round froze it (an interrupted run must not leave it stopped). */
let thaw = () => {};
const nodeProfile = (name: 'a' | 'b', jdbc: OperatonProfile['jdbc'], env: Record<string, string> = {}): OperatonProfile => ({
  name: `operaton-bench-${name}`,
  port: name === 'a' ? 8077 : 8078,
  jdbc,
  env: { ENGINE_NODE_NAME: `bench-${name}`, ...env },
});

async function startDatabase(): Promise<string> {
  if (process.env.DATABASE_URL) {
    const server = await ensureDatabaseServer({
      databaseUrl: process.env.DATABASE_URL,
      database: 'telecom_bench_cluster',
      dataDir: '',
      embeddedPort: 0,
      fresh: true,
    });
    return server.url;
  }
  cluster = await startOwnCluster({ prefix: 'telecom-bench-cluster-' });
  return cluster.createDatabase('telecom_bench_cluster');
}

/** A workers process (bench/worker-process.ts) attached to one node, completing the bench's steps at once. */
function spawnWorkers(engineUrl: string, databaseUrl: string, pickupFile: string, pollTimeoutMs?: number): Promise<ChildProcess> {
  mkdirSync(resultsDir, { recursive: true });
  const out = openSync(path.join(resultsDir, '.children.log'), 'a');
  const child = fork(path.join(root, 'bench/worker-process.ts'), [], {
    env: {
      ...process.env,
      ...(pollTimeoutMs ? { WORKER_POLL_TIMEOUT_MS: String(pollTimeoutMs) } : {}),
      DATABASE_URL: databaseUrl,
      ENGINE_URL: engineUrl,
      WORKER_NOOP_TYPES: STEP,
      WORKER_PICKUP_FILE: pickupFile,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', out, out, 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`a workers process exited (${code}) before it was ready`)));
  });
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([gone, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function cleanup() {
  await Promise.all([...children].map(stopChild));
  await database?.close().catch(() => undefined);
  thaw();
  for (const name of ['a', 'b'] as const) await stopOperaton({ name: `operaton-bench-${name}` }, () => {});
  cluster?.destroy();
}

function signal(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

// ── CPU accounting (/proc, clock ticks of 10 ms) ──────────────────────────────
function stat(pid: number): { ppid: number; own: number; reaped: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by a process (with its threads). */
const cpuOf = (pid: number | undefined) => (pid === undefined ? Number.NaN : (stat(pid)?.own ?? Number.NaN) / 100);

/** CPU seconds used so far by our PostgreSQL cluster: the postmaster, its children, and children it has reaped. */
function postgresCpu(): number {
  if (!cluster) return Number.NaN;
  const postmaster = Number(readFileSync(path.join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const main = stat(postmaster);
  if (!main) return Number.NaN;
  let ticks = main.own + main.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s?.ppid === postmaster) ticks += s.own;
  }
  return ticks / 100;
}

// ── measurements ──────────────────────────────────────────────────────────────
async function main() {
  const began = Date.now();
  log(
    `${quick ? 'quick' : 'full'} run; ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const databaseUrl = await startDatabase();
  await runMigrations(databaseUrl);
  database = connectDatabase(databaseUrl, { max: 4 });
  const sql = database.sql;
  const jdbc = toJdbc(databaseUrl);
  for (const name of ['a', 'b'] as const) await stopOperaton({ name: `operaton-bench-${name}` }, () => {});
  let a = await startOperaton(nodeProfile('a', jdbc), log);
  let b = await startOperaton(nodeProfile('b', jdbc), log);
  const engineA = createOperatonClient({ baseUrl: a.baseUrl, timeoutMs: 60_000 });
  let engineB = createOperatonClient({ baseUrl: b.baseUrl, timeoutMs: 60_000 });
  await engineA.deploy('bench-cluster', [{ name: 'bench-cluster.bpmn', content: BPMN }], { changedOnly: false });

  const createdAt = async (taskIds: string[]) => {
    const created = new Map<string, number>();
    for (let i = 0; i < taskIds.length; i += 5000) {
      const rows = await sql<{ id: string; at: number }[]>`
        select ext_task_id_ as id, (extract(epoch from timestamp_ at time zone 'UTC') * 1000)::float8 as at
        from operaton.act_hi_ext_task_log where state_ = 0 and ext_task_id_ = any(${taskIds.slice(i, i + 5000)}::text[])`;
      for (const r of rows) created.set(r.id, r.at);
    }
    return created;
  };

  // 1. Pickup at low load.
  /**
   * Tasks created one at a time on `starter`, each at a random moment of the worker's poll (up to
   * `jitterMs` after the last one: a task does not know when the poll it meets began).
   */
  const pickup = async (
    label: string,
    worker: OperatonClient,
    starter: OperatonClient,
    { samples, pollTimeoutMs = 20_000, jitterMs = 200 }: { samples: number; pollTimeoutMs?: number; jitterMs?: number },
  ) => {
    const started = new Map<string, number>();
    const runner = startWorkers({
      engine: worker,
      deps: createWorkerDependencies(database!.db),
      log: pino({ level: 'silent' }),
      workerName: `bench-pickup-${label}`,
      pollTimeoutMs,
      definitions: [
        defineJob({
          type: PICKUP,
          description: 'bench: notes when it started',
          input: z.looseObject({}),
          output: z.object({}),
          handler: async ({ job }) => {
            started.set(job.key, Date.now());
            return {};
          },
        }),
      ],
    });
    await sleep(500);
    for (let i = 0; i < samples; i++) {
      await sleep(Math.random() * jitterMs);
      const before = started.size;
      await starter.startProcess('bench-cluster-pickup');
      while (started.size === before) await sleep(2);
    }
    await runner.stop();
    const created = await createdAt([...started.keys()]);
    const ms = [...started].flatMap(([id, at]) => (created.has(id) ? [at - created.get(id)!] : []));
    const result = {
      samples: ms.length,
      pollTimeoutMs,
      p50Ms: round(median(ms), 1),
      p90Ms: round(percentile(ms, 90), 1),
      maxMs: round(Math.max(...ms), 1),
    };
    log(`pickup, ${label}: ${JSON.stringify(result)}`);
    return result;
  };
  const pickups: Record<string, unknown> = {};
  pickups.sameNode = await pickup('same node', engineA, engineA, { samples: PLAN.pickups });
  pickups.otherNodeWoken = await pickup('other node, woken by its notice', engineB, engineA, { samples: PLAN.pickups });
  pickups.otherNodeWokenReverse = await pickup('other node (B creates, A polls), woken', engineA, engineB, { samples: PLAN.pickups });
  // Node B again, without the listener: only its own tasks answer its polls early.
  await stopOperaton({ name: 'operaton-bench-b' }, () => {});
  b = await startOperaton(nodeProfile('b', jdbc, { ENGINE_CLUSTER_WAKEUP: 'false' }), log);
  engineB = createOperatonClient({ baseUrl: b.baseUrl, timeoutMs: 60_000 });
  pickups.sameNodeWithoutWakeup = await pickup('same node B without the notice', engineB, engineB, { samples: PLAN.pickups });
  const unwoken: Record<string, unknown>[] = [];
  for (const timeout of PLAN.pollTimeouts) {
    const samples = timeout >= 5_000 ? PLAN.slowPickups : PLAN.pickups;
    unwoken.push(
      await pickup(`other node, not woken, poll ${timeout} ms`, engineB, engineA, { samples, pollTimeoutMs: timeout, jitterMs: timeout }),
    );
  }
  pickups.otherNodeNotWoken = unwoken;
  await stopOperaton({ name: 'operaton-bench-b' }, () => {});
  b = await startOperaton(nodeProfile('b', jdbc), log);
  engineB = createOperatonClient({ baseUrl: b.baseUrl, timeoutMs: 60_000 });

  // 2. Throughput: one node against two.
  const engines: RunningOperaton[] = [a, b];
  const clients = [engineA, engineB];
  let frozen: number | undefined;
  const measureRound = async (nodes: 1 | 2, seconds: number, pollTimeoutMs?: number) => {
    if (nodes === 1) signal((frozen = b.pid!), 'SIGSTOP');
    const pickupFile = path.join(resultsDir, `.cluster-pickups-${nodes}.csv`);
    rmSync(pickupFile, { force: true });
    try {
      const workers = await Promise.all(
        [0, 1].map((i) => spawnWorkers(engines[nodes === 1 ? 0 : i]!.baseUrl, databaseUrl, pickupFile, pollTimeoutMs)),
      );
      await sleep(1_000);
      const cpu = () => ({
        a: cpuOf(a.pid),
        b: cpuOf(b.pid),
        pg: postgresCpu(),
        workers: workers.reduce((sum, w) => sum + cpuOf(w.pid), 0),
      });
      const cpu0 = cpu();
      const open = new Map<string, number>();
      const completedAmong = async () => {
        const done = await sql<{ id: string }[]>`
          select id_ as id from operaton.act_hi_procinst where id_ = any(${[...open.keys()]}) and end_time_ is not null`;
        return done.map((d) => d.id);
      };
      const latencies: number[] = [];
      let next = 0;
      let failures = 0;
      const start = async () => {
        const engine = clients[nodes === 1 ? 0 : next++ % 2]!;
        try {
          const instance = await engine.startProcess('bench-cluster-steps');
          open.set(instance.id, Date.now());
        } catch {
          failures++;
        }
      };
      const t0 = Date.now();
      await Promise.all(Array.from({ length: PLAN.inFlight }, start));
      while (Date.now() - t0 < seconds * 1000) {
        await sleep(50);
        const now = Date.now();
        for (const id of await completedAmong()) {
          latencies.push(now - open.get(id)!);
          open.delete(id);
        }
        await Promise.all(Array.from({ length: Math.max(0, PLAN.inFlight - open.size) }, start));
      }
      const elapsed = (Date.now() - t0) / 1000;
      const cpu1 = cpu();
      // The instances still open finish before the next round (not counted).
      for (const drainUntil = Date.now() + 60_000; open.size > 0 && Date.now() < drainUntil;) {
        await sleep(200);
        for (const id of await completedAmong()) open.delete(id);
      }
      await Promise.all(workers.map(stopChild));
      const lines = existsSync(pickupFile) ? readFileSync(pickupFile, 'utf8').trim().split('\n') : [];
      const handled = lines.map((l) => l.split(',')).map(([id, at]) => ({ id: id!, at: Number(at) }));
      const created = await createdAt(handled.map((h) => h.id));
      const pickupMs = handled.flatMap((h) => (created.has(h.id) ? [h.at - created.get(h.id)!] : []));
      const completed = latencies.length;
      const per1000 = (v: number) => round((v / completed) * 1000, 1);
      const result = {
        nodes,
        ...(pollTimeoutMs ? { notice: false, pollTimeoutMs } : {}),
        seconds: round(elapsed, 1),
        instances: completed,
        instancesPerSecond: round(completed / elapsed, 2),
        latencyP50Ms: median(latencies),
        latencyP99Ms: percentile(latencies, 99),
        pickupP50Ms: round(percentile(pickupMs, 50), 1),
        pickupP99Ms: round(percentile(pickupMs, 99), 1),
        startFailures: failures,
        cpuSecondsPer1000Instances: {
          engineA: per1000(cpu1.a - cpu0.a),
          engineB: per1000(cpu1.b - cpu0.b),
          postgres: per1000(cpu1.pg - cpu0.pg),
          workers: per1000(cpu1.workers - cpu0.workers),
        },
        loadAverage: round(loadavg()[0]!, 1),
      };
      log(`${nodes} node${nodes === 1 ? '' : 's'}: ${JSON.stringify(result)}`);
      rmSync(pickupFile, { force: true });
      return result;
    } finally {
      if (nodes === 1) signal(b.pid!, 'SIGCONT');
      frozen = undefined;
    }
  };
  thaw = () => frozen !== undefined && signal(frozen, 'SIGCONT');
  // (a warm-up of each, not counted: JIT, caches)
  await measureRound(1, PLAN.warmupSeconds);
  await measureRound(2, PLAN.warmupSeconds);
  const rounds: { one: Awaited<ReturnType<typeof measureRound>>; two: Awaited<ReturnType<typeof measureRound>> }[] = [];
  for (let i = 0; i < PLAN.rounds; i++) {
    const order = i % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const);
    const r: Partial<(typeof rounds)[number]> = {};
    for (const n of order) r[n === 1 ? 'one' : 'two'] = await measureRound(n, PLAN.roundSeconds);
    rounds.push(r as (typeof rounds)[number]);
  }
  const ratios = rounds.map((r) => r.two.instancesPerSecond / r.one.instancesPerSecond);

  // 3. Two nodes without the notice, workers polling every second instead (the fallback): one round.
  for (const name of ['a', 'b'] as const) await stopOperaton({ name: `operaton-bench-${name}` }, () => {});
  a = await startOperaton(nodeProfile('a', jdbc, { ENGINE_CLUSTER_WAKEUP: 'false' }), log);
  b = await startOperaton(nodeProfile('b', jdbc, { ENGINE_CLUSTER_WAKEUP: 'false' }), log);
  engines.splice(0, 2, a, b);
  clients.splice(
    0,
    2,
    createOperatonClient({ baseUrl: a.baseUrl, timeoutMs: 60_000 }),
    createOperatonClient({ baseUrl: b.baseUrl, timeoutMs: 60_000 }),
  );
  await measureRound(2, PLAN.warmupSeconds, 1_000);
  const shortPoll = await measureRound(2, PLAN.roundSeconds, 1_000);
  const medianTwo = median(rounds.map((r) => r.two.instancesPerSecond));

  const results = {
    twoNodeThroughputRatio: round(median(ratios), 3),
    /** Two nodes without the notice, workers polling every second, against the median two-node round with it. */
    shortPollThroughputRatio: round(shortPoll.instancesPerSecond / medianTwo, 3),
    oneNodeInstancesPerSecond: rounds.map((r) => r.one.instancesPerSecond),
    twoNodeInstancesPerSecond: rounds.map((r) => r.two.instancesPerSecond),
    pickup: pickups,
    mode: quick ? 'quick' : 'full',
    command: quick ? 'npm run bench -- --cluster --quick' : 'npm run bench -- --cluster',
    at: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - began) / 1000),
    machine: {
      cores: cpus().length,
      model: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      engine: `Operaton ${OPERATON_VERSION}`,
    },
    throughput: {
      design: `closed loop, ${PLAN.inFlight} instances in flight of a four-step external-task process, two workers processes; ${PLAN.rounds} rounds of ${PLAN.roundSeconds} s per configuration, alternated, after a warm-up of each`,
      ratios: ratios.map((r) => round(r, 3)),
      rounds,
      twoNodesShortPollWithoutNotice: shortPoll,
    },
  };
  writeFileSync(path.join(resultsDir, 'cluster-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(
    `done in ${results.durationSeconds} s: two nodes / one node ${results.twoNodeThroughputRatio} (${ratios.map((r) => r.toFixed(2)).join(', ')})`,
  );
}

await runBench(main, cleanup, log);
