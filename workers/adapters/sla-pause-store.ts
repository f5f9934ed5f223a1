import { and, eq, ne, sql } from 'drizzle-orm';
import type { BusinessCalendar } from '../../calendar/business-calendar.ts';
import { PAUSE_LIMITS } from '../../contracts/sla-pause.ts';
import type { Db } from '../../db/client.ts';
import { slaPauses } from '../../db/schema.ts';
import { PermanentJobError } from '../job-definition.ts';

const HOUR = 3_600_000;

export interface PauseDeadlines {
  repairDueAt: Date;
  repairWarnAt: Date;
}

export interface EndedPause {
  pausedWorkingMs: number;
  confirmationRequired: boolean;
  /** Pauses of the ticket that count (this one included, if it does) and their working time. */
  pauses: number;
  pausedWorkingMsTotal: number;
}

export interface ResumedPause extends PauseDeadlines {
  outcome: 'counted' | 'refused';
}

/** The SLA pauses of trouble tickets (sla_pause): written by the fault process's pause steps, each step once. */
export interface SlaPauseStore {
  /** The clock pauses at `at` (engine time) with these deadlines; a repeat answers the first. */
  start(id: number, ticketId: string, at: Date, deadlines: PauseDeadlines): Promise<void>;
  /** The wait ended at `at`: the paused working time, and whether it is above the limit (so the response center decides). */
  end(id: number, at: Date, calendar: BusinessCalendar): Promise<EndedPause>;
  /**
   * The clock resumes: the deadlines move by the paused working time (each remaining working time is
   * counted again from the wait's end), or stay where they were when the response center refused.
   */
  resume(id: number, confirmed: boolean | null, at: Date, calendar: BusinessCalendar): Promise<ResumedPause>;
}

/**
 * The instant `deadline` moves to when the clock, paused from `pausedAt`, resumes at `resumedAt`: the
 * working time that was left before it is counted again from the resumption on the business
 * calendar. A deadline already past when the clock paused stays where it was (a pause cannot undo a breach).
 */
export function movedDeadline(calendar: BusinessCalendar, deadline: Date, pausedAt: Date, resumedAt: Date): Date {
  if (deadline.getTime() <= pausedAt.getTime()) return deadline;
  return calendar.addWorkingMillis(resumedAt, calendar.workingMillisBetween(pausedAt, deadline));
}

export class PostgresSlaPauseStore implements SlaPauseStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  private async row(id: number) {
    const [row] = await this.db.select().from(slaPauses).where(eq(slaPauses.id, id));
    if (!row) throw new PermanentJobError(`SLA pause ${id} is not in sla_pause`);
    return row;
  }

  async start(id: number, ticketId: string, at: Date, d: PauseDeadlines) {
    const updated = await this.db
      .update(slaPauses)
      .set({ state: 'active', startedAt: at, dueBefore: d.repairDueAt, warnBefore: d.repairWarnAt })
      .where(and(eq(slaPauses.id, id), eq(slaPauses.state, 'requested')))
      .returning({ id: slaPauses.id });
    if (updated.length > 0) return;
    const row = await this.row(id);
    if (row.ticketId !== ticketId) throw new PermanentJobError(`SLA pause ${id} belongs to ${row.ticketId}, not ${ticketId}`);
  }

  async end(id: number, at: Date, calendar: BusinessCalendar): Promise<EndedPause> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(slaPauses).where(eq(slaPauses.id, id)).for('update');
      if (!row?.startedAt) throw new PermanentJobError(`SLA pause ${id} has not started`);
      // The ticket's (or install order's) earlier pauses that counted (refused ones do not).
      const [before] = (await tx.execute(sql`
        select count(*)::int as pauses, coalesce(sum(paused_working_ms), 0)::bigint as ms
        from sla_pause where ${row.orderId ? sql`order_id = ${row.orderId}` : sql`ticket_id = ${row.ticketId}`}
          and state = 'counted' and id <> ${id}`)) as unknown as {
        pauses: number;
        ms: string;
      }[];
      const pausedWorkingMs = row.pausedWorkingMs ?? calendar.workingMillisBetween(row.startedAt, at);
      const pauses = (before?.pauses ?? 0) + 1;
      const pausedWorkingMsTotal = Number(before?.ms ?? 0) + pausedWorkingMs;
      const confirmationRequired =
        row.confirmationRequired ??
        (pauses > PAUSE_LIMITS.pausesWithoutConfirmation ||
          pausedWorkingMsTotal > PAUSE_LIMITS.pausedWorkingHoursWithoutConfirmation * HOUR);
      if (row.endedAt === null) {
        await tx
          .update(slaPauses)
          .set({
            endedAt: at,
            pausedWorkingMs,
            confirmationRequired,
            ...(confirmationRequired ? { state: 'awaiting-confirmation' } : {}),
          })
          .where(eq(slaPauses.id, id));
      }
      return { pausedWorkingMs, confirmationRequired, pauses, pausedWorkingMsTotal };
    });
  }

  async resume(id: number, confirmed: boolean | null, at: Date, calendar: BusinessCalendar): Promise<ResumedPause> {
    const row = await this.row(id);
    if (!row.startedAt || !row.endedAt || !row.dueBefore || !row.warnBefore)
      throw new PermanentJobError(`SLA pause ${id} has not ended (${row.state})`);
    if ((row.state === 'counted' || row.state === 'refused') && row.dueAfter && row.warnAfter)
      return { outcome: row.state, repairDueAt: row.dueAfter, repairWarnAt: row.warnAfter };
    const refused = row.confirmationRequired === true && confirmed !== true;
    let due = row.dueBefore;
    let warn = row.warnBefore;
    if (!refused) {
      due = movedDeadline(calendar, row.dueBefore, row.startedAt, row.endedAt);
      // A warning given before the pause is armed again at the same lead before the new deadline.
      warn =
        row.warnBefore.getTime() > row.startedAt.getTime()
          ? movedDeadline(calendar, row.warnBefore, row.startedAt, row.endedAt)
          : new Date(due.getTime() - (row.dueBefore.getTime() - row.warnBefore.getTime()));
    }
    await this.db
      .update(slaPauses)
      .set({ state: refused ? 'refused' : 'counted', decidedAt: at, dueAfter: due, warnAfter: warn })
      .where(and(eq(slaPauses.id, id), ne(slaPauses.state, 'counted'), ne(slaPauses.state, 'refused')));
    return { outcome: refused ? 'refused' : 'counted', repairDueAt: due, repairWarnAt: warn };
  }
}
