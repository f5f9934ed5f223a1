import { inject, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.ts';
import { loadSettings } from '../config/settings.ts';
import { connectDatabase } from '../db/client.ts';
import { createOperatonClient } from '../engine/operaton.ts';
import { completeTask, validOrder, waitForTask } from './support/orders.ts';
import { signTokenFor, startPlatform, type Platform } from './support/platform.ts';

interface ProblemView {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: { pointer: string; in?: string; message: string }[];
}

describe('bad input is answered with problem details naming the fields at fault', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform({ workers: true });
  });
  afterAll(async () => platform?.close());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    platform.app.inject({ method: 'POST', url: '/orders', payload: payload as object, headers });

  it.each([
    ['a missing customer', { ...validOrder(), customer: undefined }, '/customer'],
    ['a phone number that is not one', validOrder({ customer: { name: '李娜', phone: 'call me', level: 'local-c' } }), '/customer/phone'],
    ['a grid code in the wrong shape', validOrder({ grid: 'tianshan' }), '/grid'],
    [
      'a negative monthly fee',
      validOrder({ product: { code: 'HB-1', name: 'x', bandwidthMbps: 100, monthlyFeeCents: -1 } }),
      '/product/monthlyFeeCents',
    ],
    ['an unknown customer level', validOrder({ customer: { name: '李娜', phone: '13900139000', level: 'vip' } }), '/customer/level'],
    ['a field the API does not know', validOrder({ discount: 50 }), '/'],
  ])('an order with %s is refused with 400', async (_what, body, pointer) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json() as ProblemView;
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.pointer)).toContain(pointer);
    expect(problem.errors?.every((e) => e.in === 'body')).toBe(true);
  });

  it('a body that is not JSON is refused with 400, not a crash', async () => {
    const res = await platform.app.inject({
      method: 'POST',
      url: '/orders',
      payload: '{"customer": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect((res.json() as ProblemView).status).toBe(400);
  });

  it('a body over the size limit is refused with 413', async () => {
    const res = await post(validOrder({ address: 'x'.repeat(300 * 1024) }));
    expect(res.statusCode).toBe(413);
  });

  it('an unknown order is 404 ORDER_NOT_FOUND', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/orders/HB20990101999999' });
    expect(res.statusCode).toBe(404);
    expect((res.json() as ProblemView).code).toBe('ORDER_NOT_FOUND');
  });

  it('a task list with an unknown customer level or sort is 400 naming the query parameters', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/tasks?customerLevel=vip&sort=colour' });
    expect(res.statusCode).toBe(400);
    const pointers = (res.json() as ProblemView).errors?.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/customerLevel', '/sort']));
  });

  it("task variables that break the task's form are refused with 400 naming each field, and the task stays open", async () => {
    const order = (await post(validOrder())).json() as { id: string };
    const review = await waitForTask(platform, 'order-center', order.id, 'review-order');
    await completeTask(platform, review.key, { reviewApproved: true });
    const appointment = await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'make-appointment');
    await completeTask(platform, appointment.key, { appointmentAt: '2026-11-24T10:00' });
    const install = await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'install-onsite');

    const res = await completeTask(platform, install.key, { onuSerial: 'x', fibreMeters: 'far', opticalPowerDbm: -40, colour: 'red' });
    expect(res.statusCode).toBe(400);
    const problem = res.json() as ProblemView;
    expect(problem.code).toBe('INVALID_TASK_VARIABLES');
    expect(problem.errors?.map((e) => e.pointer).sort()).toEqual(
      ['/variables/colour', '/variables/fibreMeters', '/variables/onuSerial', '/variables/opticalPowerDbm'].sort(),
    );

    const missing = await completeTask(platform, install.key, {});
    expect((missing.json() as ProblemView).errors?.map((e) => e.pointer).sort()).toEqual(
      ['/variables/fibreMeters', '/variables/onuSerial', '/variables/opticalPowerDbm'].sort(),
    );
    // the task is still there to be completed properly
    expect(
      (await completeTask(platform, install.key, { onuSerial: 'HWTC9876ABCD', fibreMeters: 20, opticalPowerDbm: -18 })).statusCode,
    ).toBe(204);
    // and completing it again is a conflict, not a crash
    expect(
      (await completeTask(platform, install.key, { onuSerial: 'HWTC9876ABCD', fibreMeters: 20, opticalPowerDbm: -18 })).statusCode,
    ).toBe(409);
  });

  it('an unknown task key is 404, a malformed one 400', async () => {
    expect((await completeTask(platform, '123456789', {})).statusCode).toBe(404);
    expect((await completeTask(platform, 'abc', {})).statusCode).toBe(400);
  });

  it('a retried order with the same Idempotency-Key returns the first order', async () => {
    const headers = { 'idempotency-key': `retry-${Date.now()}` };
    const first = await post(validOrder(), headers);
    const second = await post(validOrder(), headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect((second.json() as { id: string }).id).toBe((first.json() as { id: string }).id);
  });
});

describe('when the engine is down', () => {
  // The same app, pointed at an address where no engine listens: a real refused connection.
  const settings = () =>
    loadSettings({
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      ENGINE_URL: 'http://127.0.0.1:1',
      ENGINE_REQUEST_TIMEOUT_MS: '3000',
    });

  it('GET /health answers 503 naming the engine, and POST /orders 503 promptly without keeping the order', async () => {
    const database = connectDatabase(inject('databaseUrl'));
    const engine = createOperatonClient({ baseUrl: settings().ENGINE_URL, timeoutMs: settings().ENGINE_REQUEST_TIMEOUT_MS });
    const app = await buildApp({ settings: settings(), database, engine });
    try {
      const health = await app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      const body = health.json() as { status: string; engine: { status: string; detail: string }; db: { status: string } };
      expect(body.status).toBe('unavailable');
      expect(body.engine.status).toBe('down');
      expect(body.engine.detail).toMatch(/engine/);
      expect(body.db.status).toBe('up');

      const token = await signTokenFor(app, database, 'clerk.urumqi');
      const before = (await database.sql<{ count: number }[]>`select count(*)::int as count from orders`)[0]?.count;
      const started = Date.now();
      const res = await app.inject({
        method: 'POST',
        url: '/orders',
        payload: validOrder(),
        headers: { authorization: `Bearer ${token}` },
      });
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      const problem = res.json() as ProblemView;
      expect(problem.code).toBe('ENGINE_UNAVAILABLE');
      expect(problem.detail).toMatch(/engine/);
      const after = (await database.sql<{ count: number }[]>`select count(*)::int as count from orders`)[0]?.count;
      expect(after).toBe(before);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
