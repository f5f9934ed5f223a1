import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { benchOrder } from '../bench/chain-driver.ts';
import { startOperaton, stopOperaton } from '../engine/operaton-engine.ts';
import { operatonProfile } from '../scripts/infrastructure.ts';
import { addFreePorts, chainDriverOn, sideEffectsOf } from './support/chains.ts';
import { startPlatform, type Platform } from './support/platform.ts';

const ORDERS = 40;

/**
 * The run's own engine (this slot's test profile, started by the global setup) is stopped with
 * SIGTERM mid-run and started again on its database: the orders go on where they were.
 */
describe('fault injection: the engine stopped and restarted mid-run', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform();
    await addFreePorts(platform, { olt: `URC-TS-OLT-RESTART-${Date.now()}`, count: ORDERS + 5 });
  });
  afterAll(async () => platform?.close());

  it(`${ORDERS} orders in every stage all complete after the engine comes back`, async () => {
    // given orders in flight, driven by clerks through the API
    const driver = chainDriverOn(platform);
    driver.start();
    for (let i = 0; i < ORDERS; i++) await driver.startChain();
    // (a few done, most in flight)
    while (driver.completedCount < 3) await new Promise((r) => setTimeout(r, 200));
    const completedBefore = driver.completedCount;

    // when the engine stops
    const profile = operatonProfile('test', inject('databaseUrl'));
    await stopOperaton(profile, () => {});
    const down = Date.now();
    // the API answers 503 for what needs the engine, and the order is not half-created
    const count = async () => (await platform.database.sql<{ n: number }[]>`select count(*)::int as n from orders`)[0]!.n;
    const ordersBefore = await count();
    const refused = await platform.app.inject({ method: 'POST', url: '/orders', payload: benchOrder() });
    expect(refused.statusCode).toBe(503);
    expect(await count()).toBe(ordersBefore);
    // and comes back on its data
    const engine = await startOperaton(profile, () => {});
    expect(engine.started).toBe(true);
    const downMs = Date.now() - down;

    // then every order completes, each with one port and one billing start
    await driver.waitForAll(180_000);
    await driver.stop();
    const ids = [...driver.chains.keys()];
    const effects = await sideEffectsOf(platform.database.sql, ids);
    expect(effects.states).toEqual({ completed: ORDERS });
    expect([...effects.portsPerOrder.values()].every((n) => n === 1)).toBe(true);
    expect([...effects.billingPerOrder.values()].every((n) => n === 1)).toBe(true);
    expect(effects.billingPerOrder.size).toBe(ORDERS);
    expect(completedBefore).toBeLessThan(ORDERS);
    console.log(`[fault-engine-restart] ${completedBefore}/${ORDERS} done before the stop, engine down ${(downMs / 1000).toFixed(1)} s`);
  }, 300_000);
});
