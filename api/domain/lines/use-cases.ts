import { eq } from 'drizzle-orm';
import { LINE_PROCESS_ID, type LineCommission } from '../../../contracts/enterprise-line.ts';
import type { Db } from '../../../db/client.ts';
import { lineOrders } from '../../../db/schema.ts';
import type { ZeebeClient } from '../../../engine/camunda.ts';
import { recordAndStart } from '../record-and-start.ts';

/** Records an enterprise line's design commission and starts its process (the TMF622 routes will call this). */
export async function commissionLine({
  commission,
  db,
  zeebe,
  engineTimeoutMs,
}: {
  commission: LineCommission;
  db: Db;
  zeebe: ZeebeClient;
  engineTimeoutMs: number;
}) {
  const { id, processInstanceKey } = await recordAndStart({
    bpmnProcessId: LINE_PROCESS_ID,
    record: async () => {
      const [row] = await db
        .insert(lineOrders)
        .values({
          customer: commission.customer.name,
          customerLevel: commission.customer.level,
          service: commission.service,
          aEnd: commission.aEnd,
          zEnd: commission.zEnd,
          protectionLevel: commission.protectionLevel,
          circuits: commission.circuits,
          monthlyFeeCents: commission.monthlyFeeCents,
        })
        .returning({ id: lineOrders.id });
      if (!row) throw new Error('insert returned no row');
      return row.id;
    },
    variables: (lineOrderId) => ({ lineOrderId, ...commission }),
    attachInstance: async (lineOrderId, key) =>
      void (await db.update(lineOrders).set({ processInstanceKey: key }).where(eq(lineOrders.id, lineOrderId))),
    remove: async (lineOrderId) => void (await db.delete(lineOrders).where(eq(lineOrders.id, lineOrderId))),
    zeebe,
    engineTimeoutMs,
  });
  return { lineOrderId: id, processInstanceKey };
}
