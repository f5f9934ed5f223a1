import type { FastifyBaseLogger } from 'fastify';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { tmfChanges, tmfDeliveries, tmfHubs } from '../../../db/schema.ts';
import { createProgressRepository } from '../status/repository.ts';
import { renderEvents, resourceOfChange } from './events.ts';
import { HUB_EVENT_TYPES, type HubApi } from './schemas.ts';
import { postEvent } from './post.ts';
import { sign } from './signature.ts';
import { eventTypesOf } from './use-cases.ts';

export interface DispatcherOptions {
  pollMs: number;
  /** First retry after this, doubling each time up to maxBackoffMs (±20 % jitter). */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** After this many failed attempts the event is given up and the resource's next event may go. */
  maxAttempts: number;
  requestTimeoutMs: number;
  /** Deliveries in flight at once, over all subscribers. */
  concurrency: number;
  /** Deliveries in flight at once to one subscriber: a slow or dead one cannot take every slot. */
  perHubConcurrency: number;
  /** A customer's callback is delivered to public addresses only, checked at each delivery (HUB_CUSTOMER_CALLBACKS=public). */
  customerCallbacksPublicOnly: boolean;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  pollMs: 250,
  baseBackoffMs: 1_000,
  maxBackoffMs: 10 * 60_000,
  maxAttempts: 15,
  requestTimeoutMs: 5_000,
  concurrency: 16,
  perHubConcurrency: 4,
  customerCallbacksPublicOnly: true,
};

