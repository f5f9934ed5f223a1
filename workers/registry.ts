import type { JobDefinition } from './job-definition.ts';
import { activateService } from './job-types/activate-service.ts';
import { checkResources } from './job-types/check-resources.ts';
import { closeOrder } from './job-types/close-order.ts';
import { changeBilling } from './job-types/change-billing.ts';
import { checkLineInventoryData } from './job-types/check-line-inventory-data.ts';
import { checkEvidence } from './job-types/check-evidence.ts';
import { closeChange } from './job-types/close-change.ts';
import { closeComplaint } from './job-types/close-complaint.ts';
import { closeLineOrder } from './job-types/close-line-order.ts';
import { computeRectificationDue } from './job-types/compute-rectification-due.ts';
import { closeTicket } from './job-types/close-ticket.ts';
import { escalate } from './job-types/escalate.ts';
import { generateComplaintDispatch } from './job-types/generate-complaint-dispatch.ts';
import { intakeOrder } from './job-types/intake-order.ts';
import { listLinesForAcceptance } from './job-types/list-lines-for-acceptance.ts';
import { planLineConstruction } from './job-types/plan-line-construction.ts';
import { prediagnoseFault } from './job-types/prediagnose-fault.ts';
import { recordAcceptance } from './job-types/record-acceptance.ts';
import { recordLineInInventory } from './job-types/record-line-in-inventory.ts';
import { releasePreviousPorts } from './job-types/release-previous-ports.ts';
import { releaseResources } from './job-types/release-resources.ts';
import { scoreBranchAcceptance } from './job-types/score-branch-acceptance.ts';
import { startLineBilling } from './job-types/start-line-billing.ts';
import { verifyChange } from './job-types/verify-change.ts';
import { startSlaPause } from './job-types/start-sla-pause.ts';
import { endSlaPause } from './job-types/end-sla-pause.ts';
import { resumeSla } from './job-types/resume-sla.ts';
import { recordChaseUpHandling } from './job-types/record-chase-up-handling.ts';

/** Every job type the platform works. tests/contract checks it against processes/. */
export const jobDefinitions: JobDefinition[] = [
  intakeOrder,
  checkResources,
  activateService,
  closeOrder,
  releaseResources,
  prediagnoseFault,
  escalate,
  closeTicket,
  generateComplaintDispatch,
  closeComplaint,
  listLinesForAcceptance,
  computeRectificationDue,
  checkLineInventoryData,
  checkEvidence,
  recordAcceptance,
  scoreBranchAcceptance,
  changeBilling,
  releasePreviousPorts,
  closeChange,
  verifyChange,
  planLineConstruction,
  startLineBilling,
  recordLineInInventory,
  closeLineOrder,
  startSlaPause,
  endSlaPause,
  resumeSla,
  recordChaseUpHandling,
];
