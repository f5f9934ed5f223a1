import { EngineRequestError } from '../../../engine/errors.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { engineCommand, isGone } from '../engine-command.ts';
import { ApiError, errors } from '../../errors.ts';
import type { Principal } from '../auth/schemas.ts';
import { inLanguage, type Language } from '../i18n/language.ts';
import { checkEvidenceBeforeCompletion } from '../evidence/use-cases.ts';
import type { EvidenceRepository } from '../evidence/repository.ts';
import { formVariablesSchema } from './form-schema.ts';
import type { TaskRepository, TaskRow } from './repository.ts';
import type { Task, TaskListQuery } from './schemas.ts';

/** on-time / at-risk (under a fifth of the allowed time or an hour left) / breached, from the task's due date. */
export function slaState(createdAt: Date, dueDate: string | null, now: Date = new Date()): Task['slaState'] {
  if (!dueDate) return 'none';
  const due = Date.parse(dueDate);
  if (Number.isNaN(due)) return 'none';
  if (now.getTime() > due) return 'breached';
  const left = due - now.getTime();
  const allowed = Math.max(due - createdAt.getTime(), 0);
  return left < Math.max(allowed / 5, 0) || left < 3_600_000 ? 'at-risk' : 'on-time';
}

export function toTask(row: TaskRow, lang: Language = 'zh'): Task {
  return {
    key: row.userTaskKey,
    name: inLanguage(lang, row.name, row.nameEn),
    elementId: row.elementId,
    processId: row.bpmnProcessId,
    processName: inLanguage(lang, row.processName, row.processNameEn),
    processInstanceKey: row.processInstanceKey,
    rootProcessInstanceKey: row.rootProcessInstanceKey,
    businessKey: row.businessKey,
    orderId: typeof row.context.orderId === 'string' ? row.context.orderId : null,
    customerName: row.customerName,
    customerLevel: row.customerLevel,
    branch: row.branch,
    candidateGroups: row.candidateGroups,
    assignee: row.assignee,
    assigneeName: row.assigneeName,
    formId: row.formId,
    priority: row.priority,
    dueDate: row.dueDate,
    slaState: row.state === 'created' ? slaState(row.createdAt, row.dueDate) : 'none',
    state: row.state,
    createdAt: row.createdAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    completedBy: row.completedBy,
    completedByName: row.completedByName,
    chaseUps: row.chaseUps,
  };
}

/** Admins work every group; a clerk only their own. */
export function worksGroup(caller: Principal, group: string): boolean {
  return caller.role === 'admin' || caller.groups.includes(group);
}

/** A clerk sees a task of one of their groups in their branch (or of no known branch); admins see all. */
export function mayWork(caller: Principal, task: TaskRow): boolean {
  if (caller.role === 'admin') return true;
  if (!task.candidateGroups.some((g) => caller.groups.includes(g))) return false;
  return !caller.branch || !task.branch || task.branch === caller.branch;
}

export async function listTasks({
  caller,
  query,
  tasks,
  lang = 'zh',
}: {
  caller: Principal;
  query: TaskListQuery;
  tasks: TaskRepository;
  lang?: Language;
}): Promise<{ tasks: Task[]; total: number }> {
  if (query.group && !worksGroup(caller, query.group)) {
    throw new ApiError(403, 'FORBIDDEN', 'Not allowed for your role', `You do not work group ${query.group}.`, [
      { pointer: '/group', in: 'querystring', message: `not one of your groups (${caller.groups.join(', ') || 'none'})` },
    ]);
  }
  const groups = query.group ? [query.group] : caller.role === 'admin' ? 'all' : caller.groups;
  const branch = caller.role === 'admin' ? null : caller.branch;
  const { rows, total } = await tasks.open({ ...query, groups, username: caller.username, branch });
  return { tasks: rows.map((r) => toTask(r, lang)), total };
}

export async function listDoneTasks({
  caller,
  limit,
  offset,
  tasks,
  lang = 'zh',
}: {
  caller: Principal;
  limit: number;
  offset: number;
  tasks: TaskRepository;
  lang?: Language;
}): Promise<{ tasks: Task[]; total: number }> {
  const { rows, total } = await tasks.doneBy(caller.username, limit, offset);
  return { tasks: rows.map((r) => toTask(r, lang)), total };
}

/** A task the caller may work; another group's or branch's task is not revealed (404). */
async function workableTask(caller: Principal, key: string, tasks: TaskRepository): Promise<TaskRow> {
  const task = await tasks.find(key);
  if (!task || !mayWork(caller, task)) throw errors.taskNotFound(key);
  return task;
}

function requireOpen(task: TaskRow) {
  if (task.state !== 'created') throw errors.taskNotOpen(task.userTaskKey, task.state);
}

export async function getTask({
  caller,
  key,
  tasks,
  lang = 'zh',
}: {
  caller: Principal;
  key: string;
  tasks: TaskRepository;
  lang?: Language;
}) {
  const task = await workableTask(caller, key, tasks);
  const form = task.formId ? await tasks.latestForm(task.formId) : undefined;
  return {
    ...toTask(task, lang),
    form: (form?.schema as Record<string, unknown> | undefined) ?? null,
    context: task.context,
    submitted: task.state === 'completed' ? (task.submitted ?? {}) : null,
  };
}

