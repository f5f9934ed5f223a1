import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMessageRelay, type MessageRelay } from '../api/domain/messages/relay.ts';
import { sendMessage } from '../api/domain/messages/use-cases.ts';
import { connectDatabase, type Database } from '../db/client.ts';
import { createOperatonClient, type OperatonClient } from '../engine/operaton.ts';

/**
 * Customers' messages (api/domain/messages): Operaton keeps no message for later, so the API
 * records each one and a relay delivers it once the process waits for it. The fixture process
 * installs (an external task), then waits for a confirmation twice (a second delivery would pass
 * the second wait), and takes a cancellation at any time (event subprocess).
 */
const PROCESS = 'test-api-message-relay';
const CONFIRMED = 'test-relay-confirmed';
const CANCELLED = 'test-relay-cancelled';
const run = Date.now().toString(36);
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let database: Database;
let engine: OperatonClient;
/** Two API processes' relays: they take turns (one at a time), and no message is delivered twice. */
let relays: MessageRelay[] = [];
const started: string[] = [];
let n = 0;

async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A new order-like instance at its install step (not waiting for any message yet); its business key is its "order id". */
async function startOrder() {
  const businessKey = `RELAY-${run}-${++n}`;
  const instance = await engine.startProcess(PROCESS, { businessKey, variables: { orderId: businessKey } });
  started.push(instance.id);
  return { businessKey, processInstanceKey: instance.id };
}

/** The install step ends: the process now waits for the confirmation. */
async function finishInstall(processInstanceKey: string) {
  await eventually(async () => {
    const tasks = await engine.fetchAndLock({
      workerId: 'relay-test',
      maxTasks: 20,
      asyncResponseTimeout: 500,
      topics: [{ topicName: 'test-api-relay-install', lockDuration: 10_000 }],
    });
    let done = false;
    for (const t of tasks) {
      if (t.processInstanceId === processInstanceKey) {
        await engine.completeExternalTask(t.id, 'relay-test', {});
        done = true;
      } else await engine.unlockExternalTask(t.id);
    }
    return done;
  });
}

const send = (order: { businessKey: string; processInstanceKey: string }, messageName: string, variables = {}, client = engine) =>
  sendMessage({
    db: database.db,
    engine: client,
    businessKey: order.businessKey,
    messageName,
    variables,
    processInstanceKey: order.processInstanceKey,
    log,
  });

const messageRow = async (businessKey: string, messageName: string) =>
  (
    await database.sql<{ id: string; state: string; attempts: number; lastError: string | null; deliveredAt: Date | null }[]>`
      select id, state, attempts, last_error as "lastError", delivered_at as "deliveredAt"
      from engine_message where business_key = ${businessKey} and message_name = ${messageName}`
  )[0];

/** Where the instance waits for a message now (activity ids of its message subscriptions). */
const waitsAt = async (processInstanceKey: string) =>
  (await engine.eventSubscriptions({ processInstanceId: processInstanceKey, eventType: 'message' })).map((s) => s.activityId).sort();

beforeAll(async () => {
  database = connectDatabase(inject('databaseUrl'));
  engine = createOperatonClient({ baseUrl: inject('operatonUrl'), timeoutMs: 5000 });
  const xml = readFileSync(new URL('./fixtures/operaton/api-message-relay.bpmn', import.meta.url), 'utf8');
  await engine.deploy('test-api-message-relay', [{ name: 'api-message-relay.bpmn', content: xml }]);
  relays = [0, 1].map(() => startMessageRelay({ database, engine, log }));
});

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  for (const id of started) await engine?.deleteProcessInstance(id).catch(() => {});
  await database?.close();
});

