import { eq } from 'drizzle-orm';
import { CHANGE_PROCESS_ID, type ChangeRequest } from '../../../contracts/change.ts';
import type { Db } from '../../../db/client.ts';
import { orders, serviceChanges } from '../../../db/schema.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { errors } from '../../errors.ts';
import { recordAndStart } from '../record-and-start.ts';

/** Records a change to a completed order's line and starts its process (the TMF622 modify routes will call this). */
export async function requestChange({
  orderId,
  change,
  db,
  engine,
  engineTimeoutMs,
}: {
  orderId: string;
  change: ChangeRequest;
  db: Db;
  engine: OperatonClient;
  engineTimeoutMs?: number;
}) {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) throw errors.orderNotFound(orderId);
  const { id, processInstanceKey } = await recordAndStart({
    bpmnProcessId: CHANGE_PROCESS_ID,
    record: async () => {
      const [row] = await db
        .insert(serviceChanges)
        .values({ orderId, changeType: change.changeType, details: change })
        .returning({ id: serviceChanges.id });
      if (!row) throw new Error('insert returned no row');
      return row.id;
    },
    variables: (changeId) => ({
      changeId,
      orderId,
      customer: { name: order.customerName, phone: order.customerPhone, level: order.customerLevel },
      address: order.address,
      grid: order.grid,
      product: order.product as Record<string, never>,
      ...change,
    }),
    attachInstance: async (changeId, key) =>
      void (await db.update(serviceChanges).set({ processInstanceKey: key }).where(eq(serviceChanges.id, changeId))),
    remove: async (changeId) => void (await db.delete(serviceChanges).where(eq(serviceChanges.id, changeId))),
    engine,
    engineTimeoutMs,
  });
  return { changeId: id, processInstanceKey };
}
