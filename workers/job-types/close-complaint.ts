import { z } from 'zod';
import { ComplaintVariablesSchema } from '../../contracts/complaint.ts';
import { withNote } from '../closing-reason.ts';
import { defineJob } from '../job-definition.ts';

/** Closes a complaint with whether the customer accepted the outcome; an error complaint the response center cancels is closed as cancelled. */
export const closeComplaint = defineJob({
  type: 'close-complaint',
  description: 'Closes the complaint and records whether the customer accepted the outcome, or cancels an error complaint',
  input: ComplaintVariablesSchema.pick({ complaintId: true }).extend({
    complaintOutcome: z.enum(['closed', 'cancelled']).default('closed'),
    customerSatisfied: z.boolean().default(false),
    errorNote: z.string().nullish(),
  }),
  output: z.object({ closedAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    if (variables.complaintOutcome === 'cancelled')
      await deps.complaints.cancel(variables.complaintId, at, withNote('Cancelled as an error complaint', variables.errorNote));
    else await deps.complaints.close(variables.complaintId, variables.customerSatisfied, at);
    return { closedAt: at.toISOString() };
  },
});
