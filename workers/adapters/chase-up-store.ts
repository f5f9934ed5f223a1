import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { chaseUps } from '../../db/schema.ts';

/** The chase-ups register (催单记录) the response center's follow-up is written back to. */
export interface ChaseUpStore {
  /** Records the follow-up of an escalated chase-up once; a redelivered job changes nothing. */
  recordHandling(h: { chaseUpId: number; outcome: string; note: string; at: Date }): Promise<void>;
}

export class PostgresChaseUpStore implements ChaseUpStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async recordHandling({ chaseUpId, outcome, note, at }: { chaseUpId: number; outcome: string; note: string; at: Date }) {
    await this.db
      .update(chaseUps)
      .set({ handlingOutcome: outcome, handlingNote: note, handledAt: at })
      .where(and(eq(chaseUps.id, chaseUpId), isNull(chaseUps.handledAt)));
  }
}
