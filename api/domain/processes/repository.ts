import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { STAGE_TYPES } from '../../../read-model/projector.ts';

/** Variables that name what an instance is about, nearest first (see the task list's business key). */
const BUSINESS_KEY = sql`coalesce(
  (select v.value #>> '{}' from instance_variable v where v.scope_key = pi.root_process_instance_key
     and v.name in ('changeId', 'ticketId', 'complaintId', 'lineOrderId', 'orderId', 'month')
   order by array_position(array['changeId', 'ticketId', 'complaintId', 'lineOrderId', 'orderId', 'month'], v.name) limit 1), null)`;

/** The read model's element type names (the projector's stage types), and the gateways, which are no stages. */
const ELEMENT_TYPES = JSON.stringify({
  ...STAGE_TYPES,
  exclusiveGateway: 'EXCLUSIVE_GATEWAY',
  inclusiveGateway: 'INCLUSIVE_GATEWAY',
  parallelGateway: 'PARALLEL_GATEWAY',
  eventBasedGateway: 'EVENT_BASED_GATEWAY',
  complexGateway: 'COMPLEX_GATEWAY',
});

/** `acts`: one row per activity instance of a process instance, from its engine events (start, update, end). */
const activityInstances = (key: string) => sql`
  acts as (
    select e.payload->>'activityInstanceId' as id,
           substring(e.payload->>'activityInstanceId' from '[0-9]+$')::bigint as element_instance_key,
           min(regexp_replace(e.payload->>'activityId', '#multiInstanceBody$', '')) as element_id,
           min(e.payload->>'activityType') as activity_type,
           min(e.payload->>'activityName') as name,
           min(coalesce((e.payload->>'startTime')::timestamptz, (e.payload->>'at')::timestamptz)) as started_at,
           bool_or(e.event_type = 'end') as ended,
           bool_or(e.event_type = 'end' and (e.payload->>'canceled')::boolean) as canceled
    from engine_event e
    where e.process_instance_id = ${key} and e.kind = 'activity-instance'
    group by e.payload->>'activityInstanceId'
  )`;

