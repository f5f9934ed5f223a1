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
 * order may be closing right now and the process's own compensation goes first.
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
}: {
  deps: Pick<WorkerDependencies, 'inventory' | 'orders' | 'lineOrders' | 'now'>;
  log: Logger;
  intervalMs?: number;
  graceMs?: number;
}): ReservationReconciler {
  let running: Promise<number> | undefined;

  async function pass(): Promise<number> {
    const holders = await deps.inventory.ordersWithReservationsBefore(new Date(deps.now().getTime() - graceMs));
    if (holders.length === 0) return 0;
    const closed = [
      ...(await deps.orders.closedWithoutServiceAmong(holders)),
      ...(await deps.lineOrders.closedWithoutServiceAmong(holders)),
    ];
    let released = 0;
    for (const orderId of closed) {
      const ports = await deps.inventory.releaseOrder(orderId);
      if (ports > 0) log.warn({ orderId, releasedPorts: ports }, 'released ports still reserved for an order closed without service');
      released += ports;
    }
    return released;
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
