import { z } from 'zod';
import { missingEvidence } from '../../contracts/evidence.ts';
import { defineJob } from '../job-definition.ts';

/**
 * Whether the files a form requires are there (uploaded, not rejected) for a line or order: the
 * 25th's timer asks before escalating, so material uploaded in time (its task not yet completed)
 * escalates nobody. The requirement is the form's own (its `evidence.kinds` / `evidence.minimum`).
 */
export const checkEvidence = defineJob({
  type: 'check-evidence',
  description: "Checks that a line's or order's required photos and documents are uploaded (the form's requirement)",
  input: z.object({
    formId: z.string().min(1),
    businessKey: z.string().min(1),
    branch: z.string().min(1).nullish(),
  }),
  output: z.object({ evidenceComplete: z.boolean(), evidenceMissing: z.array(z.string()) }),
  async handler({ variables, job, deps, log }) {
    const requirement = await deps.evidence.requirementOf(variables.formId);
    // a form that asks for nothing (a process owner removed the requirement) leaves nothing missing
    if (!requirement) return { evidenceComplete: true, evidenceMissing: [] };
    const present = await deps.evidence.presentKinds({
      processInstanceKey: job.processInstanceKey,
      businessKey: variables.businessKey,
      branch: variables.branch ?? null,
    });
    const missing = missingEvidence(requirement, present);
    const evidenceMissing = [...missing.kinds, ...(missing.count > 0 ? [`${missing.count} more file(s)`] : [])];
    log.info({ businessKey: variables.businessKey, present: present.length, evidenceMissing }, 'evidence checked');
    return { evidenceComplete: evidenceMissing.length === 0, evidenceMissing };
  },
});