export function createProcessRepository(db: Db) {
  const run = async <T>(query: ReturnType<typeof sql>) => (await db.execute(query)) as unknown as T[];
  return {
    async definitions() {
      return run<{
        processId: string;
        name: string | null;
        nameEn: string | null;
        versions: { version: number; key: string; resourceName: string; deployedAt: string }[];
        activeInstances: string;
      }>(sql`
        select d.bpmn_process_id as "processId",
               (select pe.name from process_element pe where pe.process_definition_key = max(d.process_definition_key)
                  and pe.element_id = d.bpmn_process_id) as name,
               (select pe.name_en from process_element pe where pe.process_definition_key = max(d.process_definition_key)
                  and pe.element_id = d.bpmn_process_id) as "nameEn",
               jsonb_agg(jsonb_build_object('version', d.version, 'key', d.process_definition_key::text,
                         'resourceName', d.resource_name, 'deployedAt', d.deployed_at) order by d.version desc) as versions,
               (select count(*) from process_instance pi where pi.bpmn_process_id = d.bpmn_process_id and pi.state = 'active') as "activeInstances"
        from process_definition d group by d.bpmn_process_id order by d.bpmn_process_id`);
    },
    async xml(processId: string, version: number | undefined) {
      const [row] = await run<{ xml: string; version: number }>(sql`
        select xml, version from process_definition where bpmn_process_id = ${processId}
        ${version === undefined ? sql`` : sql`and version = ${version}`} order by version desc limit 1`);
      return row;
    },
    async instances(q: { processId?: string; state?: string; businessKey?: string; limit: number; offset: number }) {
      return run<{
        key: string;
        processId: string;
        version: number;
        businessKey: string | null;
        state: string;
        parentKey: string | null;
        startedAt: Date;
        endedAt: Date | null;
        activeIncidents: string;
        total: string;
      }>(sql`
        select * from (
          select pi.process_instance_key::text as key, pi.bpmn_process_id as "processId", pi.version, ${BUSINESS_KEY} as "businessKey",
                 pi.state, pi.parent_process_instance_key::text as "parentKey", pi.started_at as "startedAt", pi.ended_at as "endedAt",
                 (select count(*) from incident i where i.process_instance_key = pi.process_instance_key and i.state = 'active') as "activeIncidents"
          from process_instance pi
          where true ${q.processId ? sql`and pi.bpmn_process_id = ${q.processId}` : sql``} ${q.state ? sql`and pi.state = ${q.state}` : sql``}
        ) x
        ${q.businessKey ? sql`where x."businessKey" = ${q.businessKey}` : sql``}
        order by x."startedAt" desc limit ${q.limit} offset ${q.offset}`);
    },
    async instance(key: string) {
      const [row] = await run<{
        key: string;
        processId: string;
        version: number;
        processDefinitionKey: string;
        businessKey: string | null;
        state: string;
        parentKey: string | null;
        rootKey: string | null;
        startedAt: Date;
        endedAt: Date | null;
      }>(sql`
        select pi.process_instance_key::text as key, pi.bpmn_process_id as "processId", pi.version,
               pi.process_definition_key::text as "processDefinitionKey", ${BUSINESS_KEY} as "businessKey", pi.state,
               pi.parent_process_instance_key::text as "parentKey", pi.root_process_instance_key::text as "rootKey",
               pi.started_at as "startedAt", pi.ended_at as "endedAt"
        from process_instance pi where pi.process_instance_key = ${key}`);
      return row;
    },
    /**
     * What happened at each element of an instance (gateways included), from the engine's own
     * activity-instance events: per element how many of its activity instances completed, are
     * active or were cancelled, and the SLA of an open user task.
     */
    async elementStates(key: string) {
      return run<{
        elementId: string;
        type: string;
        name: string | null;
        nameEn: string | null;
        completed: number;
        active: number;
        terminated: number;
        activeSince: Date | null;
        dueDate: string | null;
        taskCreatedAt: Date | null;
      }>(sql`
        with ${activityInstances(key)}
        select a.element_id as "elementId",
               min(coalesce(${ELEMENT_TYPES}::jsonb->>a.activity_type, upper(regexp_replace(a.activity_type, '([a-z])([A-Z])', '\\1_\\2', 'g')))) as type,
               min(coalesce(pe.name, a.name)) as name,
               min(pe.name_en) as "nameEn",
               count(*) filter (where a.ended and not a.canceled)::int as completed,
               count(*) filter (where not a.ended)::int as active,
               count(*) filter (where a.ended and a.canceled)::int as terminated,
               min(a.started_at) filter (where not a.ended) as "activeSince",
               min(t.due_date) filter (where t.state = 'created') as "dueDate",
               min(t.created_at) filter (where t.state = 'created') as "taskCreatedAt"
        from acts a
        left join process_instance pi on pi.process_instance_key = ${key}
        left join process_element pe on pe.process_definition_key = pi.process_definition_key and pe.element_id = a.element_id
        left join user_task t on t.element_instance_key = a.element_instance_key
        where a.activity_type <> 'multiInstanceBody'
        group by a.element_id order by min(a.started_at), a.element_id`);
    },
    /**
     * The sequence flows the instance took. Operaton records activities, not flows: a flow counts as
     * taken when its source completed (not cancelled) and its target was entered.
     */
    async takenFlows(key: string) {
      const rows = await run<{ elementId: string }>(sql`
        with ${activityInstances(key)},
        flows as (
          select (xpath('/*/@id', f))[1]::text as id, (xpath('/*/@sourceRef', f))[1]::text as source,
                 (xpath('/*/@targetRef', f))[1]::text as target
          from process_instance pi
          join process_definition d on d.process_definition_key = pi.process_definition_key
          cross join lateral unnest(xpath('//*[local-name()="sequenceFlow"]', d.xml::xml)) f
          where pi.process_instance_key = ${key}
        )
        select distinct f.id as "elementId" from flows f
        where exists (select 1 from acts a where a.element_id = f.source and a.ended and not a.canceled)
          and exists (select 1 from acts a where a.element_id = f.target)
        order by 1`);
      return rows.map((r) => r.elementId);
    },
    async calledInstances(key: string) {
      return run<{ elementId: string; key: string; processId: string; state: string }>(sql`
        select coalesce(caller.element_id, '') as "elementId", c.process_instance_key::text as key, c.bpmn_process_id as "processId", c.state
        from process_instance c
        left join lateral (
          select regexp_replace(e.payload->>'activityId', '#multiInstanceBody$', '') as element_id from engine_event e
          where e.process_instance_id = ${key} and e.kind = 'activity-instance'
            and e.payload->>'calledProcessInstanceId' = c.process_instance_key::text
          limit 1) caller on true
        where c.parent_process_instance_key = ${key} order by c.started_at`);
    },
    async incidents(q: { processInstanceKey?: string; state?: string; processId?: string; limit?: number }) {
      return run<{
        key: string;
        processInstanceKey: string;
        processId: string;
        elementId: string;
        errorType: string;
        errorMessage: string | null;
        jobKey: string | null;
        state: string;
        createdAt: Date;
        resolvedAt: Date | null;
      }>(sql`
        select incident_key::text as key, process_instance_key::text as "processInstanceKey", bpmn_process_id as "processId",
               element_id as "elementId", error_type as "errorType", error_message as "errorMessage", job_key::text as "jobKey",
               state, created_at as "createdAt", resolved_at as "resolvedAt"
        from incident where true
        ${q.processInstanceKey ? sql`and process_instance_key = ${q.processInstanceKey}` : sql``}
        ${q.state ? sql`and state = ${q.state}` : sql``} ${q.processId ? sql`and bpmn_process_id = ${q.processId}` : sql``}
        order by created_at desc limit ${q.limit ?? 500}`);
    },
    async incident(key: string) {
      const [row] = await run<{ key: string; jobKey: string | null; state: string; processInstanceKey: string }>(sql`
        select incident_key::text as key, job_key::text as "jobKey", state, process_instance_key::text as "processInstanceKey"
        from incident where incident_key = ${key}`);
      return row;
    },
  };
}
export type ProcessRepository = ReturnType<typeof createProcessRepository>;
