import { z } from 'zod';
import { CustomerSchema, GridSchema, ProductSchema } from '../../../contracts/home-broadband.ts';

export const CustomerIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{3,40}$/, 'a CRM party id such as CU-0001')
  .describe("The customer's CRM party id; customers order for their own and may leave it out");

/** The longest address the platform takes (orders, relocations, line ends), as one text however it was given. */
export const ADDRESS_MAX_LENGTH = 300;

/**
 * An address as the platform stores and answers it: one text. TMF clients give it in parts
 * (city, locality, street, number); the parts joined must fit this too.
 */
export const AddressSchema = z
  .string()
  .trim()
  .min(4, '地址至少 4 个字符 / an address of at least 4 characters')
  .max(ADDRESS_MAX_LENGTH, `地址最多 ${ADDRESS_MAX_LENGTH} 个字符 / an address of at most ${ADDRESS_MAX_LENGTH} characters`);

export const CreateOrderBodySchema = z
  .object({
    customerId: CustomerIdSchema.optional(),
    customer: CustomerSchema,
    address: AddressSchema.describe('Installation address'),
    grid: GridSchema,
    product: ProductSchema,
  })
  .strict()
  .meta({
    id: 'CreateHomeBroadbandOrder',
    example: {
      customer: { name: '张伟', phone: '13800138000', level: 'local-c' },
      address: '乌鲁木齐市天山区解放南路 88 号 3 单元 502',
      grid: 'URC-TS-01',
      product: { code: 'HB-500M', name: '500M 家庭宽带', bandwidthMbps: 500, monthlyFeeCents: 9900 },
    },
  });
export type CreateOrderBody = z.infer<typeof CreateOrderBodySchema>;

export const CancelOrderBodySchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1, '请填写撤单原因 / give a reason')
      .max(500, '撤单原因最多 500 字 / at most 500 characters')
      .optional()
      .describe("The customer's reason"),
  })
  .strict()
  // Fastify hands a request without a body over as null.
  .nullish()
  .meta({ id: 'CancelOrder', example: { reason: '搬家，不再需要' } });

export const ReportProblemBodySchema = z
  .object({
    note: z
      .string({ error: '请说明遇到的问题 / describe the problem' })
      .trim()
      .min(1, '请说明遇到的问题 / describe the problem')
      .max(500, '问题描述最多 500 字 / at most 500 characters')
      .describe('What is wrong, in the customer’s words; shown to the crew in the rectification'),
  })
  .strict()
  .meta({ id: 'ReportProblem', example: { note: '卧室没有信号，光猫 LOS 灯闪红' } });
export type ReportProblemBody = z.infer<typeof ReportProblemBodySchema>;

export const OrderIdParamsSchema = z.object({
  id: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9-]+$/, 'an order number such as HB20261122000001'),
});

export const StageSchema = z
  .object({
    elementId: z.string(),
    name: z.string().nullable(),
    type: z.string().describe('BPMN element type, e.g. USER_TASK'),
    state: z.enum(['active', 'completed', 'terminated']),
    startedAt: z.string().datetime(),
    endedAt: z.string().datetime().nullable(),
  })
  .meta({ id: 'Stage' });

export const OrderSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    customerId: z.string().nullable(),
    state: z.enum(['acknowledged', 'inProgress', 'completed', 'failed', 'cancelled']).describe('TMF622 order state'),
    stateReason: z.string().nullable(),
    customer: z.object({ name: z.string(), phone: z.string(), level: z.string() }),
    address: z.string(),
    grid: z.string(),
    // as recorded: the answer holds what storage holds (no request limits; see tmf/common.ts)
    product: z.object({ code: z.string(), name: z.string(), bandwidthMbps: z.number(), monthlyFeeCents: z.number() }),
    processInstanceKey: z.string().nullable(),
    processState: z.enum(['active', 'completed', 'terminated']).nullable().describe('The process instance, as last projected'),
    currentStages: z.array(StageSchema).describe('Stages now active (more than one on parallel branches)'),
    timeline: z.array(StageSchema).describe('Every stage the order went through, in order'),
    createdAt: z.string().datetime(),
    completedAt: z.string().datetime().nullable(),
  })
  .meta({ id: 'Order' });
export type Order = z.infer<typeof OrderSchema>;
