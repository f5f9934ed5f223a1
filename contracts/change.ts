import { z } from 'zod';
import { CustomerSchema, GridSchema, ProductSchema } from './home-broadband.ts';

/** The string contracts between processes/home-broadband-change.bpmn (and its shared called processes) and the code. */
export const CHANGE_PROCESS_ID = 'home-broadband-change';
/** The order's line is not in service in CRM or inventory as the change assumes, or the new product is not on sale. */
export const CHANGE_DATA_INCONSISTENT = 'CHANGE_DATA_INCONSISTENT';

export const ChangeTypeSchema = z.enum([
  'product-change',
  'relocation',
  'scheduled-cancellation',
  'formal-cancellation',
  'terminal-repair',
]);

/** What a change request carries beside the order's own data. */
export const ChangeRequestSchema = z.discriminatedUnion('changeType', [
  z.object({ changeType: z.literal('product-change'), newProduct: ProductSchema }),
  z.object({ changeType: z.literal('relocation'), newAddress: z.string().min(4), newGrid: GridSchema }),
  z.object({ changeType: z.literal('scheduled-cancellation'), cancelOn: z.string().datetime({ offset: true }) }),
  z.object({ changeType: z.literal('formal-cancellation') }),
  z.object({ changeType: z.literal('terminal-repair'), symptom: z.string().min(1) }),
]);
export type ChangeRequest = z.infer<typeof ChangeRequestSchema>;

export const ChangeVariablesSchema = z.object({
  changeId: z.string(),
  orderId: z.string(),
  customer: CustomerSchema,
  address: z.string(),
  grid: GridSchema,
  product: ProductSchema,
});
