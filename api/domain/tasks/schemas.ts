import { z } from 'zod';

export const TaskListQuerySchema = z.object({
  group: z.string().trim().min(1).max(100).describe('Candidate group, e.g. order-center'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const TaskKeyParamsSchema = z.object({
  key: z.string().regex(/^\d{1,20}$/, 'a user task key (digits)'),
});

export const CompleteTaskBodySchema = z
  .object({
    variables: z.record(z.string(), z.unknown()).default({}).describe("The task form's fields"),
  })
  .strict()
  .meta({ id: 'CompleteTask', example: { variables: { reviewApproved: true, reviewNote: '资料齐全' } } });

export const TaskSchema = z
  .object({
    key: z.string().describe('User task key (use it to complete the task)'),
    name: z.string().nullable(),
    elementId: z.string(),
    processId: z.string(),
    processInstanceKey: z.string(),
    orderId: z.string().nullable(),
    candidateGroups: z.array(z.string()),
    assignee: z.string().nullable(),
    formId: z.string().nullable(),
    dueDate: z.string().nullable(),
    createdAt: z.string().datetime(),
  })
  .meta({ id: 'Task' });
export type Task = z.infer<typeof TaskSchema>;
