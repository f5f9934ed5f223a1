import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { forms, orders, userTasks } from '../../../db/schema.ts';

export function createTaskRepository({ db }: { db: Db }) {
  const columns = {
    userTaskKey: userTasks.userTaskKey,
    name: userTasks.name,
    elementId: userTasks.elementId,
    bpmnProcessId: userTasks.bpmnProcessId,
    processInstanceKey: userTasks.processInstanceKey,
    orderId: orders.id,
    candidateGroups: userTasks.candidateGroups,
    assignee: userTasks.assignee,
    formId: userTasks.formId,
    dueDate: userTasks.dueDate,
    state: userTasks.state,
    createdAt: userTasks.createdAt,
  };
  return {
    async openForGroup(group: string, limit: number) {
      return db
        .select(columns)
        .from(userTasks)
        .leftJoin(orders, eq(orders.processInstanceKey, userTasks.processInstanceKey))
        .where(and(eq(userTasks.state, 'created'), sql`${group} = any(${userTasks.candidateGroups})`))
        .orderBy(asc(userTasks.createdAt))
        .limit(limit);
    },
    async find(key: string) {
      const [row] = await db
        .select(columns)
        .from(userTasks)
        .leftJoin(orders, eq(orders.processInstanceKey, userTasks.processInstanceKey))
        .where(eq(userTasks.userTaskKey, key));
      return row;
    },
    /** The newest deployed version of a form (tasks bind the latest form by id). */
    async latestForm(formId: string) {
      const [row] = await db.select().from(forms).where(eq(forms.formId, formId)).orderBy(desc(forms.version)).limit(1);
      return row;
    },
    async markCompleted(key: string, completedBy: string) {
      await db
        .update(userTasks)
        .set({ state: 'completed', endedAt: new Date(), completedBy })
        .where(and(eq(userTasks.userTaskKey, key), eq(userTasks.state, 'created')));
    },
  };
}
export type TaskRepository = ReturnType<typeof createTaskRepository>;
export type TaskRow = NonNullable<Awaited<ReturnType<TaskRepository['find']>>>;