const claimedByOther = (key: string, assignee: string) =>
  new ApiError(
    409,
    'TASK_CLAIMED',
    'Task claimed by someone else',
    `User task ${key} is claimed by ${assignee}; they must unclaim it first.`,
  );

/**
 * The engine's refusals of a task command: someone else holds it (Operaton answers a claim of a
 * task held by another with 500 TaskAlreadyClaimedException) → 409 TASK_CLAIMED; the task is gone
 * (completed, cancelled, never there: 404, 400 NotFoundException or 500 NullValueException) → 409
 * TASK_NOT_OPEN.
 */
function engineRefusal(key: string, e: unknown): never {
  if (e instanceof EngineRequestError && e.engineType === 'TaskAlreadyClaimedException') {
    throw new ApiError(
      409,
      'TASK_CLAIMED',
      'Task claimed by someone else',
      `User task ${key} is claimed by someone else; they must unclaim it first.`,
    );
  }
  if (isGone(e) || (e instanceof EngineRequestError && e.status === 409)) throw errors.taskNotOpen(key, 'no longer open in the engine');
  throw e;
}

type TaskCommand = { caller: Principal; key: string; tasks: TaskRepository; engine: OperatonClient; engineTimeoutMs?: number };

export async function claimTask({ caller, key, tasks, engine, engineTimeoutMs }: TaskCommand) {
  const task = await workableTask(caller, key, tasks);
  requireOpen(task);
  if (task.assignee && task.assignee !== caller.username) throw claimedByOther(key, task.assignee);
  if (task.assignee !== caller.username) {
    // a claim, not a takeover: the engine refuses it if someone else has claimed the task meanwhile
    await engineCommand('claiming the task', () => engine.claimTask(key, caller.username), { timeoutMs: engineTimeoutMs }).catch(
      (e: unknown) => engineRefusal(key, e),
    );
    await tasks.setAssignee(key, caller.username);
  }
  return toTask({ ...task, assignee: caller.username, assigneeName: caller.name });
}

export async function unclaimTask({ caller, key, tasks, engine, engineTimeoutMs }: TaskCommand) {
  const task = await workableTask(caller, key, tasks);
  requireOpen(task);
  if (task.assignee && task.assignee !== caller.username && caller.role !== 'admin') throw claimedByOther(key, task.assignee);
  if (task.assignee) {
    await engineCommand('unclaiming the task', () => engine.unclaimTask(key), { timeoutMs: engineTimeoutMs }).catch((e: unknown) =>
      engineRefusal(key, e),
    );
    await tasks.setAssignee(key, null);
  }
  return toTask({ ...task, assignee: null, assigneeName: null });
}

/** Completes an open user task with its form's variables, validated against that form. */
export async function completeTask({
  caller,
  key,
  variables,
  tasks,
  engine,
  engineTimeoutMs,
  log,
  evidence,
}: TaskCommand & {
  variables: Record<string, unknown>;
  log?: { warn(context: object, message: string): void };
  /** The files uploaded on the task's line or order: a form may require some before completion (docs/evidence.md). */
  evidence: EvidenceRepository;
}): Promise<void> {
  const task = await workableTask(caller, key, tasks);
  requireOpen(task);
  if (task.assignee && task.assignee !== caller.username && caller.role !== 'admin') throw claimedByOther(key, task.assignee);
  let accepted = variables;
  if (task.formId) {
    const form = await tasks.latestForm(task.formId);
    if (!form) throw new ApiError(409, 'FORM_NOT_DEPLOYED', 'Form not deployed', `Form ${task.formId} of task ${key} is not deployed.`);
    const parsed = formVariablesSchema(form.schema as object).safeParse(variables);
    if (!parsed.success) {
      throw errors.invalidTaskVariables(
        task.formId,
        parsed.error.issues.flatMap((i) =>
          i.code === 'unrecognized_keys'
            ? i.keys.map((k) => ({ pointer: `/variables/${k}`, in: 'body' as const, message: `not a field of form ${task.formId}` }))
            : [{ pointer: `/variables/${i.path.join('/')}`, in: 'body' as const, message: i.message }],
        ),
      );
    }
    accepted = parsed.data;
  }
  accepted = { ...accepted, ...(await checkEvidenceBeforeCompletion({ task, variables: accepted, tasks, evidence })) };
  // Who completes it is written first: the projector keeps it when the engine's complete event arrives.
  await tasks.noteCompleter(key, caller.username);
  try {
    await engineCommand('completing the task', () => engine.completeTask(key, accepted), { timeoutMs: engineTimeoutMs });
  } catch (e) {
    // Refused (someone else completed it) or unconfirmed: the note is taken back; a retry notes it again.
    await tasks.forgetCompleter(key, caller.username).catch(() => {});
    engineRefusal(key, e);
  }
  // The engine has completed the task: that is the answer. Marking it now keeps the task list honest until the
  // projector records it; if the database has just gone away, the projector will.
  await tasks.markCompleted(key, caller.username).catch((e: unknown) => {
    log?.warn({ err: e, userTaskKey: key }, 'task completed in the engine; the read model will record it once the database answers');
  });
}
