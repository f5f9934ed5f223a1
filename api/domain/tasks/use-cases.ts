import { EngineRequestError, type EngineRest } from '../../../engine/rest.ts';
import { ApiError, errors } from '../../errors.ts';
import { formVariablesSchema } from './form-schema.ts';
import type { TaskRepository, TaskRow } from './repository.ts';
import type { Principal } from '../auth/schemas.ts';
import type { Task } from './schemas.ts';

export function toTask(row: TaskRow): Task {
  return {
    key: row.userTaskKey,
    name: row.name,
    elementId: row.elementId,
    processId: row.bpmnProcessId,
    processInstanceKey: row.processInstanceKey,
    orderId: row.orderId ?? null,
    candidateGroups: row.candidateGroups,
    assignee: row.assignee,
    formId: row.formId,
    dueDate: row.dueDate,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Admins work every group; a clerk only their own. */
export function worksGroup(caller: Principal, group: string): boolean {
  return caller.role === 'admin' || caller.groups.includes(group);
}

export async function listTasks({
  caller,
  group,
  limit,
  tasks,
}: {
  caller: Principal;
  group: string;
  limit: number;
  tasks: TaskRepository;
}): Promise<Task[]> {
  if (!worksGroup(caller, group)) {
    throw new ApiError(403, 'FORBIDDEN', 'Not allowed for your role', `You do not work group ${group}.`, [
      { pointer: '/group', in: 'querystring', message: `not one of your groups (${caller.groups.join(', ') || 'none'})` },
    ]);
  }
  return (await tasks.openForGroup(group, limit)).map(toTask);
}

/** Completes an open user task with its form's variables, validated against that form. */
export async function completeTask({
  caller,
  key,
  variables,
  tasks,
  rest,
}: {
  caller: Principal;
  key: string;
  variables: Record<string, unknown>;
  tasks: TaskRepository;
  rest: EngineRest;
}): Promise<void> {
  const task = await tasks.find(key);
  // Another group's task is not revealed.
  if (!task || !task.candidateGroups.some((g) => worksGroup(caller, g))) throw errors.taskNotFound(key);
  if (task.state !== 'created') throw errors.taskNotOpen(key, task.state);
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
  try {
    await rest.completeUserTask(key, accepted);
  } catch (e) {
    if (e instanceof EngineRequestError && (e.status === 404 || e.status === 409))
      throw errors.taskNotOpen(key, 'no longer open in the engine');
    throw e;
  }
  // The projector will record the completion too; marking it now keeps the task list honest meanwhile.
  await tasks.markCompleted(key, caller.username);
}
