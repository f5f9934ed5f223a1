import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Database, Db } from '../../../db/client.ts';
import { EngineUnavailableError } from '../../../engine/errors.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { deliverMessage } from './deliver.ts';
import { createMessageRepository } from './repository.ts';

export interface MessageRelayOptions {
  /** The fallback sweep; engine events wake the relay at once. */
  pollMs: number;
  /** A message nothing waits for is tried again by the sweep after pollMs, doubling up to this (engine events for its instance retry it at once). */
  maxBackoffMs: number;
  /** Pending messages looked at per pass. */
  batch: number;
}

export const DEFAULT_RELAY_OPTIONS: MessageRelayOptions = { pollMs: 1000, maxBackoffMs: 15_000, batch: 500 };

export interface MessageRelay {
  /** Runs a pass soon (coalesced with one under way). */
  wake(): void;
  /** Stops, waiting for the pass under way. */
  stop(): Promise<void>;
}

interface Cursor {
  txId: string;
  id: number;
}

/** One relay across all API processes: each pass holds this lock (transaction-scoped); a process that does not get it skips the pass. */
const RELAY_LOCK = sql`hashtextextended('engine-message-relay', 0)`;
/** Engine events become readable once every older transaction has ended (the projector's rule): none is skipped. */
const SETTLED = sql`tx_id < pg_snapshot_xmin(pg_current_snapshot())`;
const EVENTS_PER_READ = 2000;

/**
 * Delivers recorded messages (engine_message) once their process waits for them: Operaton keeps no
 * message for later, so a confirmation sent before the process reaches its wait, or while the
 * engine was down, is delivered from here.
 *
 * Woken by the engine's NOTIFY on `engine_event` (every engine transaction) and by a sweep every
 * pollMs. A pass tries the pending messages whose process instance has new engine events since the
 * last pass (the moment it may have started to wait, or ended: then the message expires), the
 * messages it has not tried yet, and, as a fallback, each other pending one after a back-off.
 */
