import { z } from 'zod';
import { FaultVariablesSchema } from '../../contracts/fault.ts';
import { defineJob } from '../job-definition.ts';
import { prediagnose } from '../diagnosis/prediagnose.ts';

const DiagnosisSchema = z.object({
  category: z.string(),
  recommendedAction: z.enum(['online', 'field']),
  summary: z.string(),
  answeredSources: z.array(z.string()),
  missingSources: z.array(z.string()),
  line: z.object({ olt: z.string(), ponPort: z.string(), onuId: z.string(), grid: z.string() }).optional(),
  elapsedMs: z.number(),
});

/** Pre-diagnosis (故障预判断): one query across inventory, access platform, RADIUS and alarms. */
export const prediagnoseFault = defineJob({
  type: 'prediagnose-fault',
  description: 'Asks the four network systems at once and classifies the fault (online or field resolution)',
  input: FaultVariablesSchema.pick({ ticketId: true, account: true }),
  output: z.object({ diagnosis: DiagnosisSchema }),
  timeoutMs: 30_000,
  async handler({ variables, deps, log }) {
    const diagnosis = await prediagnose(variables.account, deps.networkSystems);
    await deps.tickets.recordDiagnosis(variables.ticketId, diagnosis, diagnosis.recommendedAction);
    log.info({ category: diagnosis.category, missing: diagnosis.missingSources, ms: diagnosis.elapsedMs }, 'fault pre-diagnosed');
    return { diagnosis };
  },
});
