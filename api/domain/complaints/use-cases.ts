import { eq } from 'drizzle-orm';
import { COMPLAINT_PROCESS_ID, type ComplaintVariables } from '../../../contracts/complaint.ts';
import type { Db } from '../../../db/client.ts';
import { complaints } from '../../../db/schema.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { recordAndStart } from '../record-and-start.ts';

export type ReportComplaint = Omit<ComplaintVariables, 'complaintId'>;

/** Records a complaint and starts its process (the TMF621 troubleTicket routes will call this). */
export async function reportComplaint({
  complaint,
  customerId = null,
  db,
  engine,
  engineTimeoutMs,
}: {
  complaint: ReportComplaint;
  /** The customer account (CRM party id) it belongs to; customers see only their own. */
  customerId?: string | null;
  db: Db;
  engine: OperatonClient;
  engineTimeoutMs?: number;
}) {
  const { id, processInstanceKey } = await recordAndStart({
    bpmnProcessId: COMPLAINT_PROCESS_ID,
    record: async () => {
      const [row] = await db
        .insert(complaints)
        .values({
          account: complaint.account,
          customerName: complaint.customer.name,
          customerId,
          customerLevel: complaint.customer.level,
          category: complaint.category,
          description: complaint.description,
        })
        .returning({ id: complaints.id });
      if (!row) throw new Error('insert returned no row');
      return row.id;
    },
    variables: (complaintId): ComplaintVariables => ({ complaintId, ...complaint }),
    attachInstance: async (complaintId, key) =>
      void (await db.update(complaints).set({ processInstanceKey: key }).where(eq(complaints.id, complaintId))),
    remove: async (complaintId) => void (await db.delete(complaints).where(eq(complaints.id, complaintId))),
    engine,
    engineTimeoutMs,
  });
  return { complaintId: id, processInstanceKey };
}