export function backoffMs(attempts: number, o: Pick<DispatcherOptions, 'baseBackoffMs' | 'maxBackoffMs'>, random = Math.random): number {
  const raw = Math.min(o.maxBackoffMs, o.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/**
 * The hub dispatcher, in the API process: it reads the outbox the triggers fill (tmf_change),
 * renders the listener events each change means, fans them out to the matching hubs and POSTs
 * them, signed. Per hub and resource only the oldest undelivered event is in flight, so a
 * subscriber sees each resource's events in order; a failing subscriber only delays its own
 * deliveries (retried with exponential backoff). The processes never wait for any of this.
 */
export function createHubDispatcher({ db, log, options = {} }: { db: Db; log: FastifyBaseLogger; options?: Partial<DispatcherOptions> }) {
  const o: DispatcherOptions = { ...DEFAULT_DISPATCHER_OPTIONS, ...options };
  const progress = createProgressRepository({ db });
  const inFlight = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  async function render() {
    const changes = await db.select().from(tmfChanges).orderBy(asc(tmfChanges.id)).limit(500);
    if (changes.length === 0) return;
    const resources: string[] = [];
    for (const c of changes) {
      const id = await resourceOfChange(db, progress, c.kind, c.ref);
      if (id && !resources.includes(id)) resources.push(id);
    }
    for (const id of resources) await renderEvents({ db, progress, resourceId: id });
    // Exactly the changes read: one committed later with a lower id (a slower transaction) is read next time.
    await db.delete(tmfChanges).where(
      inArray(
        tmfChanges.id,
        changes.map((c) => c.id),
      ),
    );
  }

  async function fanOut() {
    const hubs = await db.select().from(tmfHubs).where(isNull(tmfHubs.deletedAt));
    for (const hub of hubs) {
      const types = eventTypesOf(hub.api as HubApi, hub.query).filter((t) => HUB_EVENT_TYPES[hub.api as HubApi]?.includes(t));
      if (types.length === 0) continue;
      await db.execute(sql`
        with fresh as (
          select id, event_type, resource_id, customer_id from tmf_event where id > ${hub.cursor} and api = ${hub.api} order by id limit 1000
        ), queued as (
          insert into tmf_delivery (hub_id, event_id, resource_id)
          select ${hub.id}, id, resource_id from fresh
          where event_type in ${types}
            and (${hub.customerId}::text is null or customer_id = ${hub.customerId})
          on conflict do nothing
        )
        update tmf_hub set cursor = coalesce((select max(id) from fresh), cursor) where id = ${hub.id}`);
    }
  }

  /**
   * Takes a delivery for this process: several API processes run a dispatcher each and may pick the
   * same head at once. The one whose update moves the next attempt past a request's time sends it;
   * the others skip it. If the sender dies meanwhile, the delivery is due again when that time is up
   * (at least once, never twice from two live dispatchers).
   */
  async function claim(hubId: string, eventId: number): Promise<boolean> {
    const claimed = await db.execute(sql`
      update tmf_delivery set next_attempt_at = now() + ${o.requestTimeoutMs + 5_000} * interval '1 millisecond'
      where hub_id = ${hubId} and event_id = ${eventId} and delivered_at is null and gave_up_at is null and next_attempt_at <= now()
      returning event_id`);
    return claimed.length > 0;
  }

  async function deliver(hubId: string, eventId: number, attempts: number) {
    if (!(await claim(hubId, eventId))) return;
    const [row] = await db.execute<{ callback: string; secret: string; body: unknown; event_type: string; customer_id: string | null }>(sql`
      select h.callback, h.secret, e.body, e.event_type, h.customer_id
      from tmf_hub h join tmf_event e on e.id = ${eventId} where h.id = ${hubId}`);
    if (!row) return;
    const body = JSON.stringify(row.body);
    const timestamp = Math.floor(Date.now() / 1000);
    let failure: string | undefined;
    try {
      const status = await postEvent(row.callback, {
        headers: {
          'content-type': 'application/json',
          'x-event-type': row.event_type,
          'x-event-id': String((row.body as { eventId?: string }).eventId ?? eventId),
          'x-hub-id': hubId,
          'x-hub-timestamp': String(timestamp),
          'x-hub-signature': sign(row.secret, timestamp, body),
        },
        body,
        timeoutMs: o.requestTimeoutMs,
        publicOnly: o.customerCallbacksPublicOnly && row.customer_id !== null,
      });
      if (status < 200 || status >= 300) failure = `HTTP ${status}`;
    } catch (e) {
      failure = (e as Error).message;
    }
    const key = and(eq(tmfDeliveries.hubId, hubId), eq(tmfDeliveries.eventId, eventId));
    if (!failure) {
      await db
        .update(tmfDeliveries)
        .set({ deliveredAt: new Date(), attempts: attempts + 1, lastError: null })
        .where(key);
      return;
    }
    const tries = attempts + 1;
    const givingUp = tries >= o.maxAttempts;
    const retryAt = new Date(Date.now() + backoffMs(tries, o));
    await db
      .update(tmfDeliveries)
      .set({
        attempts: tries,
        lastError: failure.slice(0, 500),
        nextAttemptAt: retryAt,
        ...(givingUp ? { gaveUpAt: new Date() } : {}),
      })
      .where(key);
    // The subscriber is failing: its other resources' deliveries wait as long, instead of each
    // finding that out for itself (and taking the slots other subscribers need).
    await db.execute(sql`
      update tmf_delivery set next_attempt_at = ${retryAt.toISOString()}::timestamptz
      where hub_id = ${hubId} and delivered_at is null and gave_up_at is null and next_attempt_at < ${retryAt.toISOString()}::timestamptz`);
    log[givingUp ? 'error' : 'warn'](
      { hubId, eventId, attempts: tries, failure },
      givingUp ? 'hub delivery given up' : 'hub delivery failed; will retry',
    );
  }

  async function send() {
    // The oldest open delivery per hub and resource: later events of a resource wait behind it.
    // Fair across subscribers: a few of each hub's due lanes, longest waiting first.
    const heads = await db.execute<{ hub_id: string; event_id: string; resource_id: string; attempts: number }>(sql`
      select hub_id, event_id, resource_id, attempts from (
        select h.*, row_number() over (partition by h.hub_id order by h.next_attempt_at, h.event_id) as rank
        from (
          select distinct on (d.hub_id, d.resource_id) d.hub_id, d.event_id, d.resource_id, d.attempts, d.next_attempt_at
          from tmf_delivery d join tmf_hub hub on hub.id = d.hub_id and hub.deleted_at is null
          where d.delivered_at is null and d.gave_up_at is null
          order by d.hub_id, d.resource_id, d.event_id
        ) h where h.next_attempt_at <= now()
      ) ranked where rank <= ${o.perHubConcurrency}
      order by next_attempt_at, event_id limit 200`);
    const perHub = new Map<string, number>();
    for (const lane of inFlight.keys()) {
      const hub = lane.split('|')[0]!;
      perHub.set(hub, (perHub.get(hub) ?? 0) + 1);
    }
    for (const head of heads) {
      if (inFlight.size >= o.concurrency) break;
      const lane = `${head.hub_id}|${head.resource_id}`;
      if (inFlight.has(lane) || (perHub.get(head.hub_id) ?? 0) >= o.perHubConcurrency) continue;
      perHub.set(head.hub_id, (perHub.get(head.hub_id) ?? 0) + 1);
      const job = deliver(head.hub_id, Number(head.event_id), head.attempts)
        .catch((e: unknown) => log.warn({ err: e, lane }, 'hub delivery bookkeeping failed'))
        .finally(() => inFlight.delete(lane));
      inFlight.set(lane, job);
    }
  }

  async function tick() {
    try {
      await render();
      await fanOut();
      await send();
    } catch (e) {
      if (!stopped) log.warn({ err: e }, 'hub dispatcher tick failed');
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, o.pollMs);
  }

  return {
    options: o,
    /** One round of render, fan-out and send (tests call it to hurry). */
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    /** Stops polling and waits for the deliveries in flight (each bounded by the request timeout). */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await Promise.allSettled([...inFlight.values()]);
    },
    /** Open deliveries, for tests and health views. */
    async backlog(hubId: string) {
      return db
        .select()
        .from(tmfDeliveries)
        .where(and(eq(tmfDeliveries.hubId, hubId), isNull(tmfDeliveries.deliveredAt)))
        .orderBy(asc(tmfDeliveries.eventId));
    },
  };
}
export type HubDispatcher = ReturnType<typeof createHubDispatcher>;
