import { z } from 'zod';
import { EngineKeySchema } from '../processes/schemas.ts';
import { CustomerLevelSchema } from '../../../contracts/home-broadband.ts';
import { ChaseUpSummarySchema } from '../chase-ups/schemas.ts';

export const SLA_STATES = ['on-time', 'at-risk', 'breached', 'none'] as const;
export const SlaStateSchema = z
  .enum(SLA_STATES)
  .describe('on-time; at-risk when less than a fifth of the allowed time (or 1 h) is left; breached after the due date; none without one');

export const TaskListQuerySchema = z
  .object({
    group: z.string().trim().min(1).max(100).optional().describe('Candidate group, e.g. order-center; default: all of your groups'),
    process: z.string().trim().min(1).max(100).optional().describe('BPMN process id, e.g. fault-trouble-ticket'),
    customerLevel: CustomerLevelSchema.optional(),
    businessKey: z
      .string()
      .trim()
      .min(2)
      .max(64)
      .optional()
      .describe('Order, ticket or line number (or its beginning), e.g. HB20261122000001; case-insensitive'),
    minPriority: z.coerce.number().int().min(0).max(100).optional().describe('Only tasks with at least this priority (0-100)'),
    dueBefore: z.iso.datetime({ offset: true }).optional().describe('Only tasks due before this instant'),
    assignee: z.enum(['me', 'unassigned', 'any']).default('any'),
    kind: z.enum(['all', 'error-order']).default('all').describe('error-order: the error / abnormal order queue'),
    sort: z.enum(['due', 'priority', 'created']).default('created'),
    order: z.enum(['asc', 'desc']).optional().describe('Default: due and created ascending, priority descending'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();
export type TaskListQuery = z.infer<typeof TaskListQuerySchema>;

export const DoneListQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();

export const TaskKeyParamsSchema = z.object({
  key: EngineKeySchema.describe('a user task key (digits)'),
});

export const CompleteTaskBodySchema = z
  .object({
    variables: z.record(z.string(), z.unknown()).default({}).describe("The task form's fields"),
  })
  .strict()
  .meta({ id: 'CompleteTask', example: { variables: { reviewApproved: true, reviewNote: '资料齐全' } } });

export const TaskSchema = z
  .object({
    key: z.string().describe('User task key (use it to claim and complete the task)'),
    name: z.string().nullable(),
    elementId: z.string(),
    processId: z.string(),
    processName: z.string().nullable(),
    processInstanceKey: z.string(),
    rootProcessInstanceKey: z.string().nullable().describe('The top-level instance (differs for tasks of called processes)'),
    businessKey: z.string().nullable().describe('The order, ticket, complaint, change, line order or acceptance line the task is about'),
    orderId: z.string().nullable().describe('Deprecated alias of businessKey for home-broadband orders'),
    customerName: z.string().nullable(),
    customerLevel: z.string().nullable(),
    branch: z.string().nullable(),
    candidateGroups: z.array(z.string()),
    assignee: z.string().nullable(),
    assigneeName: z.string().nullable().describe('The assignee as people know them (王芳), not the login'),
    formId: z.string().nullable(),
    priority: z.number().int(),
    dueDate: z.string().nullable(),
    slaState: SlaStateSchema,
    state: z.enum(['created', 'completed', 'canceled']),
    createdAt: z.string().datetime(),
    endedAt: z.string().datetime().nullable(),
    completedBy: z.string().nullable(),
    completedByName: z.string().nullable().describe('Who completed it, as people know them'),
    chaseUps: ChaseUpSummarySchema.describe("The customer's chase-ups (催单) on the task's order or ticket"),
  })
  .meta({
    id: 'Task',
    example: {
      key: '2251799813690412',
      name: '订单中心资料审核',
      elementId: 'review-order',
      processId: 'home-broadband-new-install',
      processName: '家庭宽带：新装',
      processInstanceKey: '2251799813690377',
      rootProcessInstanceKey: '2251799813690377',
      businessKey: 'HB20261122000001',
      orderId: 'HB20261122000001',
      customerName: '张伟',
      customerLevel: 'local-c',
      branch: 'urumqi',
      candidateGroups: ['order-center'],
      assignee: null,
      assigneeName: null,
      formId: 'order-review',
      priority: 50,
      dueDate: '2026-11-22T12:00:00Z',
      slaState: 'on-time',
      state: 'created',
      createdAt: '2026-11-22T08:00:00Z',
      endedAt: null,
      completedBy: null,
      completedByName: null,
      chaseUps: { count: 0, sinceTaskCreated: 0, latest: null },
    },
  });
export type Task = z.infer<typeof TaskSchema>;

export const TaskDetailSchema = TaskSchema.extend({
  form: z.record(z.string(), z.unknown()).nullable().describe('The Camunda (form-js) form schema to render'),
  context: z.record(z.string(), z.unknown()).describe('Business variables of the task: its order or ticket, customer, line, …'),
  submitted: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('What the form sent when the task was completed (null while it is open)'),
}).meta({ id: 'TaskDetail' });
