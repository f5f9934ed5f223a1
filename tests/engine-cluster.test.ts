import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import type { Transport } from '../bench/chain-driver.ts';
import { toJdbc } from '../db/server.ts';
import { createOperatonClient, type OperatonClient } from '../engine/operaton.ts';
import { startOperaton, stopOperaton, type OperatonProfile, type RunningOperaton } from '../engine/operaton-engine.ts';
import { profileName, testSlot } from '../scripts/infrastructure.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import { defineJob } from '../workers/job-definition.ts';
import { startWorkers, type RunningWorkers } from '../workers/runner.ts';
import { addFreePorts, chainDriverOn, injectTransport, kill, sideEffectsOf, spawnWorkers } from './support/chains.ts';
import { ownPort } from './support/own-platform.ts';
import { eventually, silentLog, startPlatform, startPlatformOn, type Platform } from './support/platform.ts';

const fixture = readFileSync(new URL('./fixtures/operaton/cluster.bpmn', import.meta.url), 'utf8');
const ORDERS = 24;
const PO = '/tmf-api/productOrderingManagement/v5';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two engine nodes on one database (docs/scaling.md): the run's own engine (node 1, started by the
 * global setup) and a second one started here on the same database, each with the real workers
 * attached as a process of their own, and an API in-process on each.
 */
