import { eq } from 'drizzle-orm';
import { LINE_MESSAGES, LINE_PROCESS_ID, type LineCommission } from '../../../contracts/enterprise-line.ts';
import type { Db } from '../../../db/client.ts';
import { lineOrders } from '../../../db/schema.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { errors } from '../../errors.ts';
import { sendMessage } from '../messages/use-cases.ts';
import { recordAndStart } from '../record-and-start.ts';

/** Records an enterprise line's design commission and starts its process (the TMF622 routes will call this). */
export async function commissionLine({
  commission,
  customerId = null,
  db,
  engine,
  engineTimeoutMs,
}: {
  commission: LineCommission;
  /** The customer account (CRM party id) it belongs to; customers see only their own. */
  customerId?: string | null;
  db: Db;
  engine: OperatonClient;
  engineTimeoutMs?: number;
}) {
  const { id, processInstanceKey } = await recordAndStart({
    bpmnProcessId: LINE_PROCESS_ID,
    record: async () => {
      const [row] = await db
        .insert(lineOrders)
        .values({
          customer: commission.customer.name,
          customerId,
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
    engine,
    engineTimeoutMs,
  });
  return { lineOrderId: id, processInstanceKey };
}

const FINAL_STATES = new Set(['completed', 'failed', 'cancelled']);

/**
 * A customer's cancellation of a line order: the process's event subprocess releases what the
 * branches reserved (compensation) and closes the order as cancelled. Recorded once per line order
 * (a repeat is the same cancellation) and delivered at once, or by the relay as soon as the
 * process can take it (api/domain/messages). A closed order refuses it (409).
 */
export async function cancelLineOrder({
  lineOrderId,
  reason,
  db,
  engine,
  engineTimeoutMs,
  log,
}: {
  lineOrderId: string;
  reason: string | undefined;
  db: Db;
  engine: OperatonClient;
  engineTimeoutMs?: number;
  log?: { warn(context: object, message: string): void };
}) {
  const [order] = await db
    .select({ state: lineOrders.state, processInstanceKey: lineOrders.processInstanceKey })
    .from(lineOrders)
    .where(eq(lineOrders.id, lineOrderId));
  if (!order) throw errors.orderNotFound(lineOrderId);
  if (FINAL_STATES.has(order.state)) throw errors.orderClosed(lineOrderId, order.state);
  const sent = await sendMessage({
    db,
    engine,
    businessKey: lineOrderId,
    messageName: LINE_MESSAGES.lineOrderCancelled,
    variables: { cancellationReason: reason ?? 'Cancelled by the customer' },
    processInstanceKey: order.processInstanceKey,
    engineTimeoutMs,
    log,
  });
  return { lineOrderId, state: order.state, message: sent.state };
}
