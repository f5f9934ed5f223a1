import { and, eq, gte, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { escalations, troubleTickets } from '../../db/schema.ts';

export interface Escalation {
  idempotencyKey: string;
  subjectId: string;
  level: string;
  reason: string;
  processInstanceKey: string;
  elementId: string;
}

/** The trouble tickets and escalations workers update (the response center's own tables). */
export interface TicketStore {
  exists(ticketId: string): Promise<boolean>;
  recordDiagnosis(ticketId: string, diagnosis: object, path: 'online' | 'field'): Promise<void>;
  /** Closes the ticket and flags it when the account had another fault in the 30 days before. */
  close(ticketId: string, resolutionPath: 'online' | 'field' | null, at: Date): Promise<{ repeated: boolean }>;
  /** The response center corrected the ticket's account or service (an error ticket). */
  correct(ticketId: string, correction: { account: string; service: string }): Promise<void>;
  /** Closes an error ticket the response center cancelled (TMF621 state cancelled); never flagged as repeated. */
  cancel(ticketId: string, at: Date, reason?: string | null): Promise<void>;
  /** Records one escalation per idempotency key; a repeat returns the first. */
  escalate(e: Escalation): Promise<void>;
}

export class PostgresTicketStore implements TicketStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async exists(ticketId: string) {
    return (await this.db.select({ id: troubleTickets.id }).from(troubleTickets).where(eq(troubleTickets.id, ticketId))).length > 0;
  }

  async recordDiagnosis(ticketId: string, diagnosis: object, path: 'online' | 'field') {
    await this.db
      .update(troubleTickets)
      .set({ diagnosis, resolutionPath: path, state: 'inProgress' })
      .where(eq(troubleTickets.id, ticketId));
  }

  async close(ticketId: string, resolutionPath: 'online' | 'field' | null, at: Date) {
    return this.db.transaction(async (tx) => {
      const [ticket] = await tx.select().from(troubleTickets).where(eq(troubleTickets.id, ticketId));
      if (!ticket) throw new Error(`ticket ${ticketId} is not in the ticket table`);
      const since = new Date(ticket.createdAt.getTime() - 30 * 24 * 3600_000);
      const earlier = await tx
        .select({ id: troubleTickets.id })
        .from(troubleTickets)
        .where(
          and(
            eq(troubleTickets.account, ticket.account),
            ne(troubleTickets.id, ticket.id),
            gte(troubleTickets.createdAt, since),
            lt(troubleTickets.createdAt, ticket.createdAt),
          ),
        )
        .limit(1);
      const repeated = earlier.length > 0;
      const iso = at.toISOString();
      await tx
        .update(troubleTickets)
        .set({
          state: 'closed',
          repeated,
          resolutionPath: resolutionPath ?? ticket.resolutionPath,
          resolvedAt: sql`coalesce(${troubleTickets.resolvedAt}, ${iso}::timestamptz)`,
          closedAt: sql`coalesce(${troubleTickets.closedAt}, ${iso}::timestamptz)`,
        })
        .where(eq(troubleTickets.id, ticketId));
      return { repeated };
    });
  }

  async correct(ticketId: string, correction: { account: string; service: string }) {
    await this.db.update(troubleTickets).set(correction).where(eq(troubleTickets.id, ticketId));
  }

  async cancel(ticketId: string, at: Date, reason: string | null = null) {
    await this.db
      .update(troubleTickets)
      // Not resolved at all: no resolution path counts towards the online-resolution rate.
      .set({
        state: 'cancelled',
        stateReason: reason,
        resolutionPath: null,
        closedAt: sql`coalesce(${troubleTickets.closedAt}, ${at.toISOString()}::timestamptz)`,
      })
      .where(eq(troubleTickets.id, ticketId));
  }

  async escalate(e: Escalation) {
    await this.db.insert(escalations).values(e).onConflictDoNothing({ target: escalations.idempotencyKey });
  }
}
