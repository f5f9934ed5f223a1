import { z } from 'zod';
import { OrderVariablesSchema } from '../../contracts/home-broadband.ts';
import { defineJob } from '../job-definition.ts';

/** Activation (开通): the line is live, so billing starts (计费). */
export const activateService = defineJob({
  type: 'activate-service',
  description: 'Records the billing start for the installed product',
  input: OrderVariablesSchema.pick({ orderId: true, product: true }),
  output: z.object({ billingStartedAt: z.string() }),
  async handler({ variables, job, deps }) {
    const start = await deps.billing.startBilling({
      idempotencyKey: job.idempotencyKey,
      orderId: variables.orderId,
      productCode: variables.product.code,
      monthlyFeeCents: variables.product.monthlyFeeCents,
      startedAt: deps.now(),
    });
    return { billingStartedAt: start.startedAt.toISOString() };
  },
});
