import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../api/domain/hub/signature.ts';
import { PostgresTicketStore } from '../workers/adapters/ticket-store.ts';
import { completeTask, waitForTask } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';
import { faultTicket, newInstall } from './support/tmf-fixtures.ts';
import { tmfSchemaErrors } from './support/tmf-schemas.ts';

const PO = '/tmf-api/productOrderingManagement/v5';
const TT = '/tmf-api/troubleTicket/v5';

interface Delivery {
  status: number;
  body: string;
  headers: IncomingMessage['headers'];
}
interface EventBody {
  '@type': string;
  eventId: string;
  eventType: string;
  timeOccurred: string;
  event: {
    productOrder?: { id: string; state: string };
    troubleTicket?: { id: string; status: string };
    cancelProductOrder?: { state: string };
  };
}

/** A subscriber on 127.0.0.1 that answers 503 to its first `failFirst` deliveries, then 204 (or never answers, when hanging). */
async function subscriber({ failFirst = 0, hang = false } = {}) {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (hang) return;
      const status = deliveries.length < failFirst ? 503 : 204;
      deliveries.push({ status, body, headers: req.headers });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/listener`;
  return {
    url,
    deliveries,
    accepted: () => deliveries.filter((d) => d.status === 204).map((d) => ({ ...d, event: JSON.parse(d.body) as EventBody })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('TMF event hubs: signed deliveries, retried with backoff, in order per resource, own events only', () => {
  let platform: Platform;
  let zhang: string;
  let li: string;
  const servers: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    platform = await startPlatform();
    zhang = await platform.tokenFor('customer.zhang');
    li = await platform.tokenFor('customer.li');
    // Quick retries for the test (production: 1 s doubling up to 10 min).
    Object.assign(platform.fastify.hubDispatcher.options, { baseBackoffMs: 150, maxBackoffMs: 1_000, requestTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await platform?.close();
    for (const s of servers) await s.close();
  });

  const as = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    platform.fastify.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${token}`, ...headers } });

  it("a customer's subscriber that fails for a while still receives every event of their own order, signed and in order", async () => {
    // given Zhang's subscriber, failing its first 4 deliveries, and a hanging subscriber of the order center
    const crm = await subscriber({ failFirst: 4 });
    const stuck = await subscriber({ hang: true });
    servers.push(crm, stuck);
    const key = `hub-${Date.now()}`;
    const registered = await as(zhang, 'POST', `${PO}/hub`, { callback: crm.url }, { 'idempotency-key': key });
    expect(registered.statusCode).toBe(201);
    const hub = registered.json() as { id: string; secret: string; callback: string };
    expect(tmfSchemaErrors('tmf622', 'Hub', hub)).toEqual([]);
    expect(hub.secret).toMatch(/^whsec_/);
    const again = await as(zhang, 'POST', `${PO}/hub`, { callback: crm.url }, { 'idempotency-key': key });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: hub.id, secret: hub.secret });
    expect(await platform.database.sql`select 1 from tmf_hub where callback = ${crm.url}`).toHaveLength(1);
    const shown = await as(zhang, 'GET', `${PO}/hub/${hub.id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).not.toHaveProperty('secret');
    expect((await as(li, 'GET', `${PO}/hub/${hub.id}`)).statusCode).toBe(404);
    const clerk = await platform.tokenFor('clerk.urumqi');
    expect((await as(clerk, 'POST', `${PO}/hub`, { callback: stuck.url })).statusCode).toBe(201);

    // when Zhang orders, the order center approves, Li orders too, the order is escalated once and Zhang cancels
    const order = (await as(zhang, 'POST', `${PO}/productOrder`, newInstall())).json() as { id: string };
    const other = (await as(li, 'POST', `${PO}/productOrder`, newInstall({ notificationContact: '13900139000' }))).json() as { id: string };
    const review = await waitForTask(platform, 'order-center', order.id, 'review-order');
    await completeTask(platform, review.key, { reviewApproved: true });
    await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'make-appointment');
    // (the escalate worker's own store, as the 4-hour timer would call it)
    const [instance] = await platform.database.sql<
      { key: string }[]
    >`select process_instance_key::text as key from orders where id = ${order.id}`;
    await new PostgresTicketStore(platform.database.db).escalate({
      idempotencyKey: `hub-test-${order.id}`,
      subjectId: order.id,
      level: 'county',
      reason: 'Order not progressing for 4 hours',
      processInstanceKey: instance!.key,
      elementId: 'escalate-abnormal-county',
    });
    expect(
      (await as(zhang, 'POST', `${PO}/cancelProductOrder`, { productOrder: { id: order.id }, cancellationReason: '不需要了' })).statusCode,
    ).toBe(201);

    // then the subscriber eventually accepts the whole story of the order, up to its cancellation
    const story = await eventually(
      async () => {
        const events = crm.accepted().map((d) => d.event);
        const done = events.some(
          (e) => e.eventType === 'CancelProductOrderStateChangeEvent' && e.event.cancelProductOrder?.state === 'done',
        );
        return done && events.some((e) => e.eventType === 'ProductOrderStateChangeEvent' && e.event.productOrder?.state === 'cancelled')
          ? events
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const types = story.map((e) => e.eventType);
    expect(types[0]).toBe('ProductOrderCreateEvent');
    expect(types).toContain('ProductOrderMilestoneEvent');
    expect(types).toContain('ProductOrderJeopardyAlertEvent');
    expect(types).toContain('CancelProductOrderCreateEvent');
    const states = story.filter((e) => e.eventType === 'ProductOrderStateChangeEvent').map((e) => e.event.productOrder!.state);
    expect(states[0]).toBe('inProgress');
    expect(states.at(-1)).toBe('cancelled');
    expect(states).toContain('pendingCancellation');
    const milestones = story.filter((e) => e.eventType === 'ProductOrderMilestoneEvent').length;
    expect(milestones).toBeGreaterThanOrEqual(2);
    // in the order they happened, each once
    const times = story.map((e) => Date.parse(e.timeOccurred));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(story.map((e) => e.eventId)).size).toBe(story.length);
    // only Zhang's order
    expect(story.every((e) => (e.event.productOrder?.id ?? order.id) === order.id)).toBe(true);
    expect(story.some((e) => e.event.productOrder?.id === other.id)).toBe(false);
    // each conforming to the spec's event schema, each signed with the hub's secret
    for (const d of crm.accepted()) {
      expect(tmfSchemaErrors('tmf622', d.event.eventType, d.event), d.event.eventType).toEqual([]);
      expect(d.headers['x-event-type']).toBe(d.event.eventType);
      expect(verify(hub.secret, d.headers['x-hub-timestamp'] as string, d.body, d.headers['x-hub-signature'] as string)).toBe(true);
      expect(verify('whsec_wrong', d.headers['x-hub-timestamp'] as string, d.body, d.headers['x-hub-signature'] as string)).toBe(false);
    }
    // the first four attempts failed and were retried, later ones kept waiting behind them
    expect(crm.deliveries.slice(0, 4).every((d) => d.status === 503)).toBe(true);
    expect(JSON.parse(crm.deliveries[0]!.body).eventType).toBe('ProductOrderCreateEvent');
    expect(JSON.parse(crm.deliveries[4]!.body).eventType).toBe('ProductOrderCreateEvent');
    // and nothing is left behind: the dispatcher records a delivery only once the subscriber's answer
    // reached it, which is after the subscriber counted it (asserting at once raced with that write)
    await eventually(async () => (await platform.fastify.hubDispatcher.backlog(hub.id)).length === 0, { timeoutMs: 15_000 });

    // and the hanging subscriber slowed neither the order (it was cancelled meanwhile) nor Zhang's deliveries
    expect(stuck.deliveries).toEqual([]);

    // when Zhang deletes the hub, nothing more is delivered and it is gone
    expect((await as(zhang, 'DELETE', `${PO}/hub/${hub.id}`)).statusCode).toBe(204);
    expect((await as(zhang, 'GET', `${PO}/hub/${hub.id}`)).statusCode).toBe(404);
    const before = crm.deliveries.length;
    await as(zhang, 'POST', `${PO}/productOrder`, newInstall());
    await new Promise((r) => setTimeout(r, 1_000));
    expect(crm.deliveries.length).toBe(before);
  });

  it('a trouble-ticket subscriber receives the ticket created and its status changes, conforming to TMF621', async () => {
    const listener = await subscriber();
    servers.push(listener);
    const hub = (
      await as(zhang, 'POST', `${TT}/hub`, {
        callback: listener.url,
        query: 'eventType=TroubleTicketCreateEvent,TroubleTicketStatusChangeEvent',
      })
    ).json() as {
      id: string;
      secret: string;
    };
    expect(tmfSchemaErrors('tmf621', 'Hub', hub)).toEqual([]);
    const ticket = (await as(zhang, 'POST', `${TT}/troubleTicket`, faultTicket())).json() as { id: string };
    await as(li, 'POST', `${TT}/troubleTicket`, faultTicket());
    const events = await eventually(async () => {
      const got = listener.accepted().map((d) => d.event);
      return got.some((e) => e.eventType === 'TroubleTicketStatusChangeEvent') ? got : undefined;
    });
    expect(events[0]?.eventType).toBe('TroubleTicketCreateEvent');
    expect(events.every((e) => e.event.troubleTicket?.id === ticket.id)).toBe(true);
    expect(events.find((e) => e.eventType === 'TroubleTicketStatusChangeEvent')?.event.troubleTicket?.status).toBe('inProgress');
    for (const d of listener.accepted()) {
      expect(tmfSchemaErrors('tmf621', d.event.eventType, d.event)).toEqual([]);
      expect(verify(hub.secret, d.headers['x-hub-timestamp'] as string, d.body, d.headers['x-hub-signature'] as string)).toBe(true);
    }
  });
});
