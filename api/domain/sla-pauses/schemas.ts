import { z } from 'zod';
import { CustomerWaitReasonSchema, SLA_PAUSE_STATES } from '../../../contracts/sla-pause.ts';
import { LabelSchema } from '../status/schemas.ts';

const when = z.string().datetime();
// no control characters: PostgreSQL cannot store a NUL (tests/hostile-routes)
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'no control characters');

export const TicketIdParamsSchema = z.object({
  id: z
    .string()
    .trim()
    // any business number is well-formed here; only a trouble ticket (FT…) is found (another answers 404)
    .regex(/^[A-Z]{2}[0-9]{6,20}$/i, 'a trouble ticket number such as FT20261122000001'),
});

export const StartCustomerWaitBodySchema = z
  .object({
    reason: CustomerWaitReasonSchema,
    note: text(1000).describe('What happened, in the crew’s or clerk’s words'),
    evidenceRef: text(200)
      .regex(/^[\w.:/-]+$/, 'an evidence id or reference (letters, digits, . : / - _)')
      .optional()
      .describe('Optional evidence: an uploaded photo’s id (docs/evidence.md), a call record number, …'),
  })
  .strict()
  .meta({
    id: 'StartCustomerWait',
    example: { reason: 'customer-not-home', note: '上门两次客户均不在家，电话未接', evidenceRef: 'CALL-20261203-0042' },
  });
export type StartCustomerWaitBody = z.infer<typeof StartCustomerWaitBodySchema>;

export const EndCustomerWaitBodySchema = z
  .object({
    outcome: z
      .enum(['appointment-made', 'customer-reachable'])
      .describe('appointment-made: a new visit is booked; customer-reachable: the customer can be served again'),
    appointmentAt: z.iso.datetime({ offset: true }).optional().describe('The new visit agreed with the customer'),
    note: text(1000).optional(),
  })
  .strict()
  .refine((b) => b.outcome !== 'appointment-made' || b.appointmentAt !== undefined, {
    message: '改约须填写新的上门时间 / a new appointment needs appointmentAt',
    path: ['appointmentAt'],
  })
  .meta({
    id: 'EndCustomerWait',
    example: { outcome: 'appointment-made', appointmentAt: '2026-12-05T10:00:00+08:00', note: '客户改约周六上午' },
  });
export type EndCustomerWaitBody = z.infer<typeof EndCustomerWaitBodySchema>;

/** One customer-caused wait as staff see it. */
export const CustomerWaitSchema = z
  .object({
    id: z.number().int(),
    ticketId: z.string().nullable().describe('The trouble ticket paused (null for an install order)'),
    orderId: z.string().nullable().describe('The home-broadband install order paused (null for a ticket)'),
    reason: CustomerWaitReasonSchema,
    reasonLabel: LabelSchema,
    note: z.string(),
    evidenceRef: z.string().nullable(),
    state: z.enum(SLA_PAUSE_STATES),
    stateLabel: LabelSchema,
    recordedBy: z.string(),
    requestedAt: when,
    startedAt: when.nullable().describe('When the clock paused (engine time)'),
    endedAt: when.nullable().describe('When the wait ended (engine time)'),
    endOutcome: z.enum(['appointment-made', 'customer-reachable']).nullable(),
    appointmentAt: when.nullable(),
    endNote: z.string().nullable(),
    endedBy: z.string().nullable(),
    pausedWorkingMinutes: z.number().nullable().describe('Working time paused (business calendar: holidays and weekends left out)'),
    confirmationRequired: z
      .boolean()
      .nullable()
      .describe('Above the limit (more than 2 pauses or 48 working hours): the response center decides'),
    dueBefore: when.nullable().describe('The repair deadline when the clock paused'),
    dueAfter: when.nullable().describe('The repair deadline after it resumed (the same when the pause was refused)'),
    decidedBy: z.string().nullable().describe('An install order: who of the response center decided above the limit'),
    decisionNote: z.string().nullable(),
  })
  .meta({ id: 'CustomerWait' });
export type CustomerWait = z.infer<typeof CustomerWaitSchema>;

export const OrderIdParamsSchema = z.object({
  id: z
    .string()
    .trim()
    // any business number is well-formed here; only a home-broadband install order (HB…) is found (another answers 404)
    .regex(/^[A-Z]{2}[0-9]{6,20}$/i, 'a home-broadband order number such as HB20261122000001'),
});

/** The response center's decision on an install order's wait above the limit. */
export const DecideCustomerWaitBodySchema = z
  .object({
    confirmed: z.boolean().describe('true: the pause counts and the install due moves; false: the due stands'),
    note: text(1000).optional().describe('Why, in the response center’s words'),
  })
  .strict()
  .meta({ id: 'DecideCustomerWait', example: { confirmed: true, note: '已核实通话记录，客户三次改约属实' } });
export type DecideCustomerWaitBody = z.infer<typeof DecideCustomerWaitBodySchema>;
