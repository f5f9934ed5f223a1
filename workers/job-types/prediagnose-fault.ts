import { z } from 'zod';
import { FaultVariablesSchema, ServiceSchema, TICKET_DATA_INCONSISTENT } from '../../contracts/fault.ts';
import { BusinessError, defineJob } from '../job-definition.ts';
import { prediagnose, type Diagnosis } from '../diagnosis/prediagnose.ts';

const DiagnosisSchema = z.object({
  category: z.string(),
  recommendedAction: z.enum(['online', 'field']),
  summary: z.string(),
  answeredSources: z.array(z.string()),
  missingSources: z.array(z.string()),
  line: z.object({ olt: z.string(), ponPort: z.string(), onuId: z.string(), grid: z.string(), service: z.string() }).optional(),
  elapsedMs: z.number(),
});

/** Services carried by an access line of their own: the inventory line must carry the ticket's service. */
const LINE_SERVICES = new Set(['broadband', 'dedicated-line']);

/**
 * What makes a ticket an error ticket (错单): the resource inventory answered and has no access line
 * for the account, or the line it has carries another service than the ticket names. Undefined when
 * the ticket matches inventory (or inventory did not answer, so nothing can be told).
 */
export function ticketInconsistency(account: string, service: string, diagnosis: Diagnosis): string | undefined {
  if (diagnosis.category === 'unknown-line')
    return `账号 ${account} 在资源系统中没有接入线路 / Account ${account} has no access line in the resource inventory.`;
  const line = diagnosis.line;
  if (line && LINE_SERVICES.has(service) && line.service !== service) {
    return `工单所报业务为 ${service}，但账号 ${account} 在资源系统中的线路（${line.olt} PON ${line.ponPort}）承载的是 ${line.service} / The ticket names ${service}, but the inventory line of account ${account} (${line.olt} PON ${line.ponPort}) carries ${line.service}.`;
  }
  return undefined;
}

/**
 * Pre-diagnosis (故障预判断): one query across inventory, access platform, RADIUS and alarms. A
 * ticket whose account or service does not match inventory goes to the response center as an error
 * ticket; its correction (account, service) comes back here.
 */
export const prediagnoseFault = defineJob({
  type: 'prediagnose-fault',
  errorOrder: TICKET_DATA_INCONSISTENT,
  description:
    'Asks the four network systems at once and classifies the fault; raises TICKET_DATA_INCONSISTENT when the ticket does not match inventory',
  input: FaultVariablesSchema.pick({ ticketId: true, account: true, service: true }).extend({
    correctedAccount: z.string().trim().min(1).nullish(),
    correctedService: ServiceSchema.nullish(),
  }),
  output: z.object({
    diagnosis: DiagnosisSchema,
    account: z.string(),
    service: ServiceSchema,
    correctedAccount: z.null(),
    correctedService: z.null(),
  }),
  timeoutMs: 30_000,
  async handler({ variables, deps, log }) {
    const account = variables.correctedAccount ?? variables.account;
    const service = variables.correctedService ?? variables.service;
    if (account !== variables.account || service !== variables.service) {
      await deps.tickets.correct(variables.ticketId, { account, service });
    }
    const diagnosis = await prediagnose(account, deps.networkSystems);
    await deps.tickets.recordDiagnosis(variables.ticketId, diagnosis, diagnosis.recommendedAction);
    const inconsistency = ticketInconsistency(account, service, diagnosis);
    if (inconsistency) {
      throw new BusinessError(TICKET_DATA_INCONSISTENT, inconsistency, {
        // What the ticket now says (a correction was applied), so the next correction starts from it.
        account,
        service,
        correctedAccount: null,
        correctedService: null,
        errorOrder: { reason: inconsistency, account, service },
      });
    }
    log.info({ category: diagnosis.category, missing: diagnosis.missingSources, ms: diagnosis.elapsedMs }, 'fault pre-diagnosed');
    return { diagnosis, account, service, correctedAccount: null, correctedService: null };
  },
});
