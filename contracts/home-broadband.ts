import { z } from 'zod';

/** The string contracts between processes/home-broadband-new-install.bpmn and the code. */
export const HOME_BROADBAND_PROCESS_ID = 'home-broadband-new-install';
export const INSUFFICIENT_RESOURCES = 'INSUFFICIENT_RESOURCES';
export const ORDER_DATA_INCONSISTENT = 'ORDER_DATA_INCONSISTENT';
/** Messages the process waits for, correlated by orderId. */
export const MESSAGES = {
  customerConfirmed: 'customer-confirmed',
  orderCancelled: 'order-cancelled',
  /** The customer reports a problem instead of confirming: the crew rectifies (customerProblemNote on the form). */
  customerReportedProblem: 'customer-reported-problem',
} as const;

export const CustomerLevelSchema = z
  .enum(['group', 'province', 'local-a', 'local-b', 'local-c'])
  .describe('Customer level (集团级, 省级, 本地A/B/C); home customers are usually local-c');

export const CustomerSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 -]{6,19}$/, 'a phone number of 7–20 digits'),
    level: CustomerLevelSchema.default('local-c'),
  })
  .strict();

export const ProductSchema = z
  .object({
    code: z.string().trim().min(1).max(40).describe('Product code in the catalogue, e.g. HB-500M'),
    name: z.string().trim().min(1).max(100),
    bandwidthMbps: z.number().int().positive().max(10_000),
    monthlyFeeCents: z.number().int().nonnegative().max(10_000_000),
  })
  .strict();

export const GridSchema = z
  .string()
  .trim()
  .regex(/^[A-Z]{2,4}-[A-Z]{2}-\d{2}$/, 'a grid code such as URC-TS-01')
  .describe('Service grid (网格) of the address');

/** Variables every home-broadband new-install instance starts with. */
export const OrderVariablesSchema = z.object({
  orderId: z.string().min(1),
  customer: CustomerSchema,
  address: z.string().min(1),
  grid: GridSchema,
  product: ProductSchema,
});
export type OrderVariables = z.infer<typeof OrderVariablesSchema>;

export const CloseOutcomeSchema = z.enum(['completed', 'rejected', 'insufficient-resources', 'cancelled']);
