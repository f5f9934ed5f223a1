import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { complaints } from '../../db/schema.ts';

/** The complaints workers update (the response center's complaint register). */
export interface ComplaintStore {
  recordDispatch(complaintId: string, dispatchInfo: object): Promise<void>;
  close(complaintId: string, customerSatisfied: boolean, at: Date): Promise<void>;
  /** The response center corrected the complaint's account (an error complaint). */
  correctAccount(complaintId: string, account: string): Promise<void>;
  /** Closes an error complaint the response center cancelled. */
  cancel(complaintId: string, at: Date, reason?: string | null): Promise<void>;
}

export class PostgresComplaintStore implements ComplaintStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async recordDispatch(complaintId: string, dispatchInfo: object) {
    await this.db.update(complaints).set({ dispatchInfo, state: 'inProgress' }).where(eq(complaints.id, complaintId));
  }

  async close(complaintId: string, customerSatisfied: boolean, at: Date) {
    await this.db
      .update(complaints)
      .set({ state: 'closed', customerSatisfied, closedAt: sql`coalesce(${complaints.closedAt}, ${at.toISOString()}::timestamptz)` })
      .where(eq(complaints.id, complaintId));
  }

  async correctAccount(complaintId: string, account: string) {
    await this.db.update(complaints).set({ account }).where(eq(complaints.id, complaintId));
  }

  async cancel(complaintId: string, at: Date, reason: string | null = null) {
    await this.db
      .update(complaints)
      .set({ state: 'cancelled', stateReason: reason, closedAt: sql`coalesce(${complaints.closedAt}, ${at.toISOString()}::timestamptz)` })
      .where(eq(complaints.id, complaintId));
  }
}
