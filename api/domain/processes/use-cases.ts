import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { engineCommand, isGone } from '../engine-command.ts';
import { ApiError, errors } from '../../errors.ts';
import { inLanguage, type Language } from '../i18n/language.ts';
import { slaState } from '../tasks/use-cases.ts';
import type { ProcessRepository } from './repository.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function listDefinitions(processes: ProcessRepository, lang: Language = 'zh') {
  return (await processes.definitions()).map((d) => ({
    processId: d.processId,
    name: inLanguage(lang, d.name, d.nameEn),
    latestVersion: d.versions[0]?.version ?? 0,
    versions: d.versions.map((v) => ({ ...v, deployedAt: new Date(v.deployedAt).toISOString() })),
    activeInstances: Number(d.activeInstances),
  }));
}

export async function definitionXml(processes: ProcessRepository, processId: string, version: number | undefined) {
  const row = await processes.xml(processId, version);
  if (!row) throw version === undefined ? errors.processNotFound(processId) : errors.processNotFound(`${processId} version ${version}`);
  return row;
}

const instanceNotFound = (key: string) => new ApiError(404, 'INSTANCE_NOT_FOUND', 'Process instance not found', `There is no process instance ${key}.`);

function toIncident(i: Awaited<ReturnType<ProcessRepository['incidents']>>[number]) {
  return {
    ...i,
    state: i.state as 'active' | 'resolved',
    createdAt: iso(i.createdAt) as string,
    resolvedAt: iso(i.resolvedAt),
  };
}

export async function listInstances(processes: ProcessRepository, q: Parameters<ProcessRepository['instances']>[0]) {
  const rows = await processes.instances(q);
  return {
    total: rows[0] ? Number(rows[0].total) : 0,
    instances: rows.map(({ total: _t, ...r }) => ({
      ...r,
      state: r.state as 'active' | 'completed' | 'terminated',
      startedAt: iso(r.startedAt) as string,
      endedAt: iso(r.endedAt),
      activeIncidents: Number(r.activeIncidents),
    })),
  };
}

/** One instance as the diagram shows it: per element what completed, what is active (and its SLA), incidents, the path. */
export async function instanceDetail(processes: ProcessRepository, key: string, lang: Language = 'zh') {
  const instance = await processes.instance(key);
  if (!instance) throw instanceNotFound(key);
  const [elements, takenFlows, calledInstances, incidents] = await Promise.all([
    processes.elementStates(key),
    processes.takenFlows(key),
    processes.calledInstances(key),
    processes.incidents({ processInstanceKey: key }),
  ]);
  const activeIncidents = incidents.filter((i) => i.state === 'active');
  return {
    ...instance,
    state: instance.state as 'active' | 'completed' | 'terminated',
    startedAt: iso(instance.startedAt) as string,
    endedAt: iso(instance.endedAt),
    activeIncidents: activeIncidents.length,
    elements: elements.map((e) => ({
      elementId: e.elementId,
      name: inLanguage(lang, e.name, e.nameEn),
      type: e.type,
      completed: e.completed,
      active: e.active,
      terminated: e.terminated,
      incidents: activeIncidents.filter((i) => i.elementId === e.elementId).length,
      activeSince: iso(e.activeSince),
      dueDate: e.dueDate,
      slaState: e.active > 0 && e.taskCreatedAt ? slaState(new Date(e.taskCreatedAt), e.dueDate) : ('none' as const),
    })),
    takenFlows,
    calledInstances,
    incidents: incidents.map(toIncident),
  };
}

export async function listIncidents(processes: ProcessRepository, q: { state?: string; processId?: string }) {
  return (await processes.incidents(q)).map(toIncident);
}

const incidentResolved = (key: string) =>
  new ApiError(409, 'INCIDENT_RESOLVED', 'Incident already resolved', `Incident ${key} is resolved.`);

/**
 * Gives what failed its retries back: the engine resolves the incident itself and runs it again.
 * A worker's task (incident type failedExternalTask) is fetched again by its worker; a job
 * (failedJob: a timer, an asynchronous continuation) is run again by the job executor. What failed
 * is the incident's configuration, as the engine reports it (its type decides which call).
 */
