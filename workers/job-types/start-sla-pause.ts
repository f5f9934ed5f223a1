import { z } from 'zod';
import { EngineInstantSchema } from '../../contracts/acceptance.ts';
import { defineJob } from '../job-definition.ts';

/** A customer-caused wait interrupted the on-site repair: the clock pauses with the deadlines it had. */
export const startSlaPause = defineJob({
  type: 'start-sla-pause',
  description: 'Records that the repair clock paused for a customer-caused wait (客户原因), with the deadlines at that moment',
  input: z.object({
    ticketId: z.string().min(1),
    slaPauseId: z.number().int().positive(),
    pausedAt: EngineInstantSchema,
    repairDueAt: EngineInstantSchema,
    repairWarnAt: EngineInstantSchema,
  }),
  output: z.object({ slaPausedAt: z.string() }),
  async handler({ variables, deps, log }) {
    await deps.slaPauses.start(variables.slaPauseId, variables.ticketId, variables.pausedAt, {
      repairDueAt: variables.repairDueAt,
      repairWarnAt: variables.repairWarnAt,
    });
    log.info({ slaPauseId: variables.slaPauseId }, 'SLA clock paused (customer-caused wait)');
    return { slaPausedAt: variables.pausedAt.toISOString() };
  },
});
