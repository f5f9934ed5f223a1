import { eq } from 'drizzle-orm';
import { FAULT_PROCESS_ID, type FaultVariables } from '../../../contracts/fault.ts';
import type { Db } from '../../../db/client.ts';
import { troubleTickets } from '../../../db/schema.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { recordAndStart } from '../record-and-start.ts';

export type ReportFault = Omit<FaultVariables, 'ticketId'>;

/** Records a trouble ticket and starts its fault process (the TMF621 troubleTicket routes will call this). */
export async function reportFault({
  fault,
  customerId = null,
  db,
  engine,
  engineTimeoutMs,
}: {
  fault: ReportFault;
  /** The customer account (CRM party id) it belongs to; customers see only their own. */
  customerId?: string | null;
  db: Db;
  engine: OperatonClient;
  engineTimeoutMs?: number;
}) {
  const { id, processInstanceKey } = await recordAndStart({
    bpmnProcessId: FAULT_PROCESS_ID,
    record: async () => {
      const [row] = await db
        .insert(troubleTickets)
        .values({
          account: fault.account,
          customerName: fault.customer.name,
          customerId,
          customerLevel: fault.customer.level,
          service: fault.service,
          source: fault.source,
          description: fault.description,
        })
        .returning({ id: troubleTickets.id });
      if (!row) throw new Error('insert returned no row');
      return row.id;
    },
    variables: (ticketId): FaultVariables => ({ ticketId, ...fault }),
    attachInstance: async (ticketId, key) =>
      void (await db.update(troubleTickets).set({ processInstanceKey: key }).where(eq(troubleTickets.id, ticketId))),
    remove: async (ticketId) => void (await db.delete(troubleTickets).where(eq(troubleTickets.id, ticketId))),
    engine,
    engineTimeoutMs,
  });
  return { ticketId: id, processInstanceKey };
}
