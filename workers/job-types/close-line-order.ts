import { z } from 'zod';
import { defineJob } from '../job-definition.ts';

/** Closes a line order that the order center refused. */
export const closeLineOrder = defineJob({
  type: 'close-line-order',
  description: 'Closes an enterprise line order as failed (refused at order acceptance)',
  input: z.object({ lineOrderId: z.string(), lineOutcome: z.literal('refused') }),
  output: z.object({ closedAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    await deps.lineOrders.setState(variables.lineOrderId, 'failed', at);
    return { closedAt: at.toISOString() };
  },
});
