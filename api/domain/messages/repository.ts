import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { engineMessages } from '../../../db/schema.ts';

/** pending: recorded, not yet taken by its process; delivered: correlated; expired: its process instance ended first. */
export type MessageState = 'pending' | 'delivered' | 'expired';

export type MessageRow = Omit<typeof engineMessages.$inferSelect, 'state' | 'variables'> & {
  state: MessageState;
  variables: Record<string, unknown>;
};

export interface NewMessage {
  businessKey: string;
  messageName: string;
  /** The business object's top-level instance: when it has ended, a pending message expires. */
  processInstanceKey: string | null;
  variables: Record<string, unknown>;
}

const toRow = (row: typeof engineMessages.$inferSelect): MessageRow => ({
  ...row,
  state: row.state as MessageState,
  variables: (row.variables ?? {}) as Record<string, unknown>,
});

/** engine_message: customers' messages to processes, recorded before delivery (one per business key and message name). */
export function createMessageRepository(db: Db) {
  return {
    /** Records a message once: a repeat (same business key and name) is the same message and answers the first one's row. */
    async record(message: NewMessage): Promise<{ row: MessageRow; repeated: boolean }> {
      const [inserted] = await db
        .insert(engineMessages)
        .values(message)
        .onConflictDoNothing({ target: [engineMessages.businessKey, engineMessages.messageName] })
        .returning();
      if (inserted) return { row: toRow(inserted), repeated: false };
      const existing = await this.findByName(message.businessKey, message.messageName);
      if (!existing) throw new Error(`engine_message ${message.messageName} of ${message.businessKey} neither inserted nor found`);
      return { row: existing, repeated: true };
    },

    async findByName(businessKey: string, messageName: string): Promise<MessageRow | undefined> {
      const [row] = await db
        .select()
        .from(engineMessages)
        .where(and(eq(engineMessages.businessKey, businessKey), eq(engineMessages.messageName, messageName)));
      return row && toRow(row);
    },

    async find(id: number): Promise<MessageRow | undefined> {
      const [row] = await db.select().from(engineMessages).where(eq(engineMessages.id, id));
      return row && toRow(row);
    },

    /** Pending messages, oldest first: what the relay still has to deliver. */
    async pending(limit = 500): Promise<{ id: number; processInstanceKey: string | null }[]> {
      return db
        .select({ id: engineMessages.id, processInstanceKey: engineMessages.processInstanceKey })
        .from(engineMessages)
        .where(eq(engineMessages.state, 'pending'))
        .orderBy(asc(engineMessages.id))
        .limit(limit);
    },

    /** The outcome of one delivery attempt. */
    async noteAttempt(id: number, state: MessageState, note: string | null): Promise<void> {
      await db
        .update(engineMessages)
        .set({
          state,
          attempts: sql`${engineMessages.attempts} + 1`,
          lastError: note,
          ...(state === 'delivered' ? { deliveredAt: sql`now()` } : {}),
        })
        .where(and(eq(engineMessages.id, id), eq(engineMessages.state, 'pending')));
    },
  };
}
export type MessageRepository = ReturnType<typeof createMessageRepository>;
