import { z } from 'zod';
import { withNote } from '../closing-reason.ts';
import { defineJob } from '../job-definition.ts';

const STATE = { refused: 'failed', cancelled: 'cancelled' } as const;

/** Why the line order closed, in the words of whoever closed it. */
export function closingReason(v: {
  lineOutcome: 'refused' | 'cancelled';
  orderNote?: string | null;
  cancellationReason?: string | null;
  errorNote?: string | null;
}): string {
  if (v.lineOutcome === 'refused') return withNote('Refused at order acceptance', v.orderNote);
  if (v.cancellationReason) return withNote('Cancelled', v.cancellationReason);
  return withNote('Cancelled as an error order', v.errorNote);
}

/** Closes a line order the order center refused (failed), or one cancelled by the customer or as an error order (cancelled). */
export const closeLineOrder = defineJob({
  type: 'close-line-order',
  description:
    'Closes an enterprise line order as failed (refused at order acceptance) or cancelled (by the customer, or as an error order)',
  input: z.object({
    lineOrderId: z.string(),
    lineOutcome: z.enum(['refused', 'cancelled']),
    /** The order center's note at order acceptance (why it was refused). */
    orderNote: z.string().nullish(),
    /** The customer's reason, from the cancellation message. */
    cancellationReason: z.string().nullish(),
    /** The order center's note on an error order it cancelled. */
    errorNote: z.string().nullish(),
  }),
  output: z.object({ closedAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    await deps.lineOrders.setState(variables.lineOrderId, STATE[variables.lineOutcome], at, closingReason(variables));
    return { closedAt: at.toISOString() };
  },
});
