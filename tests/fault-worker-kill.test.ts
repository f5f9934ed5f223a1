import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addFreePorts, chainDriverOn, sideEffectsOf, superviseWorkers, type SupervisedWorkers } from './support/chains.ts';
import { startPlatform, type Platform } from './support/platform.ts';

const ORDERS = 200;

describe('fault injection: the workers process killed with SIGKILL at random moments', () => {
  let platform: Platform;
  let workers: SupervisedWorkers | undefined;
  const workerEnv = () => ({
    DATABASE_URL: inject('databaseUrl'),
    ENGINE_URL: inject('operatonUrl'),
    // A killed worker's tasks are handed out again after their lock expires (production: 60 s).
    WORKER_JOB_TIMEOUT_MS: '3000',
  });
  beforeAll(async () => {
    // The API and the projector in-process; the workers run as a child process we can kill.
    platform = await startPlatform({ workers: false });
    await addFreePorts(platform, { olt: `URC-TS-OLT-KILL-${Date.now()}`, count: ORDERS + 10 });
  });
  afterAll(async () => {
    await workers?.stop();
    await platform?.close();
  });

  it(`${ORDERS} orders all complete while the workers are killed again and again; no port is reserved twice and no billing starts twice`, async () => {
    // given the workers running and a clerk driver completing every task through the API
    workers = await superviseWorkers(workerEnv());
    const driver = chainDriverOn(platform, { parallelism: 16 });
    driver.start();

    // when 200 orders come in and the workers process is SIGKILLed at random moments until they are done
    const kills: number[] = [];
    const began = Date.now();
    const killer = (async () => {
      while (driver.chains.size < ORDERS || driver.openCount > 0) {
        await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 3_500));
        if (Date.now() - began > 240_000) return;
        kills.push(Date.now() - began);
        await workers!.killAndRestart(Math.random() * 1_000);
        // Enough kills to land in every stage; then let the rest finish.
        if (kills.length >= 12) return;
      }
    })();
    let started = 0;
    const lanes = Array.from({ length: 8 }, async () => {
      while (started++ < ORDERS) await driver.startChain();
    });
    await Promise.all(lanes);
    await driver.waitForAll(300_000);
    await killer;
    await driver.stop();

    // then every order completed
    const ids = [...driver.chains.keys()];
    expect(ids).toHaveLength(ORDERS);
    expect(kills.length).toBeGreaterThanOrEqual(3);
    const effects = await sideEffectsOf(platform.database.sql, ids);
    expect(effects.states).toEqual({ completed: ids.length });
    // and each holds exactly one port, no port went to two orders, and billing started once per order
    expect([...effects.portsPerOrder.values()].every((n) => n === 1)).toBe(true);
    expect(effects.portsPerOrder.size).toBe(ids.length);
    expect(effects.distinctPorts).toBe(effects.portRows);
    expect([...effects.billingPerOrder.values()].every((n) => n === 1)).toBe(true);
    expect(effects.billingPerOrder.size).toBe(ids.length);
    // and no incident was needed
    const keys = [...driver.chains.values()].map((c) => c.processInstanceKey);
    expect(await platform.database.sql`select 1 from incident where process_instance_key = any(${keys}::bigint[])`).toEqual([]);
    console.log(
      `[fault-worker-kill] ${ids.length} orders, ${kills.length} kills (${workers.crashes} restarts after a crash) at ${kills.map((t) => (t / 1000).toFixed(1)).join(', ')} s`,
    );
  }, 420_000);
});
