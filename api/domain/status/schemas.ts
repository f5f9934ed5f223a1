import { z } from 'zod';

export const LabelSchema = z
  .object({ zh: z.string().describe('Simplified Chinese'), en: z.string().describe('English') })
  .meta({ id: 'Label', example: { zh: '上门安装', en: 'Installing at your home' } });

export const StatusIdParamsSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^(HB|CH|DL|FT|CP)[0-9]{6,20}$/i, 'an order, change, line order, ticket or complaint number such as HB20261122000001'),
});

const when = z.string().datetime();

export const StatusViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['order', 'change', 'line', 'ticket', 'complaint']),
    kindLabel: LabelSchema,
    state: z
      .string()
      .describe('TMF state name (acknowledged, inProgress, pending, held, resolved, completed, closed, failed, cancelled, …)'),
    stateLabel: LabelSchema,
    stateReason: z.string().nullable(),
    createdAt: when,
    closedAt: when.nullable(),
    currentStages: z
      .array(z.object({ elementId: z.string(), label: LabelSchema, since: when }))
      .describe('What is happening now (more than one on parallel branches)'),
    timeline: z
      .array(
        z.object({
          elementId: z.string(),
          label: LabelSchema,
          state: z.enum(['active', 'completed', 'terminated']),
          startedAt: when,
          endedAt: when.nullable(),
        }),
      )
      .describe('Every stage so far, oldest first'),
    milestones: z.array(
      z.object({ id: z.string(), label: LabelSchema, status: z.enum(['Yet-To-Reach', 'Completed', 'Violated']), at: when.nullable() }),
    ),
    sla: z
      .object({
        label: LabelSchema,
        dueAt: when,
        basis: z.string().describe('Where the limit comes from'),
        met: z.boolean().nullable().describe('null while the target is not reached yet'),
        breached: z.boolean().describe('Past due and not met'),
        paused: z.boolean().describe('The clock is paused now for a customer-caused wait (客户原因)'),
        pausedWorkingMinutes: z.number().int().describe('Working time excluded by customer-caused waits so far (moved dueAt)'),
      })
      .nullable(),
    eta: when.nullable().describe('When it is expected to be done (null once done)'),
    etaBasis: z.enum(['typical-duration', 'sla', 'none']),
    escalations: z.array(z.object({ level: z.enum(['county', 'branch', 'region']), label: LabelSchema, reason: z.string(), at: when })),
    customerWaits: z
      .array(
        z.object({
          reason: z.string().describe('contracts/sla-pause.ts reason code, e.g. customer-not-home'),
          reasonLabel: LabelSchema,
          state: z.enum(['active', 'awaiting-confirmation', 'counted', 'refused']),
          stateLabel: LabelSchema,
          startedAt: when,
          endedAt: when.nullable(),
          appointmentAt: when.nullable().describe('The new visit agreed, when the wait ended with one'),
          pausedWorkingMinutes: z.number().int().nullable(),
        }),
      )
      .describe('Waits caused by the customer that paused the SLA clock (a ticket’s repair deadline), oldest first'),
    awaitingCustomer: z
      .object({
        step: z.literal('confirm-install').describe('What the customer is asked for'),
        label: LabelSchema,
        hint: LabelSchema,
        since: when,
        autoConfirmAt: when.describe('Without an answer the install counts as confirmed at this time'),
        actions: z
          .array(
            z.object({
              id: z.enum(['confirm', 'report-problem']),
              label: LabelSchema,
              method: z.literal('POST'),
              href: z.string().describe('The route that takes the answer'),
            }),
          )
          .describe('What the customer can answer (POST /orders/:id/confirm, POST /orders/:id/problem with a note)'),
      })
      .nullable()
      .describe('The order waits for its customer now (null otherwise)'),
    visit: z
      .object({
        appointmentAt: when.nullable().describe('The visit booked with the customer'),
        crewName: LabelSchema.nullable().describe(
          'The install crew dispatched (its group’s name; the routing decision’s crewName otherwise)',
        ),
        crewPhone: z.string().nullable().describe("The crew's duty phone (值班电话)"),
      })
      .nullable()
      .describe('The booked visit and whom to call (home-broadband installs once dispatched; null otherwise)'),
  })
  .meta({
    id: 'StatusView',
    example: {
      id: 'HB20261122000001',
      kind: 'order',
      kindLabel: { zh: '家庭宽带新装', en: 'Home broadband new install' },
      state: 'inProgress',
      stateLabel: { zh: '处理中', en: 'In progress' },
      stateReason: null,
      createdAt: '2026-11-22T02:00:00.000Z',
      closedAt: null,
      currentStages: [
        { elementId: 'install-onsite', label: { zh: '上门安装', en: 'Installing at your home' }, since: '2026-11-23T02:00:00.000Z' },
      ],
      timeline: [
        {
          elementId: 'review-order',
          label: { zh: '订单中心资料审核', en: 'Order center review' },
          state: 'completed',
          startedAt: '2026-11-22T02:00:01.000Z',
          endedAt: '2026-11-22T03:00:00.000Z',
        },
      ],
      milestones: [
        { id: 'order-approved', label: { zh: '订单审核通过', en: 'Order approved' }, status: 'Completed', at: '2026-11-22T03:00:00.000Z' },
      ],
      sla: {
        label: { zh: '开通时限 48 小时', en: 'Activation within 48 h' },
        dueAt: '2026-11-24T02:00:00.000Z',
        basis: 'customer level local-c',
        met: null,
        breached: false,
        paused: false,
        pausedWorkingMinutes: 0,
      },
      eta: '2026-11-23T20:00:00.000Z',
      etaBasis: 'typical-duration',
      escalations: [],
      customerWaits: [],
      awaitingCustomer: null,
      visit: {
        appointmentAt: '2026-11-23T07:00:00.000Z',
        crewName: { zh: '天山装维班', en: 'Tianshan install crew' },
        crewPhone: '13999110001',
      },
    },
  });
export type StatusView = z.infer<typeof StatusViewSchema>;
