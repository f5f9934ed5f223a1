import { z } from 'zod';
import { LineCommissionSchema } from '../../contracts/enterprise-line.ts';
import { defineJob } from '../job-definition.ts';

/** Billing start (起租) of an enterprise line once it is handed over to maintenance. */
export const startLineBilling = defineJob({
  type: 'start-line-billing',
  description: 'Starts billing the enterprise line at its monthly fee',
  input: LineCommissionSchema.pick({ service: true, monthlyFeeCents: true }).extend({ lineOrderId: z.string() }),
  output: z.object({ billingStartedAt: z.string() }),
  async handler({ variables, job, deps }) {
    const start = await deps.billing.startBilling({
      idempotencyKey: job.idempotencyKey,
      orderId: variables.lineOrderId,
      productCode: variables.service,
      monthlyFeeCents: variables.monthlyFeeCents,
      startedAt: deps.now(),
    });
    return { billingStartedAt: start.startedAt.toISOString() };
  },
});
