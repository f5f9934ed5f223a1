import { z } from 'zod';
import { EscalationLevelSchema } from '../../contracts/fault.ts';
import { defineJob } from '../job-definition.ts';

/** Escalation to the customer response center at a level, from an SLA timer. */
export const escalate = defineJob({
  type: 'escalate',
  description: 'Records an escalation to the response center (county, branch or region) for a ticket or order',
  input: z.object({ subjectId: z.string().min(1), level: EscalationLevelSchema, reason: z.string().min(1) }),
  output: z.object({ escalatedAt: z.string() }),
  async handler({ variables, job, deps, log }) {
    await deps.tickets.escalate({
      idempotencyKey: job.idempotencyKey,
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
