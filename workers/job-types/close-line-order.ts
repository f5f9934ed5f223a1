import { z } from 'zod';
import { defineJob } from '../job-definition.ts';

const STATE = { refused: 'failed', cancelled: 'cancelled' } as const;

/** Closes a line order the order center refused (failed), or one cancelled by the customer or as an error order (cancelled). */
export const closeLineOrder = defineJob({
  type: 'close-line-order',
  description:
    'Closes an enterprise line order as failed (refused at order acceptance) or cancelled (by the customer, or as an error order)',
  input: z.object({ lineOrderId: z.string(), lineOutcome: z.enum(['refused', 'cancelled']) }),
  output: z.object({ closedAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    await deps.lineOrders.setState(variables.lineOrderId, STATE[variables.lineOutcome], at);
    return { closedAt: at.toISOString() };
  },
});
