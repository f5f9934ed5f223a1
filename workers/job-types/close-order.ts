import { z } from 'zod';
import { CloseOutcomeSchema, OrderVariablesSchema } from '../../contracts/home-broadband.ts';
import { defineJob } from '../job-definition.ts';

const STATE = { completed: 'completed', rejected: 'failed', 'insufficient-resources': 'failed', cancelled: 'cancelled' } as const;
const REASON = {
  completed: null,
  rejected: 'Rejected at order-center review',
  'insufficient-resources': 'Insufficient resources in the grid',
  cancelled: 'Cancelled',
} as const;

/** Archive (归档) or close an order, with the outcome the BPMN path sets. */
export const closeOrder = defineJob({
  type: 'close-order',
  description: 'Archives the order with its outcome (completed, rejected, insufficient resources)',
  input: OrderVariablesSchema.pick({ orderId: true }).extend({
    outcome: CloseOutcomeSchema,
    satisfaction: z.number().int().min(1).max(10).optional(),
    revisitComment: z.string().nullish(),
    reviewNote: z.string().nullish(),
    cancellationReason: z.string().nullish(),
    errorNote: z.string().nullish(),
  }),
  output: z.object({ closedAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    if (variables.outcome === 'completed' && variables.satisfaction !== undefined) {
      await deps.orders.recordRevisit(variables.orderId, variables.satisfaction, variables.revisitComment ?? null);
    }
    const note =
      variables.outcome === 'rejected'
        ? variables.reviewNote
        : variables.outcome === 'cancelled'
          ? (variables.cancellationReason ?? variables.errorNote)
          : null;
    const reason = note ? `${REASON[variables.outcome]}: ${note}` : REASON[variables.outcome];
    await deps.orders.setState(variables.orderId, STATE[variables.outcome], reason, at);
    return { closedAt: at.toISOString() };
  },
});
