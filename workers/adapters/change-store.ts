import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { serviceChanges } from '../../db/schema.ts';

/** done; refused (no port at the new address); cancelled (an error change the order center cancelled). */
export type ChangeOutcome = 'done' | 'refused' | 'cancelled';

/** The change requests workers close. */
export interface ChangeStore {
  close(changeId: string, outcome: ChangeOutcome, at: Date, reason?: string | null): Promise<void>;
}

export class PostgresChangeStore implements ChangeStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async close(changeId: string, outcome: ChangeOutcome, at: Date, reason: string | null = null) {
    await this.db
      .update(serviceChanges)
      .set({ state: outcome, stateReason: reason, closedAt: sql`coalesce(${serviceChanges.closedAt}, ${at.toISOString()}::timestamptz)` })
      .where(eq(serviceChanges.id, changeId));
  }
}
