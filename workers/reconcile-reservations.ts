import type { Logger } from 'pino';
import type { WorkerDependencies } from './dependencies.ts';

/**
 * Resource reconciliation (资源稽核): a port still reserved for an order that was closed without
 * service (cancelled or failed) goes back to the free pool.
 *
 * Why: a cancellation's compensation releases what the order holds, but a resource check that is
 * already running at that moment can reserve a port after the release; the engine then refuses
 * that job's completion (its element was terminated) and nothing in the process would ever free
 * the port, so the grid slowly runs out. A reservation younger than `graceMs` is left alone: its
 * order may be closing right now and the process's own compensation goes first. Only orders
 * closed within `lookbackMs` are looked at (a late reservation comes within a job's timeout of the
 * close; the pass runs every minute), so a pass costs the day's cancellations, not the inventory.
 */
export interface ReservationReconciler {
  /** One pass; resolves with the number of ports released. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function startReservationReconciler({
  deps,
  log,
  intervalMs = 60_000,
  graceMs = 60_000,
  lookbackMs = 7 * 24 * 3_600_000,
}: {
  deps: Pick<WorkerDependencies, 'inventory' | 'orders' | 'lineOrders' | 'now'>;
  log: Logger;
  intervalMs?: number;
  graceMs?: number;
  lookbackMs?: number;
}): ReservationReconciler {
  let running: Promise<number> | undefined;

  async function pass(): Promise<number> {
    const now = deps.now().getTime();
    const since = new Date(now - lookbackMs);
    const closed = [...(await deps.orders.closedWithoutServiceSince(since)), ...(await deps.lineOrders.closedWithoutServiceSince(since))];
    let released = 0;
    for (let i = 0; i < closed.length; i += 1_000) {
      const holders = await deps.inventory.holdingReservationsBefore(closed.slice(i, i + 1_000), new Date(now - graceMs));
      for (const orderId of holders) released += await release(orderId);
    }
    return released;
  }

  async function release(orderId: string): Promise<number> {
    const ports = await deps.inventory.releaseOrder(orderId);
    if (ports > 0) log.warn({ orderId, releasedPorts: ports }, 'released ports still reserved for an order closed without service');
    return ports;
  }

  function runOnce(): Promise<number> {
    running ??= pass().finally(() => (running = undefined));
    return running;
  }

  const timer = setInterval(() => {
    runOnce().catch((e: unknown) => log.warn({ err: e }, 'reservation reconciliation failed; will retry'));
  }, intervalMs);
  timer.unref();

  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
