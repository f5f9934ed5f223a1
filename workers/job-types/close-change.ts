import { z } from 'zod';
import { defineJob } from '../job-definition.ts';

/** Closes a change request as done or refused. */
export const closeChange = defineJob({
  type: 'close-change',
  description: 'Closes a change request (done; refused when the new address has no port; cancelled as an error change)',
  input: z.object({ changeId: z.string().min(1), changeOutcome: z.enum(['done', 'refused', 'cancelled']) }),
  output: z.object({ changeClosedAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    await deps.changes.close(variables.changeId, variables.changeOutcome, at);
    return { changeClosedAt: at.toISOString() };
  },
});
