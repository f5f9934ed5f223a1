import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { complaints, lineOrders, orders, serviceChanges, troubleTickets } from '../../db/schema.ts';
import { EngineRequestError } from '../../engine/errors.ts';
import type { OperatonClient, Variables } from '../../engine/operaton.ts';
import { ApiError } from '../errors.ts';
import { engineCommand } from './engine-command.ts';

/** The `Idempotency-Key` header of a create route, described as that route treats a retry. */
export const idempotencyHeaders = (description: string) =>
  z.object({ 'idempotency-key': z.string().trim().min(8).max(128).optional().describe(description) });

type Log = { warn(context: object, message: string): void; error(context: object, message: string): void };

/**
 * Undoes a start whose acceptance failed after the engine had started the instance: the instance
 * is deleted (its workers' first steps only read, so nothing else was done yet). Best effort: a
 * failure here is logged, and the original error still reaches the caller.
 */
export async function discardInstance(engine: OperatonClient, processInstanceKey: string, log?: Log): Promise<void> {
  try {
    await engine.deleteProcessInstance(processInstanceKey);
  } catch (e) {
    log?.error({ err: e, processInstanceKey }, 'a refused creation left its process instance; delete it by hand');
  }
}

/** The business tables by id prefix, each with its instance key. */
const CREATED = {
  HB: orders,
  CH: serviceChanges,
  DL: lineOrders,
  FT: troubleTickets,
  CP: complaints,
} as const;

/**
 * Undoes the creation of a business object whose answer could not be given (so the request is
 * refused whole): its process instance is deleted, then its row. Only for an object this request
 * has just created.
 */
export async function discardCreated({ db, engine, id, log }: { db: Db; engine: OperatonClient; id: string; log?: Log }): Promise<void> {
  const table = CREATED[id.slice(0, 2) as keyof typeof CREATED];
  if (!table) throw new Error(`no business table for ${id}`);
  const [row] = await db.select({ key: table.processInstanceKey }).from(table).where(eq(table.id, id));
  if (row?.key) await discardInstance(engine, row.key, log);
  await db.delete(table).where(eq(table.id, id));
  log?.warn({ businessKey: id }, 'creation undone: its answer could not be given');
}

/**
 * The way every business object (ticket, complaint, change, line order) enters a process: the
 * record is committed first, so the first worker finds it; then its process starts with the
 * record's id as its business key (messages are correlated by it) and among the variables; if the
 * engine refuses or does not answer, or the instance cannot be attached to the record, the record
 * (and the instance, if it had started) is removed again, so nothing half-accepted remains.
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
  let processInstanceKey: string | undefined;
  try {
    processInstanceKey = await startProcess({ engine, bpmnProcessId, businessKey: id, variables: variables(id), engineTimeoutMs });
    await attachInstance(id, processInstanceKey);
    return { id, processInstanceKey };
  } catch (e) {
    if (processInstanceKey) await discardInstance(engine, processInstanceKey);
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
