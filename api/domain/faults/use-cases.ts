import { eq } from 'drizzle-orm';
import { FAULT_PROCESS_ID, type FaultVariables } from '../../../contracts/fault.ts';
import type { Db } from '../../../db/client.ts';
import { troubleTickets } from '../../../db/schema.ts';
import { withEngineTimeout, type ZeebeClient } from '../../../engine/camunda.ts';

export type ReportFault = Omit<FaultVariables, 'ticketId'>;

/**
 * Records a trouble ticket and starts its fault process (the TMF621 troubleTicket routes will
 * call this). As with orders, the ticket is committed first and removed if the engine refuses.
 */
export async function reportFault({
  fault,
  db,
  zeebe,
  engineTimeoutMs,
}: {
  fault: ReportFault;
  db: Db;
  zeebe: ZeebeClient;
  engineTimeoutMs: number;
}) {
  const [ticket] = await db
    .insert(troubleTickets)
    .values({
      account: fault.account,
      customerName: fault.customer.name,
      customerLevel: fault.customer.level,
      service: fault.service,
      source: fault.source,
      description: fault.description,
    })
    .returning();
  if (!ticket) throw new Error('insert returned no row');
  try {
    const variables: FaultVariables = { ticketId: ticket.id, ...fault };
    const { processInstanceKey } = await withEngineTimeout(
      zeebe.createProcessInstance({ bpmnProcessId: FAULT_PROCESS_ID, variables }),
      engineTimeoutMs,
      'starting the fault process',
    );
    await db.update(troubleTickets).set({ processInstanceKey }).where(eq(troubleTickets.id, ticket.id));
    return { ticketId: ticket.id, processInstanceKey };
  } catch (e) {
    await db.delete(troubleTickets).where(eq(troubleTickets.id, ticket.id));
    throw e;
  }
}
