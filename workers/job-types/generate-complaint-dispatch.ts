import { z } from 'zod';
import { COMPLAINT_DATA_INCONSISTENT, ComplaintVariablesSchema, GuideSchema } from '../../contracts/complaint.ts';
import { BusinessError, defineJob } from '../job-definition.ts';

/**
 * Generates the dispatch information of a complaint visit from the complaint, the guide and the
 * line. A complaint whose account has no line in the resource inventory cannot be dispatched: it
 * goes to the response center as an error complaint, whose corrected account comes back here.
 */
export const generateComplaintDispatch = defineJob({
  type: 'generate-complaint-dispatch',
  errorOrder: COMPLAINT_DATA_INCONSISTENT,
  description:
    "Builds the work order text for a complaint's field visit and finds the line's grid; raises COMPLAINT_DATA_INCONSISTENT when the account has no line",
  input: ComplaintVariablesSchema.pick({ complaintId: true, account: true, customer: true, category: true, description: true }).extend({
    guide: GuideSchema,
    handlingNote: z.string().nullish(),
    correctedAccount: z.string().trim().min(1).nullish(),
  }),
  output: z.object({
    dispatchInfo: z.object({ text: z.string(), grid: z.string(), line: z.string(), priority: z.enum(['normal', 'high']) }),
    account: z.string(),
    correctedAccount: z.null(),
  }),
  async handler({ variables, deps }) {
    const account = variables.correctedAccount ?? variables.account;
    if (account !== variables.account) await deps.complaints.correctAccount(variables.complaintId, account);
    // Transient trouble (the inventory not answering in time) is retried with back-off by the runner.
    const line = await deps.networkSystems.inventory.lineOf(account, AbortSignal.timeout(5000));
    if (!line) {
      const reason = `账号 ${account} 在资源系统中没有接入线路，无法派单上门 / Account ${account} has no access line in the resource inventory: no visit can be dispatched.`;
      throw new BusinessError(COMPLAINT_DATA_INCONSISTENT, reason, { account, correctedAccount: null, errorOrder: { reason, account } });
    }
    const priority = variables.customer.level === 'group' || variables.customer.level === 'province' ? 'high' : 'normal';
    const lineLabel = `${line.olt} PON ${line.ponPort} ONU ${line.onuId}`;
    const text = [
      `【投诉上门 Complaint visit】${variables.complaintId} · ${variables.guide.label} · ${priority === 'high' ? '优先 High priority' : '普通 Normal'}`,
      `客户 Customer: ${variables.customer.name} (${variables.customer.level}) · 账号 Account: ${account}`,
      `线路 Line: ${lineLabel} · 网格 Grid: ${line.grid}`,
      `客户反映 The customer says: ${variables.description}`,
      ...(variables.handlingNote ? [`已处理 Done so far: ${variables.handlingNote}`] : []),
      `标准步骤 Standard steps:\n${variables.guide.steps}`,
    ].join('\n');
    const dispatchInfo = { text, grid: line.grid, line: lineLabel, priority } as const;
    await deps.complaints.recordDispatch(variables.complaintId, dispatchInfo);
    return { dispatchInfo, account, correctedAccount: null };
  },
});