export async function resolveIncident({
  processes,
  engine,
  key,
  retries,
  engineTimeoutMs,
}: {
  processes: ProcessRepository;
  engine: OperatonClient;
  key: string;
  retries: number;
  engineTimeoutMs?: number;
}) {
  const incident = await processes.incident(key);
  if (!incident) throw new ApiError(404, 'INCIDENT_NOT_FOUND', 'Incident not found', `There is no incident ${key}.`);
  if (incident.state !== 'active') throw incidentResolved(key);
  const timeoutMs = engineTimeoutMs;
  // The read model may not have recorded its resolution yet: the engine's open incidents are the truth.
  const [open] = await engineCommand('reading the incident', () => engine.incidents({ incidentId: key }), { timeoutMs });
  if (!open) throw incidentResolved(key);
  const failed = open.configuration ?? incident.jobKey;
  if (!failed) throw new ApiError(409, 'INCIDENT_NOT_RETRYABLE', 'Nothing to retry', `Incident ${key} names no task or job to retry.`);
  try {
    if (open.incidentType === 'failedExternalTask') {
      await engineCommand('restoring the task\'s retries', () => engine.setExternalTaskRetries(failed, retries), { timeoutMs });
    } else if (open.incidentType === 'failedJob') {
      await engineCommand('restoring the job\'s retries', () => engine.setJobRetries(failed, retries), { timeoutMs });
    } else {
      throw new ApiError(
        409,
        'INCIDENT_NOT_RETRYABLE',
        'This incident cannot be retried here',
        `Incident ${key} is of type ${open.incidentType}; resolve it in the engine's cockpit.`,
      );
    }
  } catch (e) {
    // resolved meanwhile (its task or job is gone: completed, or its instance cancelled)
    if (isGone(e)) throw incidentResolved(key);
    throw e;
  }
}

/** Why a process owner's cancellation closed the business object (the status views and TMF show it). */
export const OWNER_CANCELLATION_REASON = 'Process instance cancelled by a process owner';

/**
 * Cancels a running top-level instance at once (called instances with it). The reason is recorded
 * on its business object first (the read model closes it as cancelled from the engine's end event
 * and keeps a reason already there); if the engine does not cancel, the reason is taken back.
 */
export async function cancelInstance({
  processes,
  db,
  engine,
  key,
  engineTimeoutMs,
}: {
  processes: ProcessRepository;
  db: Db;
  engine: OperatonClient;
  key: string;
  engineTimeoutMs?: number;
}) {
  const instance = await processes.instance(key);
  if (!instance) throw instanceNotFound(key);
  if (instance.state !== 'active') throw new ApiError(409, 'INSTANCE_NOT_ACTIVE', 'Instance not active', `Process instance ${key} is ${instance.state}.`);
  if (instance.parentKey) {
    throw new ApiError(409, 'INSTANCE_IS_CALLED', 'Cancel the top-level instance', `Instance ${key} was called by ${instance.parentKey}; cancel that one.`);
  }
  await noteReason(db, key, OWNER_CANCELLATION_REASON);
  let outcome: 'cancelled' | 'not-found';
  try {
    outcome = await engineCommand('cancelling the instance', () => engine.deleteProcessInstance(key), { timeoutMs: engineTimeoutMs });
  } catch (e) {
    await takeBackReason(db, key, OWNER_CANCELLATION_REASON).catch(() => {});
    throw e;
  }
  if (outcome === 'not-found') {
    // it ended on its own meanwhile; the read model has not caught up with it yet
    await takeBackReason(db, key, OWNER_CANCELLATION_REASON).catch(() => {});
    throw new ApiError(409, 'INSTANCE_NOT_ACTIVE', 'Instance not active', `Process instance ${key} has already ended.`);
  }
}

/** The business objects an instance runs for, and the states in which they are still open. */
const BUSINESS_TABLES = [
  { table: 'orders', closed: ['completed', 'failed', 'cancelled'] },
  { table: 'trouble_ticket', closed: ['closed', 'cancelled'] },
  { table: 'complaint', closed: ['closed', 'cancelled'] },
  { table: 'service_change', closed: ['done', 'refused', 'cancelled'] },
  { table: 'line_order', closed: ['completed', 'failed', 'cancelled'] },
] as const;

async function noteReason(db: Db, processInstanceKey: string, reason: string) {
  for (const { table, closed } of BUSINESS_TABLES) {
    await db.execute(sql`update ${sql.identifier(table)} set state_reason = ${reason}
      where process_instance_key = ${processInstanceKey} and state_reason is null
        and state not in (${sql.join(
          closed.map((c) => sql`${c}`),
          sql`, `,
        )})`);
  }
}

async function takeBackReason(db: Db, processInstanceKey: string, reason: string) {
  for (const { table, closed } of BUSINESS_TABLES) {
    await db.execute(sql`update ${sql.identifier(table)} set state_reason = null
      where process_instance_key = ${processInstanceKey} and state_reason = ${reason}
        and state not in (${sql.join(
          closed.map((c) => sql`${c}`),
          sql`, `,
        )})`);
  }
}
