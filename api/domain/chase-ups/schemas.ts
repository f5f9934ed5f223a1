import { z } from 'zod';

/** Where a chase-up came from: the customer's own channels, or the customer manager on their behalf. */
export const CHASE_UP_CHANNELS = ['tracking-page', 'app', 'api', 'hotline', 'wechat', 'customer-manager'] as const;
export const ChaseUpRoleSchema = z.enum(['customer', 'customer-manager', 'admin']);
export type ChaseUpRole = z.infer<typeof ChaseUpRoleSchema>;

export const ChaseUpChannelSchema = z
  .enum(CHASE_UP_CHANNELS)
  .describe('tracking-page (进度查询页), app, api, hotline (热线), wechat (微信), customer-manager (客户经理代催)');

/** Presses of the same order or ticket within this many minutes of a counted chase-up count once. */
export const CHASE_UP_FOLD_MINUTES = 5;

export type ChaseUpChannel = z.infer<typeof ChaseUpChannelSchema>;

export const ChaseUpBodySchema = z
  .object({
    channel: ChaseUpChannelSchema.optional().describe('Default: api for a customer, customer-manager for a customer manager'),
    note: z
      .string()
      .trim()
      .max(500)
      .regex(/^[^\p{Cc}]*$/u, 'no control characters')
      .optional()
      .describe('What the customer says (催单说明), up to 500 characters'),
  })
  .strict()
  .meta({ id: 'ChaseUpRequest', example: { channel: 'tracking-page', note: '约好今天上门，到现在还没人联系' } });
export type ChaseUpBody = z.infer<typeof ChaseUpBodySchema>;

const Label = z.object({ zh: z.string(), en: z.string() });

export const ChaseUpSchema = z
  .object({
    id: z.string().describe('The chase-up number'),
    subjectId: z.string().describe('The order, change, line order, ticket or complaint chased'),
    channel: ChaseUpChannelSchema,
    channelLabel: Label,
    note: z.string().nullable(),
    requestedBy: z.object({
      name: z.string(),
      role: ChaseUpRoleSchema,
    }),
    at: z.string().datetime(),
    step: z
      .object({
        elementIds: z.array(z.string()).describe('The step (BPMN elements) current when it came'),
        startedAt: z.string().datetime().nullable(),
        dueAt: z.string().datetime().nullable().describe("The step's time limit (its task's due date), if it has one"),
        holders: z.array(z.string()).describe('Who held the step: the assignee, else the candidate groups'),
      })
      .describe('The step current when it came'),
    sequenceInStep: z.number().int().min(1).describe('1 for the first chase-up in this step, 2 escalates to the branch, 3 to the region'),
    escalation: z
      .object({ level: z.enum(['branch', 'region']), label: Label })
      .nullable()
      .describe("The escalation it caused: the branch's response center (2nd), the region's (3rd)"),
    handling: z
      .object({ outcome: z.string(), outcomeLabel: Label, note: z.string(), at: z.string().datetime() })
      .nullable()
      .describe("The response center's follow-up of the escalation, once done"),
    repeatPresses: z.number().int().min(0).describe(`Further presses within ${CHASE_UP_FOLD_MINUTES} minutes, counted once`),
  })
  .meta({
    id: 'ChaseUp',
    example: {
      id: '17',
      subjectId: 'HB20261122000001',
      channel: 'tracking-page',
      channelLabel: { zh: '进度查询页', en: 'Tracking page' },
      note: '约好今天上门，到现在还没人联系',
      requestedBy: { name: '张伟', role: 'customer' },
      at: '2026-11-22T09:30:00Z',
      step: {
        elementIds: ['make-appointment'],
        startedAt: '2026-11-22T08:10:00Z',
        dueAt: '2026-11-22T20:10:00Z',
        holders: ['install-crew-urc-tianshan'],
      },
      sequenceInStep: 2,
      escalation: { level: 'branch', label: { zh: '已升级至分公司客响中心', en: 'Escalated to the branch response center' } },
      handling: null,
      repeatPresses: 0,
    },
  });
export type ChaseUp = z.infer<typeof ChaseUpSchema>;

export const ChaseUpListSchema = z
  .object({
    subjectId: z.string(),
    total: z.number().int(),
    inCurrentStep: z.number().int().describe('Counted chase-ups since the current step began'),
    open: z.boolean().describe('Whether it can still be chased (closed orders and tickets cannot)'),
    chaseUps: z.array(ChaseUpSchema).describe('Newest first'),
  })
  .meta({ id: 'ChaseUpList' });

/** What the clerk holding a task sees of the chase-ups on its order or ticket. */
export const ChaseUpSummarySchema = z
  .object({
    count: z.number().int().describe('Counted chase-ups on the order or ticket'),
    sinceTaskCreated: z.number().int().describe('Of them, those made while this task was open'),
    latest: z
      .object({
        id: z.string(),
        at: z.string().datetime(),
        by: z.string(),
        role: ChaseUpRoleSchema,
        channel: ChaseUpChannelSchema,
        note: z.string().nullable(),
        escalationLevel: z.enum(['branch', 'region']).nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'ChaseUpSummary' });
export type ChaseUpSummary = z.infer<typeof ChaseUpSummarySchema>;
