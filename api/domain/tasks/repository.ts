import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { forms, userTasks } from '../../../db/schema.ts';
import { BRANCH_OF_CITY } from '../../../contracts/organisation.ts';
import type { TaskListQuery } from './schemas.ts';
import { createChaseUpRepository } from '../chase-ups/repository.ts';
import type { ChaseUpSummary } from '../chase-ups/schemas.ts';

/** Variables that describe what a task is about; the rest (diagnoses, form answers, …) stay out of lists. */
export const CONTEXT_VARIABLES = [
  'orderId',
  'changeId',
  'changeType',
  'ticketId',
  'complaintId',
  'lineOrderId',
  'line',
  'month',
  'customer',
  'account',
  'service',
  'grid',
  'address',
  'product',
  'category',
  'aEnd',
  'zEnd',
  'workPackage',
  'dispatch',
  'guide',
  'diagnosis',
  'errorMessage',
  'errorCode',
  'chaseUp',
  // what the customer wrote when reporting a problem with the install (the rectification form shows it)
  'customerProblemNote',
];

export interface TaskRow {
  userTaskKey: string;
  name: string | null;
  /** English names from the model (`name.en`), for the language switch. */
  nameEn: string | null;
  elementId: string;
  bpmnProcessId: string;
  processName: string | null;
  processNameEn: string | null;
  processInstanceKey: string;
  rootProcessInstanceKey: string | null;
  candidateGroups: string[];
  assignee: string | null;
  completedBy: string | null;
  /** What the form sent at completion ({} while open). */
  submitted: Record<string, unknown> | null;
  assigneeName: string | null;
  completedByName: string | null;
  formId: string | null;
  dueDate: string | null;
  priority: number;
  state: 'created' | 'completed' | 'canceled';
  createdAt: Date;
  endedAt: Date | null;
  context: Record<string, unknown>;
  businessKey: string | null;
  customerName: string | null;
  customerLevel: string | null;
  branch: string | null;
  /** Chase-ups on the task's order or ticket (api/domain/chase-ups). */
  chaseUps: ChaseUpSummary;
}

/**
 * A task with its business context: the variables of its own scope (e.g. the line of a
 * multi-instance branch), its process instance and, for called processes, the top-level instance;
 * the nearest scope wins. Branch comes from the line or work package, else from the grid.
 */
const TASK_WITH_CONTEXT = sql`
  select t.user_task_key as "userTaskKey", t.name, te.name_en as "nameEn", t.element_id as "elementId", t.bpmn_process_id as "bpmnProcessId",
         pe.name as "processName", pe.name_en as "processNameEn", t.process_instance_key::text as "processInstanceKey",
         pi.root_process_instance_key::text as "rootProcessInstanceKey", t.candidate_groups as "candidateGroups",
         t.assignee, (select u.display_name from app_user u where u.username = t.assignee) as "assigneeName",
         t.completed_by as "completedBy", (select u.display_name from app_user u where u.username = t.completed_by) as "completedByName", t.form_id as "formId", t.due_date as "dueDate", t.priority, t.state,
         t.created_at as "createdAt", t.ended_at as "endedAt", ctx.context, t.variables as "submitted",
         coalesce(ctx.context->>'changeId', ctx.context->>'ticketId', ctx.context->>'complaintId', ctx.context->>'lineOrderId',
                  ctx.context->>'orderId', ctx.context->'line'->>'lineId', ctx.context->'chaseUp'->>'subjectId', ctx.context->>'month') as "businessKey",
         coalesce(ctx.context->'customer'->>'name', ctx.context->'line'->>'customer') as "customerName",
         ctx.context->'customer'->>'level' as "customerLevel",
         coalesce(ctx.context->'line'->>'branch', ctx.context->'workPackage'->>'branch', ctx.context->'aEnd'->>'branch', ctx.context->'chaseUp'->>'branch',
                  ${JSON.stringify(BRANCH_OF_CITY)}::jsonb ->> split_part(coalesce(ctx.context->>'grid', ctx.context->'diagnosis'->'line'->>'grid'), '-', 1)) as branch
  from user_task t
  left join instance_stage s on s.element_instance_key = t.element_instance_key
  left join process_instance pi on pi.process_instance_key = t.process_instance_key
  left join process_element pe on pe.process_definition_key = t.process_definition_key and pe.element_id = t.bpmn_process_id
  left join process_element te on te.process_definition_key = t.process_definition_key and te.element_id = t.element_id
  left join lateral (
    select coalesce(jsonb_object_agg(v.name, v.value), '{}'::jsonb) as context
    from (
      select distinct on (v.name) v.name, v.value
      from instance_variable v
      where v.scope_key in (s.flow_scope_key, t.process_instance_key, pi.root_process_instance_key)
        and v.name in ${sql.raw(`(${CONTEXT_VARIABLES.map((n) => `'${n}'`).join(', ')})`)}
      order by v.name, case v.scope_key when s.flow_scope_key then 0 when t.process_instance_key then 1 else 2 end
    ) v
  ) ctx on true`;

const ERROR_ORDER_FORM = 'error-order';

