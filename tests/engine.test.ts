import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createEngineClock } from '../engine/clock.ts';
import { processCompletedInEngine } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

describe('the native engine', () => {
  let platform: Platform;
  const clock = createEngineClock(inject('managementAddress'));
  beforeAll(async () => {
    platform = await startPlatform({ workers: false });
  });
  // The clock only ever moves forward: later suites see a later "now", never a jump back.
  afterAll(async () => platform?.close());

  it('reports a healthy leader and a reachable database on GET /health', async () => {
    // vitest.config.ts runs this suite before any suite moves the engine clock.
    const res = await platform.app.inject({ method: 'GET', url: '/health' });
    expect(res.json()).toMatchObject({ status: 'ok', engine: { status: 'up' }, db: { status: 'up' } });
    expect(res.statusCode).toBe(200);
  });

  it('fires a two-day timer as soon as its controlled clock is moved forward, without waiting', async () => {
    await platform.camunda.zeebe.deployResource({
      name: 'clock-probe.bpmn',
      process: readFileSync(new URL('./fixtures/clock-probe.bpmn', import.meta.url)),
    });
    const { processInstanceKey } = await platform.camunda.zeebe.createProcessInstance({ bpmnProcessId: 'test-clock-probe', variables: {} });
    // the timer is waiting
    await eventually(async () => {
      const rows = await platform.database
        .sql`select 1 from instance_stage where process_instance_key = ${processInstanceKey} and element_id = 'probe-wait-two-days' and state = 'active'`;
      return rows.length === 1;
    });
    expect(await processCompletedInEngine(platform, processInstanceKey)).toBe(false);

    const before = await clock.now();
    const after = await clock.advance(2 * 24 * 3600_000 + 60_000);
    expect(after.getTime() - before.getTime()).toBeGreaterThanOrEqual(2 * 24 * 3600_000);
    await eventually(() => processCompletedInEngine(platform, processInstanceKey), { timeoutMs: 15_000 });
  });

  it('serves the web UI page and the deployed diagram it shows', async () => {
    const page = await platform.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="app">');
    const script = /src="(\/assets\/index-[\w-]+\.js)"/.exec(page.body)?.[1];
    expect((await platform.app.inject({ method: 'GET', url: script ?? '/assets/none.js' })).statusCode).toBe(200);
    const xml = await platform.app.inject({ method: 'GET', url: '/process-definitions/home-broadband-new-install/xml' });
    expect(xml.statusCode).toBe(200);
    expect(xml.body).toContain('id="review-order"');
    expect((await platform.app.inject({ method: 'GET', url: '/process-definitions/no-such-process/xml' })).statusCode).toBe(404);
  });

  it('publishes an OpenAPI document with every route', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health', '/orders', '/orders/{id}', '/tasks', '/tasks/{key}/complete']),
    );
  });
});
