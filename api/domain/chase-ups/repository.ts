import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { chaseUps } from '../../../db/schema.ts';
import { branchOfGrid } from '../../../contracts/organisation.ts';
import type { SubjectRecord } from '../status/repository.ts';
import { type ChaseUpChannel, type ChaseUpRole, type ChaseUpSummary } from './schemas.ts';

export type ChaseUpRow = typeof chaseUps.$inferSelect;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** The step a chase-up presses on: the open user tasks of the order's instances (or the active wait without one). */
export interface CurrentStep {
  elementIds: string[];
  taskKeys: string[];
  holders: string[];
  startedAt: Date | null;
  dueAt: Date | null;
}

/**
 * Telephone area codes of the branches: broadband accounts carry them (0991-HB-100001), so an
 * account the resource inventory does not know still lands in a branch.
 */
export const BRANCH_OF_AREA_CODE: Record<string, string> = { '0991': 'urumqi', '0998': 'kashgar', '0999': 'yili', '029': 'xian' };

export function branchOfAccount(account: string | null | undefined): string | null {
  if (!account) return null;
  return BRANCH_OF_AREA_CODE[account.split('-')[0] ?? ''] ?? null;
}

export function createChaseUpRepository({ db }: { db: Db }) {
  return {
    /** The step the order or ticket is at now: its open user tasks, else its latest active wait. */
    async currentStep(processInstanceKey: string | null): Promise<CurrentStep> {
      const empty: CurrentStep = { elementIds: [], taskKeys: [], holders: [], startedAt: null, dueAt: null };
      if (!processInstanceKey) return empty;
      const tree = sql`(select ${processInstanceKey}::bigint union all
                        select process_instance_key from process_instance where root_process_instance_key = ${processInstanceKey}::bigint)`;
      const tasks = (await db.execute(sql`
        select user_task_key::text as key, element_id as "elementId", assignee, candidate_groups as groups,
               created_at as "createdAt", due_date as "dueDate"
        from user_task where state = 'created' and process_instance_key in ${tree}
        order by created_at`)) as unknown as {
        key: string;
        elementId: string;
        assignee: string | null;
        groups: string[];
        createdAt: string | Date;
        dueDate: string | null;
      }[];
      if (tasks.length > 0) {
        const dues = tasks.map((t) => (t.dueDate ? Date.parse(t.dueDate) : NaN)).filter((d) => !Number.isNaN(d));
        return {
          elementIds: [...new Set(tasks.map((t) => t.elementId))],
          taskKeys: tasks.map((t) => t.key),
          holders: [...new Set(tasks.flatMap((t) => (t.assignee ? [t.assignee] : t.groups)))],
          startedAt: new Date(Math.max(...tasks.map((t) => new Date(t.createdAt).getTime()))),
          dueAt: dues.length ? new Date(Math.min(...dues)) : null,
        };
      }
      const [wait] = (await db.execute(sql`
        select element_id as "elementId", started_at as "startedAt" from instance_stage
        where state = 'active' and process_instance_key in ${tree}
          and element_type not in ('PROCESS', 'SUB_PROCESS', 'CALL_ACTIVITY', 'MULTI_INSTANCE_BODY', 'BOUNDARY_EVENT')
        order by started_at desc limit 1`)) as unknown as { elementId: string; startedAt: string | Date }[];
      return wait ? { ...empty, elementIds: [wait.elementId], startedAt: new Date(wait.startedAt) } : empty;
    },

    /** The branch that answers for the order or ticket: of its grid, its line's A end, or its account. */
    async branchOf(subject: SubjectRecord): Promise<string | null> {
      const row = subject.row;
      switch (row.kind) {
        case 'order':
          return branchOfGrid(row.value.grid);
        case 'change':
          return branchOfGrid(row.order.grid);
        case 'line':
          return (row.value.aEnd as { branch?: string }).branch ?? null;
        case 'ticket': {
          const grid = (row.value.diagnosis as { line?: { grid?: string } } | null)?.line?.grid;
          return branchOfGrid(grid) ?? (await this.branchOfLineAccount(row.value.account));
        }
        case 'complaint': {
          const grid = (row.value.dispatchInfo as { grid?: string } | null)?.grid;
          return branchOfGrid(grid) ?? (await this.branchOfLineAccount(row.value.account));
        }
      }
    },

    /** The account's line in the resource inventory (its grid), else the account's area code. */
    async branchOfLineAccount(account: string): Promise<string | null> {
      const [line] = (await db.execute(sql`select grid from sim_line where account = ${account}`)) as unknown as { grid: string }[];
      return branchOfGrid(line?.grid) ?? branchOfAccount(account);
    },

    /**
     * Runs `work` holding the subject's chase-up lock (one transaction), so two presses at the same
     * moment are numbered one after the other, never both "the second".
     */
    async locked<T>(subjectId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext('chase-up'), hashtext(${subjectId}))`);
        return work(tx);
      });
    },

    /** The counted chase-up a press within the fold window belongs to, if any. */
    async recent(tx: Tx, subjectId: string, foldSeconds: number): Promise<ChaseUpRow | undefined> {
      const [row] = await tx
        .select()
        .from(chaseUps)
        .where(and(eq(chaseUps.subjectId, subjectId), gte(chaseUps.createdAt, sql`now() - make_interval(secs => ${foldSeconds})`)))
        .orderBy(desc(chaseUps.createdAt))
        .limit(1);
      return row;
    },

    async countSince(tx: Tx, subjectId: string, since: Date | null): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(chaseUps)
        .where(and(eq(chaseUps.subjectId, subjectId), since ? gte(chaseUps.createdAt, since) : sql`true`));
      return row?.n ?? 0;
    },

    async foldPress(tx: Tx, id: number): Promise<ChaseUpRow> {
      const [row] = await tx
        .update(chaseUps)
        .set({ repeatPresses: sql`${chaseUps.repeatPresses} + 1`, lastPressedAt: sql`now()` })
        .where(eq(chaseUps.id, id))
        .returning();
      return row!;
    },

    async insert(tx: Tx, values: typeof chaseUps.$inferInsert): Promise<ChaseUpRow> {
      const [row] = await tx.insert(chaseUps).values(values).returning();
      return row!;
    },

    async attachEscalation(tx: Tx, id: number, escalation: { escalationId: number; processInstanceKey: string | null }) {
      const [row] = await tx
        .update(chaseUps)
        .set({ escalationId: escalation.escalationId, escalationProcessInstanceKey: escalation.processInstanceKey })
        .where(eq(chaseUps.id, id))
        .returning();
      return row!;
    },

    async ofSubject(subjectId: string): Promise<ChaseUpRow[]> {
      return db.select().from(chaseUps).where(eq(chaseUps.subjectId, subjectId)).orderBy(desc(chaseUps.createdAt), desc(chaseUps.id));
    },

    /**
     * What the clerks holding tasks see: per task, the counted chase-ups on its order or ticket,
     * those made while the task was open, and the latest. One query for a whole task list.
     */
    async summaries<T extends { businessKey: string | null; createdAt: Date }>(tasks: T[]): Promise<ChaseUpSummary[]> {
      const keys = [...new Set(tasks.map((t) => t.businessKey).filter((k): k is string => !!k))];
      const rows = keys.length
        ? await db.select().from(chaseUps).where(inArray(chaseUps.subjectId, keys)).orderBy(desc(chaseUps.createdAt), desc(chaseUps.id))
        : [];
      return tasks.map((t) => summarise(t.businessKey ? rows.filter((r) => r.subjectId === t.businessKey) : [], t.createdAt));
    },
  };
}
export type ChaseUpRepository = ReturnType<typeof createChaseUpRepository>;

/** Newest first in, the clerk's summary out. */
export function summarise(rows: ChaseUpRow[], taskCreatedAt: Date): ChaseUpSummary {
  const latest = rows[0];
  return {
    count: rows.length,
    sinceTaskCreated: rows.filter((r) => r.createdAt.getTime() >= taskCreatedAt.getTime()).length,
    latest: latest
      ? {
          id: String(latest.id),
          at: latest.createdAt.toISOString(),
          by: latest.requestedByName,
          role: latest.requestedByRole as ChaseUpRole,
          channel: latest.channel as ChaseUpChannel,
          note: latest.note,
          escalationLevel: (latest.escalationLevel as 'branch' | 'region' | null) ?? null,
        }
      : null,
  };
}