describe("a customer's messages reach the process whenever it waits for them", () => {
  it('a confirmation sent before the process waits is delivered as soon as it waits, with its variables', async () => {
    const order = await startOrder();
    // given the install is still going on: nothing waits for the confirmation yet
    const sent = await send(order, CONFIRMED, { customerConfirmedAt: '2026-12-01T08:00:00.000Z' });
    expect(sent).toMatchObject({ state: 'pending', repeated: false });
    expect(await messageRow(order.businessKey, CONFIRMED)).toMatchObject({ state: 'pending', lastError: 'nothing waits for it yet' });

    // when the install ends (just after the first attempt) and the process reaches its wait
    const reached = Date.now();
    await finishInstall(order.processInstanceKey);

    // then the relay delivers it at once (woken by the engine's events, not by its sweep)
    const row = await eventually(async () => {
      const r = await messageRow(order.businessKey, CONFIRMED);
      return r?.state === 'delivered' ? r : undefined;
    });
    expect(row.deliveredAt).not.toBeNull();
    expect(Date.now() - reached).toBeLessThan(5_000);
    expect(await waitsAt(order.processInstanceKey)).toEqual(['relay-cancel-requested', 'relay-confirmed-again']);
    expect(await engine.variables(order.processInstanceKey)).toMatchObject({ customerConfirmedAt: '2026-12-01T08:00:00.000Z' });
  });

  it('a confirmation sent twice is one message, delivered once', async () => {
    const order = await startOrder();
    const first = await send(order, CONFIRMED, { customerConfirmedAt: 'first' });
    const again = await send(order, CONFIRMED, { customerConfirmedAt: 'again' });
    expect(again).toMatchObject({ id: first.id, repeated: true, state: 'pending' });

    await finishInstall(order.processInstanceKey);
    await eventually(async () => (await messageRow(order.businessKey, CONFIRMED))?.state === 'delivered');
    // and once more after delivery: still the same message, nothing sent to the process
    expect(await send(order, CONFIRMED, { customerConfirmedAt: 'late' })).toMatchObject({
      id: first.id,
      repeated: true,
      state: 'delivered',
    });

    // a second delivery would have passed the second wait: give both relays a few passes to (wrongly) do it
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await waitsAt(order.processInstanceKey)).toEqual(['relay-cancel-requested', 'relay-confirmed-again']);
    expect(await engine.variables(order.processInstanceKey)).toMatchObject({ customerConfirmedAt: 'first' });
    const [rows] = await database.sql<{ count: number }[]>`
      select count(*)::int as count from engine_message where business_key = ${order.businessKey}`;
    expect(rows?.count).toBe(1);
  });

  it('a cancellation while the process runs is delivered at once, its reason with it', async () => {
    const order = await startOrder();
    const sent = await send(order, CANCELLED, { cancellationReason: '搬家，不再需要' });
    expect(sent.state).toBe('delivered');
    // the event subprocess has taken over: the install is interrupted, the close step runs
    const tasks = await engine.externalTasks({ processInstanceId: order.processInstanceKey });
    expect(tasks.map((t) => t.activityId)).toEqual(['relay-cancel-noted']);
    expect(await engine.variables(order.processInstanceKey)).toMatchObject({ cancellationReason: '搬家，不再需要' });
    expect(await messageRow(order.businessKey, CANCELLED)).toMatchObject({ state: 'delivered', attempts: 1, lastError: null });
  });

  it('a message for an instance that has ended expires, at once or as soon as the instance ends', async () => {
    // sent after the end
    const ended = await startOrder();
    await engine.deleteProcessInstance(ended.processInstanceKey);
    expect((await send(ended, CONFIRMED)).state).toBe('expired');

    // sent before the end: pending, then expired once the instance is gone
    const order = await startOrder();
    expect((await send(order, CONFIRMED)).state).toBe('pending');
    await engine.deleteProcessInstance(order.processInstanceKey);
    const row = await eventually(async () => {
      const r = await messageRow(order.businessKey, CONFIRMED);
      return r?.state === 'expired' ? r : undefined;
    });
    expect(row.lastError).toMatch(/ended/);
  });

  it('a message recorded while the engine does not answer is delivered by the relay once it does', async () => {
    const order = await startOrder();
    await finishInstall(order.processInstanceKey);
    // the API's engine client cannot reach the engine: the message is recorded all the same (the answer is 202, not 503)
    const unreachable = createOperatonClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
    const sent = await send(order, CONFIRMED, { customerConfirmedAt: 'while down' }, unreachable);
    expect(sent.state).toBe('pending');
    expect((await messageRow(order.businessKey, CONFIRMED))?.lastError).toMatch(/did not answer/);
    // the relays reach the engine: delivered by the next sweep
    await eventually(async () => (await messageRow(order.businessKey, CONFIRMED))?.state === 'delivered');
    expect(await waitsAt(order.processInstanceKey)).toEqual(['relay-cancel-requested', 'relay-confirmed-again']);
  });
});