describe('two engine nodes on one database', () => {
  const databaseUrl = inject('databaseUrl');
  const node1Url = inject('operatonUrl');
  const node2Profile: OperatonProfile = {
    name: `operaton-${profileName('test')}-node2`,
    port: ownPort(60),
    jdbc: toJdbc(databaseUrl),
    // A job this node acquired and did not finish (it is killed below) goes to node 1 after 10 s, not 5 minutes.
    env: { ENGINE_NODE_NAME: 'node-2', ENGINE_JOB_LOCK_MS: '10000' },
  };
  let node2: RunningOperaton;
  let engine1: OperatonClient;
  let engine2: OperatonClient;
  let viaNode1: Platform;
  let viaNode2: Platform;
  const children: ChildProcess[] = [];
  const runners: RunningWorkers[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const pickupFiles = [1, 2].map((n) => path.join(tmpdir(), `engine-cluster-${testSlot()}-${process.pid}-workers${n}.csv`));

  beforeAll(async () => {
    await stopOperaton(node2Profile, () => {});
    node2 = await startOperaton(node2Profile, () => {});
    engine1 = createOperatonClient({ baseUrl: node1Url, timeoutMs: 30_000 });
    engine2 = createOperatonClient({ baseUrl: node2.baseUrl, timeoutMs: 30_000 });
    await engine1.deploy('engine-cluster-tests', [{ name: 'cluster.bpmn', content: fixture }]);
    viaNode1 = await startPlatform({ workers: false });
    viaNode2 = await startPlatformOn({
      databaseUrl,
      engineUrl: node2.baseUrl,
      workers: false,
      settings: { HUB_CUSTOMER_CALLBACKS: 'any' },
    });
  });
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await Promise.all(runners.map((r) => r.stop()));
    await Promise.all(children.map((c) => kill(c, 'SIGTERM')));
    await viaNode2?.close();
    await viaNode1?.close();
    await stopOperaton(node2Profile, () => {});
    for (const f of pickupFiles) rmSync(f, { force: true });
  });

  /** When each external task was created, by the engine's own log (its clock: this machine's). */
  const createdAt = async (taskIds: string[]) =>
    new Map(
      (
        await viaNode1.database.sql<{ id: string; at: number }[]>`
          select ext_task_id_ as id, (extract(epoch from timestamp_ at time zone 'UTC') * 1000)::float8 as at
          from operaton.act_hi_ext_task_log where state_ = 0 and ext_task_id_ = any(${taskIds}::text[])`
      ).map((r) => [r.id, r.at]),
    );

  it('a worker long-polling either node gets a task created on the other within a second (the nodes wake each other)', async () => {
    const pickups: { from: string; ms: number }[] = [];
    for (const [worker, starter, from] of [
      [engine2, engine1, 'node 1 → worker on node 2'],
      [engine1, engine2, 'node 2 → worker on node 1'],
    ] as const) {
      // given a worker whose long poll (20 s, the default) waits on one node
      const started = new Map<string, number>();
      const runner = startWorkers({
        engine: worker,
        deps: createWorkerDependencies(viaNode1.database.db),
        log: silentLog,
        workerName: `cluster-pickup-${from}`,
        definitions: [
          defineJob({
            type: 'test-cluster-pickup',
            description: 'test: notes when it started',
            input: z.looseObject({}),
            output: z.object({}),
            handler: async ({ job }) => {
              started.set(job.key, Date.now());
              return {};
            },
          }),
        ],
      });
      runners.push(runner);
      await sleep(300);
      // when tasks are created on the other node, one after another
      for (let i = 0; i < 10; i++) {
        const before = started.size;
        await starter.startProcess('test-cluster-pickup', { businessKey: `CLUSTER-PICKUP-${i}` });
        await eventually(async () => started.size > before, { timeoutMs: 30_000, intervalMs: 5 });
        await sleep(50);
      }
      await runner.stop();
      // then each was picked up within a second of its creation
      const created = await createdAt([...started.keys()]);
      const ms = [...started].map(([id, at]) => at - created.get(id)!);
      expect(ms).toHaveLength(10);
      pickups.push(...ms.map((m) => ({ from, ms: m })));
      expect(Math.max(...ms)).toBeLessThan(1000);
    }
    const sorted = (from: string) =>
      pickups
        .filter((p) => p.from === from)
        .map((p) => Math.round(p.ms))
        .sort((a, b) => a - b);
    for (const from of new Set(pickups.map((p) => p.from))) {
      console.log(`[engine-cluster] pickup ${from}: ${sorted(from).join(', ')} ms`);
    }
  });

  it('a timer fires once although both nodes run a job executor', async () => {
    // given 20 instances waiting on a 2-second timer, started through either node
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const instance = await (i % 2 === 0 ? engine1 : engine2).startProcess('test-cluster-timer', {
        businessKey: `CLUSTER-TIMER-${i}`,
        variables: { wait: 'PT2S' },
      });
      ids.push(instance.id);
      await sleep(50);
    }
    // when their timers come due, then every instance ends
    await eventually(
      async () => {
        const [row] = await viaNode1.database.sql<{ n: number }[]>`
          select count(*)::int as n from operaton.act_hi_procinst where id_ = any(${ids}) and end_time_ is not null`;
        return row!.n === ids.length;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    // and each timer job ran exactly once: one success, no failure, its timer element left once
    const jobs = await viaNode1.database.sql<{ job: string; succeeded: number; failed: number; node: string | null }[]>`
      select job_id_ as job, count(*) filter (where job_state_ = 2)::int as succeeded, count(*) filter (where job_state_ = 1)::int as failed,
             max(hostname_) filter (where job_state_ = 2) as node
      from operaton.act_hi_job_log where process_instance_id_ = any(${ids}) group by job_id_`;
    expect(jobs).toHaveLength(ids.length);
    expect(jobs.every((j) => j.succeeded === 1 && j.failed === 0)).toBe(true);
    const [ends] = await viaNode1.database.sql<{ n: number; instances: number }[]>`
      select count(*)::int as n, count(distinct process_instance_id)::int as instances from engine_event
      where process_instance_id = any(${ids}) and kind = 'activity-instance' and event_type = 'end' and payload->>'activityId' = 'cluster-timer-wait'`;
    expect(ends).toEqual({ n: ids.length, instances: ids.length });
    const onNode2 = jobs.filter((j) => j.node === 'node-2').length;
    console.log(`[engine-cluster] timers fired by node 1: ${jobs.length - onNode2}, node 2: ${onNode2}`);
  });

  it(`${ORDERS} orders started through either node all complete when one node is killed mid-run; no port is reserved twice and no billing starts twice`, async () => {
    // given the real workers attached to each node, and clerks behind one address for both APIs
    await addFreePorts(viaNode1, { olt: `URC-TS-OLT-CLUSTER-${Date.now()}`, count: ORDERS + 5 });
    for (const [n, url] of [
      [1, node1Url],
      [2, node2.baseUrl],
    ] as const) {
      children.push(
        await spawnWorkers({
          DATABASE_URL: databaseUrl,
          ENGINE_URL: url,
          // A killed node's tasks are handed out again after their lock expires (production: 60 s).
          WORKER_JOB_TIMEOUT_MS: '3000',
          WORKER_PICKUP_FILE: pickupFiles[n - 1]!,
          // Node 2's worker holds each task a moment after its work (the side effect done, the action not yet
          // sent), so the kill finds tasks whose work was done and whose completion never reaches the engine.
          ...(n === 2 ? { WORKER_HOLD_MS: '1000' } : {}),
        }),
      );
    }
    // and a staff subscriber to product order events: both APIs run a hub dispatcher
    const listener = await eventListener();
    const registered = await viaNode1.app.inject({ method: 'POST', url: `${PO}/hub`, payload: { callback: listener.url } });
    expect(registered.statusCode).toBe(201);
    const hubId = (registered.json() as { id: string }).id;
    cleanups.push(async () => {
      await viaNode1.app.inject({ method: 'DELETE', url: `${PO}/hub/${hubId}` });
      await listener.close();
    });
    const balancer = roundRobin([injectTransport(viaNode1), injectTransport(viaNode2)]);
    const driver = chainDriverOn(viaNode1, { transport: balancer.transport, parallelism: 8 });
    driver.start();
    for (let i = 0; i < ORDERS; i++) await driver.startChain();
    expect(balancer.created.every((n) => n > 0)).toBe(true);

    // when node 2 is killed (SIGKILL) while most orders are in flight and its worker holds tasks
    await eventually(async () => driver.completedCount >= 2, { timeoutMs: 120_000, intervalMs: 100 });
    const workerOnNode2 = `workers-${hostname()}-${children[1]!.pid}`;
    await eventually(
      async () =>
        (
          await viaNode1.database.sql<{ n: number }[]>`
            select count(*)::int as n from operaton.act_ru_ext_task where worker_id_ = ${workerOnNode2} and lock_exp_time_ is not null`
        )[0]!.n > 0,
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    const completedBefore = driver.completedCount;
    process.kill(node2.pid!, 'SIGKILL');
    await eventually(async () => !(await engine2.healthy()), { timeoutMs: 10_000 });

    // then every order completes, through node 1
    await driver.waitForAll(150_000);
    await driver.stop();
    const ids = [...driver.chains.keys()];
    const effects = await sideEffectsOf(viaNode1.database.sql, ids);
    expect(effects.states).toEqual({ completed: ORDERS });
    // and each holds exactly one port, no port went to two orders, and billing started once per order
    expect([...effects.portsPerOrder.values()].every((n) => n === 1)).toBe(true);
    expect(effects.portsPerOrder.size).toBe(ORDERS);
    expect(effects.distinctPorts).toBe(effects.portRows);
    expect([...effects.billingPerOrder.values()].every((n) => n === 1)).toBe(true);
    expect(effects.billingPerOrder.size).toBe(ORDERS);
    // and no incident was needed
    const keys = [...driver.chains.values()].map((c) => c.processInstanceKey);
    expect(await viaNode1.database.sql`select 1 from incident where process_instance_key = any(${keys}::bigint[])`).toEqual([]);

    // and the subscriber received every event once, although two dispatchers ran
    await eventually(async () => (await viaNode1.fastify.hubDispatcher.backlog(hubId)).length === 0, { timeoutMs: 30_000 });
    const delivered = await viaNode1.database.sql<{ n: number }[]>`select count(*)::int as n from tmf_delivery where hub_id = ${hubId}`;
    expect(listener.eventIds.length).toBe(delivered[0]!.n);
    expect(new Set(listener.eventIds).size).toBe(listener.eventIds.length);
    expect(listener.eventIds.length).toBeGreaterThanOrEqual(ORDERS);

    // (how often a task was run by both workers: done by node 2's worker, then again by node 1's after the lock)
    const started = pickupFiles.map((f) =>
      existsSync(f)
        ? readFileSync(f, 'utf8')
            .trim()
            .split('\n')
            .map((l) => l.split(',')[0]!)
        : [],
    );
    const twice = started[1]!.filter((id) => started[0]!.includes(id)).length;
    // (the work of a task held at the kill was done again by node 1's worker, its side effect once)
    expect(twice).toBeGreaterThan(0);
    console.log(
      `[engine-cluster] ${completedBefore}/${ORDERS} done before node 2 was killed (orders started through node 1 / 2: ${balancer.created.join(' / ')}); tasks run by the workers on node 1 / node 2: ` +
        `${started[0]!.length} / ${started[1]!.length}; run again on node 1 after the kill: ${twice}; calls failed over: ${balancer.failedOver}`,
    );
  }, 240_000);
});

/**
 * One address for the two APIs, as the load balancer of the cluster profile does: requests take turns,
 * and one that meets an unavailable API (503, no answer) is sent to the other.
 */
function roundRobin(targets: Transport[]) {
  let next = 0;
  const state = { created: targets.map(() => 0), failedOver: 0 };
  const transport: Transport = async (method, url, body) => {
    const first = next++ % targets.length;
    let answer = { status: 0, body: undefined as unknown };
    for (let i = 0; i < targets.length; i++) {
      const target = (first + i) % targets.length;
      try {
        answer = await targets[target]!(method, url, body);
      } catch (e) {
        answer = { status: 0, body: String(e) };
      }
      if (answer.status !== 0 && answer.status !== 503) {
        if (method === 'POST' && url === '/orders' && answer.status === 201) state.created[target]!++;
        return answer;
      }
      state.failedOver++;
    }
    return answer;
  };
  return Object.assign(state, { transport });
}

/** A hub subscriber on loopback: accepts every event and notes its id. */
async function eventListener() {
  const eventIds: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      eventIds.push((JSON.parse(body) as { eventId: string }).eventId);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/listener`,
    eventIds,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
