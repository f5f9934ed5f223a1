import { z } from 'zod';
import { ComplaintVariablesSchema } from '../../contracts/complaint.ts';
import { defineJob } from '../job-definition.ts';

/** Closes a complaint with whether the customer accepted the outcome. */
export const closeComplaint = defineJob({
  type: 'close-complaint',
  description: 'Closes the complaint and records whether the customer accepted the outcome',
  input: ComplaintVariablesSchema.pick({ complaintId: true }).extend({ customerSatisfied: z.boolean().default(false) }),
  output: z.object({ closedAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    await deps.complaints.close(variables.complaintId, variables.customerSatisfied, at);
    return { closedAt: at.toISOString() };
  },
});
