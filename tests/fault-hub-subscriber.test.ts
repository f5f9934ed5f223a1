import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFreePorts, chainDriverOn } from './support/chains.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

const PO = '/tmf-api/productOrderingManagement/v5';
const ORDERS = 5;

interface Received {
  eventId: string;
  eventType: string;
  event: { productOrder?: { id: string } };
}

/**
 * A subscriber's listener on 127.0.0.1 that can go down (its port closed: connections refused)
 * and come back on the same port.
 */
async function listener() {
  const received: Received[] = [];
  let server: Server | undefined;
  let port = 0;
  const up = async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push(JSON.parse(body) as Received);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const down = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = undefined;
    });
  await up();
  return { url: `http://127.0.0.1:${port}/listener`, received, up, down };
}

describe('fault injection: a hub subscriber down for a while', () => {
  let platform: Platform;
  let subscriber: Awaited<ReturnType<typeof listener>>;
  beforeAll(async () => {
    platform = await startPlatform();
    await addFreePorts(platform, { olt: `URC-TS-OLT-HUB-${Date.now()}`, count: ORDERS + 2 });
    subscriber = await listener();
  });
  afterAll(async () => {
    await subscriber?.down();
    await platform?.close();
  });

  it('receives every event of every order once it recovers, each once and in order per order', async () => {
    // The dispatcher's retry settings, made ten times shorter than production's (first retry after
    // 1 s, doubling): 6 s down here is the same number of failed attempts (~6) as a minute there.
    Object.assign(platform.fastify.hubDispatcher.options, { baseBackoffMs: 100, maxBackoffMs: 60_000, requestTimeoutMs: 1_000 });
    const DOWN_MS = 6_000;

    // given a subscriber of the order center's hub
    const hub = await platform.app.inject({ method: 'POST', url: `${PO}/hub`, payload: { callback: subscriber.url } });
    expect(hub.statusCode).toBe(201);
    const hubId = (hub.json() as { id: string }).id;

    // when it goes down and orders run from intake to archive meanwhile
    await subscriber.down();
    const downAt = Date.now();
    const driver = chainDriverOn(platform);
    driver.start();
    for (let i = 0; i < ORDERS; i++) await driver.startChain();
    await driver.waitForAll(120_000);
    await driver.stop();
    const ids = new Set(driver.chains.keys());
    // (deliveries failed and were retried with backoff while it was down)
    await eventually(async () => {
      const [row] = await platform.database.sql<{ n: number }[]>`
        select count(*)::int as n from tmf_delivery where hub_id = ${hubId} and attempts >= 3 and delivered_at is null`;
      return row!.n > 0;
    });
    await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
    const downFor = Date.now() - downAt;

    // and comes back
    await subscriber.up();

    // then it receives every event the orders produced, once the dispatcher has caught up
    const ours = () => subscriber.received.filter((r) => r.event.productOrder && ids.has(r.event.productOrder.id));
    const expectedEvents = () => platform.database.sql<{ event_id: string; resource_id: string }[]>`
      select e.body->>'eventId' as event_id, e.resource_id from tmf_event e
      where e.api = 'productOrdering' and e.resource_id = any(${[...ids]}) order by e.id`;
    await eventually(
      async () => {
        const pending = await platform.database.sql`select 1 from tmf_change limit 1`;
        const backlog = await platform.fastify.hubDispatcher.backlog(hubId);
        return pending.length === 0 && backlog.length === 0 && ours().length >= (await expectedEvents()).length;
      },
      { timeoutMs: 60_000 },
    );
    const expected = await expectedEvents();
    expect(expected.length).toBeGreaterThanOrEqual(ORDERS * 3);
    expect(new Set(ours().map((r) => r.eventId))).toEqual(new Set(expected.map((e) => e.event_id)));
    // each once
    expect(ours()).toHaveLength(expected.length);
    // and in order per order
    for (const id of ids) {
      const got = ours()
        .filter((r) => r.event.productOrder!.id === id)
        .map((r) => r.eventId);
      expect(got, id).toEqual(expected.filter((e) => e.resource_id === id).map((e) => e.event_id));
    }
    // and nothing is left undelivered or given up
    expect(await platform.fastify.hubDispatcher.backlog(hubId)).toEqual([]);
    const [attempts] = await platform.database.sql<{ max: number }[]>`
      select max(attempts)::int as max from tmf_delivery where hub_id = ${hubId}`;
    console.log(
      `[fault-hub-subscriber] down ${(downFor / 1000).toFixed(1)} s, ${expected.length} events, up to ${attempts!.max} attempts each`,
    );
  }, 240_000);
});
