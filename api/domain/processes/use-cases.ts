import { withEngineTimeout, type ZeebeClient } from '../../../engine/camunda.ts';
import { ApiError, errors } from '../../errors.ts';
import { slaState } from '../tasks/use-cases.ts';
import type { ProcessRepository } from './repository.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function listDefinitions(processes: ProcessRepository) {
  return (await processes.definitions()).map((d) => ({
    processId: d.processId,
    name: d.name,
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
export async function instanceDetail(processes: ProcessRepository, key: string) {
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
      name: e.name,
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

/** Gives the failed job its retries back, then resolves the incident: the engine runs the job again. */
export async function resolveIncident({
  processes,
  zeebe,
  key,
  retries,
  engineTimeoutMs,
}: {
  processes: ProcessRepository;
  zeebe: ZeebeClient;
  key: string;
  retries: number;
  engineTimeoutMs: number;
}) {
  const incident = await processes.incident(key);
  if (!incident) throw new ApiError(404, 'INCIDENT_NOT_FOUND', 'Incident not found', `There is no incident ${key}.`);
  if (incident.state !== 'active') throw new ApiError(409, 'INCIDENT_RESOLVED', 'Incident already resolved', `Incident ${key} is resolved.`);
  if (incident.jobKey) {
    await withEngineTimeout(zeebe.updateJobRetries({ jobKey: incident.jobKey, retries }), engineTimeoutMs, 'restoring job retries');
  }
  await withEngineTimeout(zeebe.resolveIncident({ incidentKey: key }), engineTimeoutMs, 'resolving the incident');
}

export async function cancelInstance({
  processes,
  zeebe,
  key,
  engineTimeoutMs,
}: {
  processes: ProcessRepository;
  zeebe: ZeebeClient;
  key: string;
  engineTimeoutMs: number;
}) {
  const instance = await processes.instance(key);
  if (!instance) throw instanceNotFound(key);
  if (instance.state !== 'active') throw new ApiError(409, 'INSTANCE_NOT_ACTIVE', 'Instance not active', `Process instance ${key} is ${instance.state}.`);
  if (instance.parentKey) {
    throw new ApiError(409, 'INSTANCE_IS_CALLED', 'Cancel the top-level instance', `Instance ${key} was called by ${instance.parentKey}; cancel that one.`);
  }
  await withEngineTimeout(zeebe.cancelProcessInstance(key), engineTimeoutMs, 'cancelling the instance');
}
