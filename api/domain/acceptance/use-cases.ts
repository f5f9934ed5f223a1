import { ACCEPTANCE_PROCESS_ID } from '../../../contracts/acceptance.ts';
import { withEngineTimeout, type ZeebeClient } from '../../../engine/camunda.ts';

/** Starts the acceptance batch of a given month by hand (the timer starts one on the 5th of each month). */
export async function startAcceptanceBatch({
  month,
  zeebe,
  engineTimeoutMs,
}: {
  month: string;
  zeebe: ZeebeClient;
  engineTimeoutMs: number;
}) {
  const { processInstanceKey } = await withEngineTimeout(
    zeebe.createProcessInstance({ bpmnProcessId: ACCEPTANCE_PROCESS_ID, variables: { month } }),
    engineTimeoutMs,
    'starting the acceptance batch',
  );
  return { processInstanceKey };
}
