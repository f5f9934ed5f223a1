import { z } from 'zod';
import { ComplaintVariablesSchema, GuideSchema } from '../../contracts/complaint.ts';
import { defineJob, PermanentJobError } from '../job-definition.ts';

/** Generates the dispatch information of a complaint visit from the complaint, the guide and the line. */
export const generateComplaintDispatch = defineJob({
  type: 'generate-complaint-dispatch',
  description: "Builds the work order text for a complaint's field visit and finds the line's grid",
  input: ComplaintVariablesSchema.pick({ complaintId: true, account: true, customer: true, category: true, description: true }).extend({
    guide: GuideSchema,
    handlingNote: z.string().optional(),
  }),
  output: z.object({
    dispatchInfo: z.object({ text: z.string(), grid: z.string(), line: z.string(), priority: z.enum(['normal', 'high']) }),
  }),
  async handler({ variables, deps }) {
    const line = await deps.networkSystems.inventory.lineOf(variables.account, AbortSignal.timeout(5000));
    if (!line) throw new PermanentJobError(`no access line is recorded for account ${variables.account}`);
    const priority = variables.customer.level === 'group' || variables.customer.level === 'province' ? 'high' : 'normal';
    const lineLabel = `${line.olt} PON ${line.ponPort} ONU ${line.onuId}`;
    const text = [
      `【投诉上门 Complaint visit】${variables.complaintId} · ${variables.guide.label} · ${priority === 'high' ? '优先 High priority' : '普通 Normal'}`,
      `客户 Customer: ${variables.customer.name} (${variables.customer.level}) · 账号 Account: ${variables.account}`,
      `线路 Line: ${lineLabel} · 网格 Grid: ${line.grid}`,
      `客户反映 The customer says: ${variables.description}`,
      ...(variables.handlingNote ? [`已处理 Done so far: ${variables.handlingNote}`] : []),
      `标准步骤 Standard steps:\n${variables.guide.steps}`,
    ].join('\n');
    const dispatchInfo = { text, grid: line.grid, line: lineLabel, priority } as const;
    await deps.complaints.recordDispatch(variables.complaintId, dispatchInfo);
    return { dispatchInfo };
  },
});
