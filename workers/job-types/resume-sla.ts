import { z } from 'zod';
import { EngineInstantSchema } from '../../contracts/acceptance.ts';
import { defineJob } from '../job-definition.ts';

/**
 * The repair clock resumes: repairDueAt / repairWarnAt move by the paused working time (the remaining
 * working time counted again from the wait's end on the business calendar), which re-arms the repair
 * task's warning and breach timers; a pause the response center refused leaves them where they were.
 */
export const resumeSla = defineJob({
  type: 'resume-sla',
  description:
    'Moves the repair deadline and its warning by the paused working time (business calendar), or not when the pause was refused',
  input: z.object({
    slaPauseId: z.number().int().positive(),
    pauseConfirmed: z.boolean().nullish(),
    resumedAt: EngineInstantSchema,
  }),
  output: z.object({ repairDueAt: z.string(), repairWarnAt: z.string(), slaPauseOutcome: z.enum(['counted', 'refused']) }),
  async handler({ variables, deps, log }) {
    const resumed = await deps.slaPauses.resume(
      variables.slaPauseId,
      variables.pauseConfirmed ?? null,
      variables.resumedAt,
      await deps.calendar(),
    );
    log.info({ slaPauseId: variables.slaPauseId, outcome: resumed.outcome, repairDueAt: resumed.repairDueAt }, 'SLA clock resumed');
    return {
      repairDueAt: resumed.repairDueAt.toISOString(),
      repairWarnAt: resumed.repairWarnAt.toISOString(),
      slaPauseOutcome: resumed.outcome,
    };
  },
});
