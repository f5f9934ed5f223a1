import { z } from 'zod';
import { withNote } from '../closing-reason.ts';
import { defineJob } from '../job-definition.ts';

/** Closes a change request as done or refused. */
export const closeChange = defineJob({
  type: 'close-change',
  description: 'Closes a change request (done; refused when the new address has no port; cancelled as an error change)',
  input: z.object({
    changeId: z.string().min(1),
    changeOutcome: z.enum(['done', 'refused', 'cancelled']),
    errorNote: z.string().nullish(),
  }),
  output: z.object({ changeClosedAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    const reason = {
      done: null,
      refused: 'Refused: no free access port at the new address',
      cancelled: withNote('Cancelled as an error change', variables.errorNote),
    }[variables.changeOutcome];
    await deps.changes.close(variables.changeId, variables.changeOutcome, at, reason);
    return { changeClosedAt: at.toISOString() };
  },
});
