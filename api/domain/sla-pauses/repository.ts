import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { instanceVariables, slaPauses, troubleTickets, userTasks } from '../../../db/schema.ts';
import { OPEN_PAUSE_STATES, PAUSABLE_TASK } from '../../../contracts/sla-pause.ts';

export type SlaPauseRow = typeof slaPauses.$inferSelect;

/** sla_pause and what the API needs around it: the ticket, its open repair task, its crew. */
export function createSlaPauseRepository(db: Db) {
  return {
    async ticket(id: string) {
      const [t] = await db.select().from(troubleTickets).where(eq(troubleTickets.id, id));
      return t;
    },
    /** The crew group the ticket was dispatched to (the process variable), if any yet. */
    async crewGroup(processInstanceKey: string): Promise<string | undefined> {
      const [v] = await db
        .select({ value: instanceVariables.value })
        .from(instanceVariables)
        .where(
          and(
            eq(instanceVariables.scopeKey, processInstanceKey),
            eq(instanceVariables.processInstanceKey, processInstanceKey),
            eq(instanceVariables.name, 'crewGroup'),
          ),
        );
      return typeof v?.value === 'string' ? v.value : undefined;
    },
    /** Whether the on-site repair is open now (read model; the engine has the last word when the message is correlated). */
    async repairOpen(processInstanceKey: string): Promise<boolean> {
      const [t] = await db
        .select({ key: userTasks.userTaskKey })
        .from(userTasks)
        .where(
          and(eq(userTasks.processInstanceKey, processInstanceKey), eq(userTasks.elementId, PAUSABLE_TASK), eq(userTasks.state, 'created')),
        )
        .limit(1);
      return t !== undefined;
    },
    /** Records a requested pause; undefined when the ticket has an open one already (the partial unique index). */
    async insertRequested(row: {
      ticketId: string;
      processInstanceKey: string;
      reason: string;
      note: string;
      evidenceRef: string | null;
      recordedBy: string;
    }): Promise<SlaPauseRow | undefined> {
      const [inserted] = await db.insert(slaPauses).values(row).onConflictDoNothing().returning();
      return inserted;
    },
    async remove(id: number) {
      await db.delete(slaPauses).where(and(eq(slaPauses.id, id), eq(slaPauses.state, 'requested')));
    },
    async open(ticketId: string): Promise<SlaPauseRow | undefined> {
      const [row] = await db
        .select()
        .from(slaPauses)
        .where(and(eq(slaPauses.ticketId, ticketId), inArray(slaPauses.state, [...OPEN_PAUSE_STATES])));
      return row;
    },
    async find(id: number): Promise<SlaPauseRow | undefined> {
      const [row] = await db.select().from(slaPauses).where(eq(slaPauses.id, id));
      return row;
    },
    async noteEnd(id: number, end: { endOutcome: string; appointmentAt: Date | null; endNote: string | null; endedBy: string }) {
      await db.update(slaPauses).set(end).where(eq(slaPauses.id, id));
    },
    async ofTicket(ticketId: string): Promise<SlaPauseRow[]> {
      return db.select().from(slaPauses).where(eq(slaPauses.ticketId, ticketId)).orderBy(asc(slaPauses.id));
    },
  };
}
export type SlaPauseRepository = ReturnType<typeof createSlaPauseRepository>;
