import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';

/** Variables that name what an instance is about, nearest first (see the task list's business key). */
const BUSINESS_KEY = sql`coalesce(
  (select v.value #>> '{}' from instance_variable v where v.scope_key = pi.root_process_instance_key
     and v.name in ('changeId', 'ticketId', 'complaintId', 'lineOrderId', 'orderId', 'month')
   order by array_position(array['changeId', 'ticketId', 'complaintId', 'lineOrderId', 'orderId', 'month'], v.name) limit 1), null)`;

export function createProcessRepository(db: Db) {
  const run = async <T>(query: ReturnType<typeof sql>) => (await db.execute(query)) as unknown as T[];
  return {
    async definitions() {
      return run<{
        processId: string;
        name: string | null;
        versions: { version: number; key: string; resourceName: string; deployedAt: string }[];
        activeInstances: string;
      }>(sql`
        select d.bpmn_process_id as "processId",
               (select pe.name from process_element pe where pe.process_definition_key = max(d.process_definition_key)
                  and pe.element_id = d.bpmn_process_id) as name,
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
    /** What happened at each element of an instance, from the engine's own events. */
    async elementStates(key: string) {
      return run<{
        elementId: string;
        type: string;
        name: string | null;
        completed: number;
        active: number;
        terminated: number;
        activeSince: Date | null;
        dueDate: string | null;
        taskCreatedAt: Date | null;
      }>(sql`
        with activated as (
          select r.record_key, r.record->'value'->>'elementId' as element_id, r.record->'value'->>'bpmnElementType' as type,
                 r.occurred_at
          from engine_record r
          where r.process_instance_key = ${key} and r.value_type = 'PROCESS_INSTANCE' and r.intent = 'ELEMENT_ACTIVATING'
            and r.record->'value'->>'bpmnElementType' not in ('PROCESS', 'SEQUENCE_FLOW', 'MULTI_INSTANCE_BODY')
        ), ended as (
          select r.record_key, r.intent from engine_record r
          where r.process_instance_key = ${key} and r.value_type = 'PROCESS_INSTANCE' and r.intent in ('ELEMENT_COMPLETED', 'ELEMENT_TERMINATED')
        )
        select a.element_id as "elementId", min(a.type) as type, min(pe.name) as name,
               count(*) filter (where e.intent = 'ELEMENT_COMPLETED')::int as completed,
               count(*) filter (where e.intent is null)::int as active,
               count(*) filter (where e.intent = 'ELEMENT_TERMINATED')::int as terminated,
               min(a.occurred_at) filter (where e.intent is null) as "activeSince",
               min(t.due_date) filter (where t.state = 'created') as "dueDate",
               min(t.created_at) filter (where t.state = 'created') as "taskCreatedAt"
        from activated a
        left join ended e on e.record_key = a.record_key
        left join process_instance pi on pi.process_instance_key = ${key}
        left join process_element pe on pe.process_definition_key = pi.process_definition_key and pe.element_id = a.element_id
        left join user_task t on t.element_instance_key = a.record_key
        group by a.element_id order by min(a.occurred_at)`);
    },
    async takenFlows(key: string) {
      const rows = await run<{ elementId: string }>(sql`
        select distinct r.record->'value'->>'elementId' as "elementId" from engine_record r
        where r.process_instance_key = ${key} and r.value_type = 'PROCESS_INSTANCE' and r.intent = 'SEQUENCE_FLOW_TAKEN'`);
      return rows.map((r) => r.elementId);
    },
    async calledInstances(key: string) {
      return run<{ elementId: string; key: string; processId: string; state: string }>(sql`
        select coalesce(s.element_id, '') as "elementId", c.process_instance_key::text as key, c.bpmn_process_id as "processId", c.state
        from process_instance c
        left join engine_record r on r.value_type = 'PROCESS_INSTANCE' and r.intent = 'ELEMENT_ACTIVATING' and r.record_key = c.process_instance_key
        left join instance_stage s on s.element_instance_key = (r.record->'value'->>'parentElementInstanceKey')::bigint
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
