import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerDependencies, type WorkerDependencies } from '../workers/dependencies.ts';
import { checkResources } from '../workers/job-types/check-resources.ts';
import { startReservationReconciler } from '../workers/reconcile-reservations.ts';
import { completeTask, validOrder, waitForTask, type OrderView } from './support/orders.ts';
import { eventually, silentLog, startPlatform, type Platform } from './support/platform.ts';

describe('resource reconciliation (资源稽核)', () => {
  let platform: Platform;
  let deps: WorkerDependencies;
  beforeAll(async () => {
    platform = await startPlatform();
    deps = createWorkerDependencies(platform.database.db);
  });
  afterAll(async () => platform?.close());

  const getOrder = async (id: string) => (await platform.app.inject({ method: 'GET', url: `/orders/${id}` })).json() as OrderView;
  const placeOrder = async () => (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
  const portStatus = async (label: string) =>
    (
      await platform.database.sql<{ status: string }[]>`
        select status from resource_port where olt || ' ' || pon_port || ':' || splitter_port = ${label}`
    )[0]?.status;

  it('a port reserved by a resource check still running when its order was cancelled goes back to the pool; a live order keeps its port', async () => {
    // given an order the customer cancelled while its resource check was (say) still running
    const cancelled = await placeOrder();
    await waitForTask(platform, 'order-center', cancelled.id, 'review-order');
    expect((await platform.app.inject({ method: 'POST', url: `/orders/${cancelled.id}/cancel` })).statusCode).toBe(202);
    await eventually(async () => {
      const o = await getOrder(cancelled.id);
      return o.state === 'cancelled' && o.processState === 'completed';
    });
    // and that resource check reserving its port only now, after the compensation released everything
    // (the engine refuses such a job's completion: nothing in the process would free the port)
    const late = await checkResources.handler({
      variables: { orderId: cancelled.id, grid: 'URC-TS-01' },
      job: {
        key: '9007199254741001',
        type: 'check-resources',
        processInstanceKey: cancelled.processInstanceKey,
        elementInstanceKey: '9007199254741002',
        elementId: 'check-resources',
        bpmnProcessId: 'home-broadband-new-install',
        retries: 5,
        idempotencyKey: `home-broadband-new-install:check-resources:late-${cancelled.id}`,
      },
      deps,
      log: silentLog,
    });
    expect(await portStatus(late.port.label)).toBe('reserved');
    // and a live order holding the port its own resource check reserved
    const live = await placeOrder();
    await completeTask(platform, (await waitForTask(platform, 'order-center', live.id, 'review-order')).key, { reviewApproved: true });
    await eventually(async () => (await deps.inventory.portsOf(live.id)).length === 1);

    // when reconciliation runs with the default grace period, a reservation this young is left to the process
    const patient = startReservationReconciler({ deps, log: silentLog, intervalMs: 3_600_000 });
    await patient.runOnce();
    await patient.stop();
    expect(await portStatus(late.port.label)).toBe('reserved');

    // and when it runs past the grace period
    const reconciler = startReservationReconciler({ deps, log: silentLog, intervalMs: 3_600_000, graceMs: 0 });
    const released = await reconciler.runOnce();
    await reconciler.stop();

    // then the cancelled order's port is free again, and the live order keeps its own
    expect(released).toBeGreaterThanOrEqual(1);
    expect(await portStatus(late.port.label)).toBe('free');
    expect(await deps.inventory.portsOf(cancelled.id)).toEqual([]);
    expect(await deps.inventory.portsOf(live.id)).toHaveLength(1);
    await platform.engine.deleteProcessInstance(live.processInstanceKey);
  });
});
