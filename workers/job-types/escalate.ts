import { z } from 'zod';
import { EscalationLevelSchema } from '../../contracts/fault.ts';
import { defineJob } from '../job-definition.ts';

/**
 * Escalation to the customer response center at a level, from an SLA timer. `clockStartedAt`, when
 * the process gives it (an error order's `errorOrderSince`), makes it once per escalation step,
 * subject and clock rather than once per job: an error order raised again after a correction keeps
 * its clock, its past timers fire again at once, and a level already escalated is not escalated again.
 */
export const escalate = defineJob({
  type: 'escalate',
  description: 'Records an escalation to the response center (county, branch or region) for a ticket or order',
  input: z.object({
    subjectId: z.string().min(1),
    level: EscalationLevelSchema,
    reason: z.string().min(1),
    clockStartedAt: z.number().int().nullish(),
  }),
  output: z.object({ escalatedAt: z.string() }),
  async handler({ variables, job, deps, log }) {
    await deps.tickets.escalate({
      idempotencyKey:
        variables.clockStartedAt == null
          ? job.idempotencyKey
          : `${job.bpmnProcessId}:${job.elementId}:${variables.subjectId}:${variables.clockStartedAt}`,
      subjectId: variables.subjectId,
      level: variables.level,
      reason: variables.reason,
      processInstanceKey: job.processInstanceKey,
      elementId: job.elementId,
    });
    log.warn({ level: variables.level, reason: variables.reason }, 'escalated');
    return { escalatedAt: deps.now().toISOString() };
  },
});
