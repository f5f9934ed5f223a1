import { withEngineTimeout, type ZeebeClient } from '../../engine/camunda.ts';

/**
 * The way every business object (ticket, complaint) enters a process: the record is committed
 * first, so the first worker finds it; then its process starts with the record's id among the
 * variables; if the engine refuses or does not answer, the record is removed again, so nothing
 * half-accepted remains.
 */
type ProcessVariables = Parameters<ZeebeClient['createProcessInstance']>[0]['variables'];

export async function recordAndStart({
  record,
  variables,
  bpmnProcessId,
  attachInstance,
  remove,
  zeebe,
  engineTimeoutMs,
}: {
  record: () => Promise<string>;
  variables: (id: string) => ProcessVariables;
  bpmnProcessId: string;
  attachInstance: (id: string, processInstanceKey: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
  zeebe: ZeebeClient;
  engineTimeoutMs: number;
}): Promise<{ id: string; processInstanceKey: string }> {
  const id = await record();
  try {
    const { processInstanceKey } = await withEngineTimeout(
      zeebe.createProcessInstance({ bpmnProcessId, variables: variables(id) }),
      engineTimeoutMs,
      `starting ${bpmnProcessId}`,
    );
    await attachInstance(id, processInstanceKey);
    return { id, processInstanceKey };
  } catch (e) {
    await remove(id);
    throw e;
  }
}