export function createTaskRepository({ db }: { db: Db }) {
  const chaseUps = createChaseUpRepository({ db });
  async function rows(where: SQL, orderBy: SQL, limit: number, offset: number): Promise<{ rows: TaskRow[]; total: number }> {
    const query = sql`with tasks as (${TASK_WITH_CONTEXT}) select *, count(*) over () as "total" from tasks where ${where} ${orderBy}
                      limit ${limit} offset ${offset}`;
    const result = (await db.execute(query)) as unknown as (TaskRow & { total: string })[];
    const tasks = result.map(({ total: _total, ...r }) => ({
      ...r,
      createdAt: new Date(r.createdAt),
      endedAt: r.endedAt ? new Date(r.endedAt) : null,
    }));
    const chased = await chaseUps.summaries(tasks);
    return {
      rows: tasks.map((t, i) => ({ ...t, chaseUps: chased[i]! })),
      total: result[0] ? Number(result[0].total) : 0,
    };
  }

  return {
    /** Open tasks of the given groups, filtered and sorted as a clerk's list asks. */
    async open(q: TaskListQuery & { groups: string[] | 'all'; username: string; branch: string | null }) {
      const where: SQL[] = [sql`state = 'created'`];
      if (q.groups !== 'all') {
        if (q.groups.length === 0) return { rows: [], total: 0 };
        where.push(
          sql`"candidateGroups" && array[${sql.join(
            q.groups.map((g) => sql`${g}`),
            sql`, `,
          )}]::text[]`,
        );
      }
      if (q.branch) where.push(sql`(branch = ${q.branch} or branch is null)`);
      if (q.process) where.push(sql`"bpmnProcessId" = ${q.process}`);
      if (q.customerLevel) where.push(sql`"customerLevel" = ${q.customerLevel}`);
      if (q.businessKey)
        where.push(sql`upper("businessKey") like ${`${q.businessKey.toUpperCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
      if (q.minPriority !== undefined) where.push(sql`priority >= ${q.minPriority}`);
      if (q.dueBefore) where.push(sql`"dueDate" is not null and "dueDate"::timestamptz < ${q.dueBefore}::timestamptz`);
      if (q.assignee === 'me') where.push(sql`assignee = ${q.username}`);
      if (q.assignee === 'unassigned') where.push(sql`assignee is null`);
      if (q.kind === 'error-order') where.push(sql`"formId" = ${ERROR_ORDER_FORM}`);
      const direction = sql.raw((q.order ?? (q.sort === 'priority' ? 'desc' : 'asc')) === 'asc' ? 'asc' : 'desc');
      const column = { due: sql`"dueDate"::timestamptz`, priority: sql`priority`, created: sql`"createdAt"` }[q.sort];
      const orderBy = sql`order by ${column} ${direction} nulls last, "createdAt" asc, "userTaskKey" asc`;
      return rows(sql.join(where, sql` and `), orderBy, q.limit, q.offset);
    },
    /** Tasks a user completed through the API, newest first. */
    async doneBy(username: string, limit: number, offset: number) {
      return rows(sql`state = 'completed' and "completedBy" = ${username}`, sql`order by "endedAt" desc`, limit, offset);
    },
    async find(key: string): Promise<TaskRow | undefined> {
      return (await rows(sql`"userTaskKey" = ${key}`, sql``, 1, 0)).rows[0];
    },
    /** Every task (open or ended) of one process instance about one business object of one branch: who may see its evidence. */
    async ofSubject(s: { processInstanceKey: string; businessKey: string | null; branch: string | null }): Promise<TaskRow[]> {
      const key = s.businessKey === null ? sql`"businessKey" is null` : sql`"businessKey" = ${s.businessKey}`;
      const branch = s.branch === null ? sql`branch is null` : sql`branch = ${s.branch}`;
      return (await rows(sql`"processInstanceKey" = ${s.processInstanceKey} and ${key} and ${branch}`, sql`order by "createdAt"`, 1000, 0))
        .rows;
    },
    /** The newest deployed version of a form (tasks bind the latest form by id). */
    async latestForm(formId: string) {
      const [row] = await db.select().from(forms).where(eq(forms.formId, formId)).orderBy(desc(forms.version)).limit(1);
      return row;
    },
    /** Notes who is completing an open task, before the engine is asked (so the done list knows even if the answer is lost). */
    async noteCompleter(key: string, completedBy: string) {
      await db
        .update(userTasks)
        .set({ completedBy })
        .where(and(eq(userTasks.userTaskKey, key), eq(userTasks.state, 'created')));
    },
    /** Takes back a noted completer whose completion the engine refused or did not confirm. */
    async forgetCompleter(key: string, completedBy: string) {
      await db
        .update(userTasks)
        .set({ completedBy: null })
        .where(and(eq(userTasks.userTaskKey, key), eq(userTasks.state, 'created'), eq(userTasks.completedBy, completedBy)));
    },
    /** The engine completed the task for this user: they are its completer, whether or not the projector was first. */
    async markCompleted(key: string, completedBy: string) {
      await db
        .update(userTasks)
        .set({
          completedBy,
          state: 'completed',
          endedAt: sql`case when ${userTasks.state} = 'created' then now() else ${userTasks.endedAt} end`,
        })
        .where(eq(userTasks.userTaskKey, key));
    },
    async setAssignee(key: string, assignee: string | null) {
      await db.update(userTasks).set({ assignee }).where(eq(userTasks.userTaskKey, key));
    },
  };
}
export type TaskRepository = ReturnType<typeof createTaskRepository>;
