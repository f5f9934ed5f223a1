import { z } from 'zod';
import { ProductSchema } from '../../contracts/home-broadband.ts';
import { defineJob } from '../job-definition.ts';

/** Billing change (计费变更): a new product's fee, or the end of billing on cancellation. */
export const changeBilling = defineJob({
  type: 'change-billing',
  description: 'Changes the billed product of an order, or stops its billing',
  input: z.object({ orderId: z.string().min(1), billingAction: z.enum(['change', 'stop']), product: ProductSchema }),
  output: z.object({ billingChangedAt: z.string() }),
  async handler({ variables, job, deps }) {
    const at = deps.now();
    await deps.billing.changeBilling({
      idempotencyKey: job.idempotencyKey,
      orderId: variables.orderId,
      action: variables.billingAction,
      productCode: variables.product.code,
      monthlyFeeCents: variables.billingAction === 'stop' ? 0 : variables.product.monthlyFeeCents,
      effectiveAt: at,
    });
    return { billingChangedAt: at.toISOString() };
  },
});
