import { z } from 'zod';
import { CustomerLevelSchema } from './home-broadband.ts';

/** The string contracts between processes/complaint.bpmn and the code. */
export const COMPLAINT_PROCESS_ID = 'complaint';
/** The complaint's account has no line in the resource inventory: no visit can be dispatched to it. */
export const COMPLAINT_DATA_INCONSISTENT = 'COMPLAINT_DATA_INCONSISTENT';

export const ComplaintCategorySchema = z
  .enum(['slow-speed', 'frequent-disconnection', 'install-delay', 'repair-delay', 'billing-dispute', 'staff-attitude', 'other'])
  .describe('Complaint category (the guide has standard steps for each)');

export const ComplaintVariablesSchema = z.object({
  complaintId: z.string().min(1),
  account: z.string().min(1),
  customer: z.object({ name: z.string(), level: CustomerLevelSchema }),
  category: ComplaintCategorySchema,
  description: z.string(),
});
export type ComplaintVariables = z.infer<typeof ComplaintVariablesSchema>;

export const GuideSchema = z.object({
  label: z.string(),
  steps: z.string(),
  needsDispatch: z.boolean(),
  handlingGroup: z.string(),
  resolutionHours: z.number(),
});
