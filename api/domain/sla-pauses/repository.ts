import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { instanceVariables, orders, slaPauses, troubleTickets, userTasks } from '../../../db/schema.ts';
import { OPEN_PAUSE_STATES, PAUSABLE_INSTALL_TASKS, PAUSABLE_TASK } from '../../../contracts/sla-pause.ts';

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
    // Home-broadband install orders (HB…): the same rows, keyed by order_id.
    async order(id: string) {
      const [o] = await db.select().from(orders).where(eq(orders.id, id));
      return o;
    },
    /** The install crew the order was dispatched to (`dispatch.crewGroup`), if dispatched yet. */
    async installCrewGroup(processInstanceKey: string): Promise<string | undefined> {
      const [v] = await db
        .select({ value: instanceVariables.value })
        .from(instanceVariables)
        .where(
          and(
            eq(instanceVariables.scopeKey, processInstanceKey),
            eq(instanceVariables.processInstanceKey, processInstanceKey),
            eq(instanceVariables.name, 'dispatch'),
          ),
        );
      const crew = (v?.value as { crewGroup?: unknown } | null | undefined)?.crewGroup;
      return typeof crew === 'string' ? crew : undefined;
    },
    /** Whether the order is between dispatch and activation: the appointment or the on-site install is open. */
    async installOpen(processInstanceKey: string): Promise<boolean> {
      const [t] = await db
        .select({ key: userTasks.userTaskKey })
        .from(userTasks)
        .where(
          and(
            eq(userTasks.processInstanceKey, processInstanceKey),
            inArray(userTasks.elementId, [...PAUSABLE_INSTALL_TASKS]),
            eq(userTasks.state, 'created'),
          ),
        )
        .limit(1);
      return t !== undefined;
    },
    /** Records an install order's wait, its clock paused at once (no process step between); undefined when one is open. */
    async insertActiveForOrder(row: {
      orderId: string;
      processInstanceKey: string;
      reason: string;
      note: string;
      evidenceRef: string | null;
      recordedBy: string;
      startedAt: Date;
      dueBefore: Date;
    }): Promise<SlaPauseRow | undefined> {
      const [inserted] = await db
        .insert(slaPauses)
        .values({ ...row, state: 'active' })
        .onConflictDoNothing()
        .returning();
      return inserted;
    },
    async openOfOrder(orderId: string): Promise<SlaPauseRow | undefined> {
      const [row] = await db
        .select()
        .from(slaPauses)
        .where(and(eq(slaPauses.orderId, orderId), inArray(slaPauses.state, [...OPEN_PAUSE_STATES])));
      return row;
    },
    async ofOrder(orderId: string): Promise<SlaPauseRow[]> {
      return db.select().from(slaPauses).where(eq(slaPauses.orderId, orderId)).orderBy(asc(slaPauses.id));
    },
    /** The clock resumes (counted) or the due stands (refused): only from the state the caller saw, so a decision is taken once. */
    async settle(
      id: number,
      from: 'active' | 'awaiting-confirmation',
      set: { state: 'counted' | 'refused'; decidedAt: Date; dueAfter: Date; decidedBy?: string; decisionNote?: string | null },
    ): Promise<SlaPauseRow | undefined> {
      const [row] = await db
        .update(slaPauses)
        .set(set)
        .where(and(eq(slaPauses.id, id), eq(slaPauses.state, from)))
        .returning();
      return row;
    },
  };
}
export type SlaPauseRepository = ReturnType<typeof createSlaPauseRepository>;
