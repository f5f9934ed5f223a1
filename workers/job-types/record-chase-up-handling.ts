import { z } from 'zod';
import { defineJob } from '../job-definition.ts';

export const CHASE_UP_OUTCOMES = ['holder-pressed', 'rescheduled', 'resolved', 'customer-informed'] as const;

/** Writes the response center's follow-up of an escalated chase-up back to the chase-up, where the customer reads it. */
export const recordChaseUpHandling = defineJob({
  type: 'record-chase-up-handling',
  description: "Records the response center's follow-up (outcome and note) on the escalated chase-up",
  input: z.object({
    chaseUp: z.object({ id: z.string().regex(/^\d+$/) }),
    chaseUpOutcome: z.enum(CHASE_UP_OUTCOMES),
    chaseUpNote: z.string().min(1),
  }),
  output: z.object({ handledAt: z.string() }),
  async handler({ variables, deps }) {
    const at = deps.now();
    await deps.chaseUps.recordHandling({
      chaseUpId: Number(variables.chaseUp.id),
      outcome: variables.chaseUpOutcome,
      note: variables.chaseUpNote,
      at,
    });
    return { handledAt: at.toISOString() };
  },
});
