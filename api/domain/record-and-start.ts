import { EngineRequestError } from '../../engine/errors.ts';
import type { OperatonClient, Variables } from '../../engine/operaton.ts';
import { ApiError } from '../errors.ts';
import { engineCommand } from './engine-command.ts';

/**
 * The way every business object (ticket, complaint, change, line order) enters a process: the
 * record is committed first, so the first worker finds it; then its process starts with the
 * record's id as its business key (messages are correlated by it) and among the variables; if the
 * engine refuses or does not answer, the record is removed again, so nothing half-accepted remains.
 */
export async function recordAndStart({
  record,
  variables,
  bpmnProcessId,
  attachInstance,
  remove,
  engine,
  engineTimeoutMs,
}: {
  record: () => Promise<string>;
  variables: (id: string) => Variables;
  bpmnProcessId: string;
  attachInstance: (id: string, processInstanceKey: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
  engine: OperatonClient;
  /** Bounds the whole start (the client's deadline bounds each call). */
  engineTimeoutMs?: number;
}): Promise<{ id: string; processInstanceKey: string }> {
  const id = await record();
  try {
    const processInstanceKey = await startProcess({ engine, bpmnProcessId, businessKey: id, variables: variables(id), engineTimeoutMs });
    await attachInstance(id, processInstanceKey);
    return { id, processInstanceKey };
  } catch (e) {
    await remove(id);
    throw e;
  }
}

/**
 * Starts a process instance with its business key; answers its key (the instance id, numeric with
 * our engine). A process the engine does not have (not deployed yet) is the platform's fault, not
 * the caller's, and passes: 503, like an engine that is not there.
 */
export async function startProcess({
  engine,
  bpmnProcessId,
  businessKey,
  variables,
  engineTimeoutMs,
}: {
  engine: OperatonClient;
  bpmnProcessId: string;
  businessKey: string;
  variables: Variables;
  engineTimeoutMs?: number;
}): Promise<string> {
  try {
    const instance = await engineCommand(
      `starting ${bpmnProcessId}`,
      () => engine.startProcess(bpmnProcessId, { businessKey, variables }),
      {
        timeoutMs: engineTimeoutMs,
      },
    );
    return instance.id;
  } catch (e) {
    if (e instanceof EngineRequestError && e.status === 404) {
      throw new ApiError(
        503,
        'PROCESS_NOT_DEPLOYED',
        'Process not deployed',
        `The engine has no process ${bpmnProcessId}; try again once it is deployed.`,
      );
    }
    throw e;
  }
}
