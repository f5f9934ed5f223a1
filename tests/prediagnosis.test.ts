import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, type Database } from '../db/client.ts';
import { createSimulatedNetworkSystems } from '../workers/adapters/network-systems.ts';
import { classify, DEFAULT_TIMEOUTS, prediagnose } from '../workers/diagnosis/prediagnose.ts';

describe('fault pre-diagnosis across the four network systems', () => {
  let database: Database;
  const behave = (source: string, latencyMs: number, hang = false) =>
    database.sql`update sim_source_behaviour set latency_ms = ${latencyMs}, hang = ${hang} where source = ${source}`;
  beforeAll(() => {
    database = connectDatabase(inject('databaseUrl'));
  });
  afterEach(async () => {
    await database.sql`update sim_source_behaviour set latency_ms = 0, hang = false`;
  });
  afterAll(async () => database?.close());

  it.each([
    ['0991-HB-100001', 'no-fault-found', 'online'],
    ['0991-HB-100002', 'fibre-cut', 'field'],
    ['0991-HB-100003', 'onu-powered-off', 'online'],
    ['0991-HB-100004', 'auth-failure', 'online'],
    ['0991-HB-100005', 'arrears', 'online'],
    ['0991-HB-100006', 'low-optical-power', 'field'],
    ['0991-XX-999999', 'unknown-line', 'field'],
  ])('account %s is diagnosed as %s (%s)', async (account, category, action) => {
    const d = await prediagnose(account, createSimulatedNetworkSystems(database.db));
    expect(d).toMatchObject({ category, recommendedAction: action, missingSources: [] });
    expect(d.answeredSources).toHaveLength(4);
  });

  it('asks the four systems at once: with each taking 300 ms the answer comes well before their sum', async () => {
    for (const s of ['inventory', 'access-platform', 'radius', 'alarms']) await behave(s, 300);
    const d = await prediagnose('0991-HB-100001', createSimulatedNetworkSystems(database.db));
    expect(d.missingSources).toEqual([]);
    expect(d.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(d.elapsedMs).toBeLessThan(900);
  });

  it('still answers when RADIUS hangs, within its timeout, naming it as missing', async () => {
    await behave('radius', 0, true);
    const started = performance.now();
    const d = await prediagnose('0991-HB-100002', createSimulatedNetworkSystems(database.db));
    const elapsed = performance.now() - started;
    expect(d.missingSources).toEqual(['radius']);
    expect(d.category).toBe('fibre-cut');
    expect(elapsed).toBeGreaterThanOrEqual(DEFAULT_TIMEOUTS.radius - 50);
    expect(elapsed).toBeLessThan(DEFAULT_TIMEOUTS.radius + 500);
  });

  it('does not call a line healthy when the systems that would show it down did not answer', () => {
    expect(classify({ line: { account: 'a', grid: 'g', olt: 'o', ponPort: 'p', onuId: 'x', service: 'broadband' } }).category).toBe(
      'undetermined',
    );
  });
});