export function startMessageRelay({
  database,
  engine,
  log,
  engineTimeoutMs,
  options = {},
}: {
  database: Pick<Database, 'db' | 'sql'>;
  engine: OperatonClient;
  log: Pick<FastifyBaseLogger, 'info' | 'warn'>;
  engineTimeoutMs?: number;
  options?: Partial<MessageRelayOptions>;
}): MessageRelay {
  const o: MessageRelayOptions = { ...DEFAULT_RELAY_OPTIONS, ...options };
  const { db } = database;
  /** Where this process has read engine events up to; none while another process relays (read anew on taking over). */
  let cursor: Cursor | undefined;
  const backoff = new Map<number, { next: number; failures: number }>();
  /** Messages a concurrent attempt held: tried again on the next pass, whatever their back-off. */
  const soon = new Set<number>();
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let soonTimer: NodeJS.Timeout | undefined;
  let engineAway = false;
  let listening: Promise<{ unlisten(): Promise<void> } | undefined> | undefined;

  const listen = () => {
    listening ??= database.sql
      .listen('engine_event', () => wake())
      .catch((e: unknown) => {
        log.warn({ err: e }, 'message relay: cannot listen for engine events yet; sweeping only');
        listening = undefined;
        return undefined;
      });
  };

  function wake() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await pass().catch((e: unknown) => {
          cursor = undefined;
          log.warn({ err: e }, 'message relay: pass failed; trying again on the next sweep');
        });
        // Under load every engine transaction notifies: passes run back to back, not in a hot loop.
        if (again && !stopped) await new Promise((r) => setTimeout(r, 50));
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
  }

  async function pass() {
    await db.transaction(async (tx) => {
      const [lock] = (await tx.execute(sql`select pg_try_advisory_xact_lock(${RELAY_LOCK}) as locked`)) as unknown as { locked: boolean }[];
      if (!lock?.locked) {
        cursor = undefined;
        return;
      }
      const t = tx as unknown as Db;
      const pending = await createMessageRepository(t).pending(o.batch);
      if (pending.length === 0) {
        // Nothing to deliver (the usual case): no engine events to read; the next message starts afresh.
        cursor = undefined;
        backoff.clear();
        soon.clear();
        return;
      }
      // Taking over (or starting, or the first message after none): every pending message is tried once;
      // from then on, engine events say which.
      const sweepAll = cursor === undefined;
      const touched = sweepAll ? new Set<string>() : await instancesWithNewEvents(t);
      if (sweepAll) cursor = await eventsEnd(t);

      const ids = new Set(pending.map((m) => m.id));
      for (const id of backoff.keys()) if (!ids.has(id)) backoff.delete(id);
      const now = Date.now();
      const due = pending.filter(
        (m) =>
          sweepAll ||
          soon.has(m.id) ||
          (m.processInstanceKey !== null && touched.has(m.processInstanceKey)) ||
          (backoff.get(m.id)?.next ?? 0) <= now,
      );
      soon.clear();
      for (const m of due) {
        if (stopped) break;
        const { outcome, error } = await deliverMessage({ db, engine, id: m.id, engineTimeoutMs });
        if (outcome === 'busy') {
          soon.add(m.id);
          soonTimer ??= setTimeout(() => {
            soonTimer = undefined;
            wake();
          }, 100);
        } else if (outcome === 'pending') {
          const failures = (backoff.get(m.id)?.failures ?? 0) + 1;
          backoff.set(m.id, { failures, next: Date.now() + Math.min(o.maxBackoffMs, o.pollMs * 2 ** (failures - 1)) });
          if (error instanceof EngineUnavailableError) {
            // no use asking about the others now: the sweep tries again (said once per outage)
            if (!engineAway) log.warn({ err: error }, 'message relay: engine unavailable; messages stay pending');
            engineAway = true;
            break;
          }
          if (error) log.warn({ err: error, messageId: m.id }, 'message relay: delivery refused; will try again');
          engineAway = false;
        } else {
          if (engineAway) log.info('message relay: engine answers again');
          engineAway = false;
          backoff.delete(m.id);
          log.info({ messageId: m.id, state: outcome }, outcome === 'delivered' ? 'message delivered' : 'message expired');
        }
      }
    });
  }

  /** Top-level (and own) instance ids of the engine events settled since the cursor; moves the cursor past them. */
  async function instancesWithNewEvents(t: Db): Promise<Set<string>> {
    const touched = new Set<string>();
    for (let reads = 0; reads < 10 && cursor; reads++) {
      const rows = (await t.execute(sql`
        select tx_id::text as "txId", id, process_instance_id as "instance", payload->>'rootProcessInstanceId' as "root"
        from engine_event
        where (tx_id, id) > (${cursor.txId}::xid8, ${cursor.id}::bigint) and ${SETTLED}
        order by tx_id, id limit ${EVENTS_PER_READ}`)) as unknown as {
        txId: string;
        id: string | number;
        instance: string | null;
        root: string | null;
      }[];
      for (const r of rows) {
        if (r.instance) touched.add(r.instance);
        if (r.root) touched.add(r.root);
      }
      const last = rows.at(-1);
      if (last) cursor = { txId: last.txId, id: Number(last.id) };
      if (rows.length < EVENTS_PER_READ) break;
    }
    return touched;
  }

  async function eventsEnd(t: Db): Promise<Cursor> {
    const [row] = (await t.execute(sql`
      select tx_id::text as "txId", id from engine_event where ${SETTLED} order by tx_id desc, id desc limit 1`)) as unknown as {
      txId: string;
      id: string | number;
    }[];
    return row ? { txId: row.txId, id: Number(row.id) } : { txId: '0', id: 0 };
  }

  listen();
  const timer = setInterval(() => {
    listen();
    wake();
  }, o.pollMs);
  timer.unref();
  wake();

  return {
    wake,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(soonTimer);
      const listener = await listening;
      await listener?.unlisten().catch(() => {});
      await running;
    },
  };
}
