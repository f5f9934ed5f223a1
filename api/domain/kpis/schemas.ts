import { z } from 'zod';
import { CustomerLevelSchema } from '../../../contracts/home-broadband.ts';
import { SlaPauseKpisSchema } from './sla-pauses.ts';

export const KpiQuerySchema = z
  .object({
    process: z
      .string()
      .regex(/^[A-Za-z][\w.-]{0,99}$/, 'a BPMN process id')
      .optional(),
    branch: z
      .string()
      .regex(/^[a-z][a-z-]{0,39}$/, 'a branch code such as urumqi')
      .optional(),
    from: z.iso.datetime({ offset: true }).optional().describe('Start of the period (default: 30 days ago)'),
    to: z.iso.datetime({ offset: true }).optional().describe('End of the period (default: now)'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] });
export type KpiQuery = z.infer<typeof KpiQuerySchema>;

const Rate = z.object({
  total: z.number().int(),
  met: z.number().int(),
  rate: z.number().min(0).max(1).nullable().describe('met / total; null without data'),
});

export const StageDurationSchema = z.object({
  processId: z.string(),
  elementId: z.string(),
  name: z.string().nullable(),
  branch: z.string().nullable(),
  count: z.number().int(),
  p50WorkingMinutes: z.number(),
  p90WorkingMinutes: z.number(),
});

export const KpisSchema = z
  .object({
    period: z.object({ from: z.string().datetime(), to: z.string().datetime() }),
    filters: z.object({ process: z.string().nullable(), branch: z.string().nullable() }),
    stageDurations: z
      .array(StageDurationSchema)
      .describe('Completed stages in the period, in working time (holidays and weekends left out)'),
    slaCompliance: z
      .array(Rate.extend({ customerLevel: CustomerLevelSchema.or(z.literal('unknown')) }))
      .describe(
        'Items closed in the period without any SLA escalation, by customer level (customer-caused waits excluded: the timers fire at the moved deadlines)',
      ),
    slaPauses: SlaPauseKpisSchema,
    dispatchWithin15: Rate.describe('Fault repairs dispatched within 15 minutes'),
    acceptWithin30: Rate.describe('Dispatched repairs the crew accepted within 30 minutes'),
    onlineResolution: Rate.describe('Closed trouble tickets resolved online, without a field visit'),
    acceptancePass: Rate.describe('Lines accepted without rectification (monthly acceptance)'),
    rectificationOnTime: Rate.describe('Rectifications finished within 7 working days'),
    satisfaction: z.object({ responses: z.number().int(), average: z.number().nullable().describe('1-10') }),
    backlog: z
      .array(
        z.object({
          owner: z.string().describe('Candidate group'),
          open: z.number().int(),
          overdue: z.number().int(),
          errorOrders: z.number().int(),
        }),
      )
      .describe('Open user tasks per owning group now'),
  })
  .meta({ id: 'Kpis' });
export type Kpis = z.infer<typeof KpisSchema>;

export const StageDurationQuerySchema = z
  .object({
    process: z.string().regex(/^[A-Za-z][\w.-]{0,99}$/, 'a BPMN process id'),
    branch: z
      .string()
      .regex(/^[a-z][a-z-]{0,39}$/)
      .optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
