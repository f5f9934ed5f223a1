import { z } from 'zod';
import { EngineInstantSchema } from '../../contracts/acceptance.ts';
import { defineJob } from '../job-definition.ts';

/** The customer-caused wait is over: how much working time it paused, and whether the response center must confirm it. */
export const endSlaPause = defineJob({
  type: 'end-sla-pause',
  description:
    'Measures the paused working time on the business calendar and decides whether the pause needs the response center (more than 2 pauses or 48 working hours)',
  input: z.object({ slaPauseId: z.number().int().positive(), waitEndedAt: EngineInstantSchema }),
  output: z.object({
    pauseConfirmationRequired: z.boolean(),
    pausedWorkingMinutes: z.number().int(),
    slaPauseCount: z.number().int(),
    pausedWorkingHoursTotal: z.number(),
    /** Reset before each decision: an earlier pause's confirmation must not confirm this one. */
    pauseConfirmed: z.literal(false),
  }),
  async handler({ variables, deps }) {
    const ended = await deps.slaPauses.end(variables.slaPauseId, variables.waitEndedAt, await deps.calendar());
    return {
      pauseConfirmationRequired: ended.confirmationRequired,
      pausedWorkingMinutes: Math.round(ended.pausedWorkingMs / 60_000),
      slaPauseCount: ended.pauses,
      pausedWorkingHoursTotal: Math.round((ended.pausedWorkingMsTotal / 3_600_000) * 10) / 10,
      pauseConfirmed: false as const,
    };
  },
});
