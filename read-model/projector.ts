import type { Logger } from 'pino';
import type postgres from 'postgres';
import type { Database } from '../db/client.ts';
import { describeBpmn } from './definitions.ts';

/**
 * Projects Operaton's events (engine_event, written by our engine plugin in the engine's own
 * transaction) into the read model the API serves: process definitions and their element names,
 * forms, instances (with their call hierarchy), the stages each instance went through, user tasks
 * with their candidate groups, variables per scope, incidents. Set-based SQL per batch, in one
 * transaction with the checkpoint; applying a batch twice changes nothing.
 *
 * Rows are read in (tx_id, id) order and only from transactions older than every transaction still
 * running on this database (tx_id < xmin of the current snapshot, other databases' transactions left
 * out): a slow engine transaction is never skipped, it is read once it has ended. A batch always ends on a whole transaction, so what one engine command
 * wrote (a stage, its task, the task's candidate groups) is applied together.
 */

/**
 * Operaton's activity types that are stages or milestones on a timeline, as the element types our
 * read model has always used (the API, the status labels and the KPIs know these names). Gateways
 * are not stages. An event sub-process is reported as `subProcess` and recognised from its BPMN.
 */
export const STAGE_TYPES: Readonly<Record<string, string>> = {
  startEvent: 'START_EVENT',
  messageStartEvent: 'START_EVENT',
  startTimerEvent: 'START_EVENT',
  signalStartEvent: 'START_EVENT',
  conditionalStartEvent: 'START_EVENT',
  errorStartEvent: 'START_EVENT',
  escalationStartEvent: 'START_EVENT',
  compensationStartEvent: 'START_EVENT',
  noneEndEvent: 'END_EVENT',
  errorEndEvent: 'END_EVENT',
  escalationEndEvent: 'END_EVENT',
  messageEndEvent: 'END_EVENT',
  signalEndEvent: 'END_EVENT',
  terminateEndEvent: 'END_EVENT',
  cancelEndEvent: 'END_EVENT',
  compensationEndEvent: 'END_EVENT',
  boundaryTimer: 'BOUNDARY_EVENT',
  boundaryError: 'BOUNDARY_EVENT',
  boundaryMessage: 'BOUNDARY_EVENT',
  boundarySignal: 'BOUNDARY_EVENT',
  boundaryEscalation: 'BOUNDARY_EVENT',
  boundaryConditional: 'BOUNDARY_EVENT',
  compensationBoundaryCatch: 'BOUNDARY_EVENT',
  cancelBoundaryCatch: 'BOUNDARY_EVENT',
  intermediateTimer: 'INTERMEDIATE_CATCH_EVENT',
  intermediateMessageCatch: 'INTERMEDIATE_CATCH_EVENT',
  intermediateSignalCatch: 'INTERMEDIATE_CATCH_EVENT',
  intermediateConditional: 'INTERMEDIATE_CATCH_EVENT',
  intermediateLinkCatch: 'INTERMEDIATE_CATCH_EVENT',
  intermediateCatchEvent: 'INTERMEDIATE_CATCH_EVENT',
  intermediateThrowEvent: 'INTERMEDIATE_THROW_EVENT',
  intermediateNoneThrowEvent: 'INTERMEDIATE_THROW_EVENT',
  intermediateMessageThrowEvent: 'INTERMEDIATE_THROW_EVENT',
  intermediateSignalThrow: 'INTERMEDIATE_THROW_EVENT',
  intermediateEscalationThrowEvent: 'INTERMEDIATE_THROW_EVENT',
  intermediateCompensationThrowEvent: 'INTERMEDIATE_THROW_EVENT',
  serviceTask: 'SERVICE_TASK',
  userTask: 'USER_TASK',
  businessRuleTask: 'BUSINESS_RULE_TASK',
  scriptTask: 'SCRIPT_TASK',
  sendTask: 'SEND_TASK',
  receiveTask: 'RECEIVE_TASK',
  manualTask: 'MANUAL_TASK',
  task: 'TASK',
  callActivity: 'CALL_ACTIVITY',
  subProcess: 'SUB_PROCESS',
  adHocSubProcess: 'SUB_PROCESS',
  transaction: 'SUB_PROCESS',
  multiInstanceBody: 'MULTI_INSTANCE_BODY',
};

const PROJECTION = 'read-model';
/** About this many events per batch (a batch is extended to the end of its last transaction). */
const BATCH = 1000;
/** One projector at a time (several API processes may run): the others skip the round. */
const LOCK_KEY = 72231;
const MAX_BACKOFF_MS = 30_000;
/** How soon to look again when events are committed but an older transaction still runs (doubling, BLOCKED_WAITS times within a drain). */
const BLOCKED_RETRY_MS = 10;
const BLOCKED_WAITS = 5;
const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

export interface Projector {
  /** Applies everything committed before the call; resolves with the number of batches applied (0 on failure: it retries on its own). */
  catchUp(): Promise<number>;
  stop(): Promise<void>;
}

interface BatchResult {
  applied: boolean;
  /** Events are committed beyond the checkpoint but cannot be read yet (an older transaction still runs). */
  blocked: boolean;
}

export function startProjector({ database, log, pollMs = 1000 }: { database: Database; log: Logger; pollMs?: number }): Projector {
  const { sql } = database;
  const stageTypes = JSON.stringify(STAGE_TYPES);

  async function applyBatch(): Promise<BatchResult> {
    return sql.begin(async (tx) => {
      const [lock] = await tx<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(${LOCK_KEY}) as ok`;
      if (!lock?.ok) return { applied: false, blocked: false };
      // One statement, one snapshot: the checkpoint, how far to read and what the batch holds. Later
      // statements of this transaction see newer snapshots; the batch must not grow.
      // The bound is the oldest transaction still running in this snapshot, leaving out those known to run in
      // another database of the cluster (they cannot write our engine_event): other databases' long
      // transactions would otherwise hold the projection back. Without the privilege to see other sessions'
      // transaction ids (pg_read_all_stats), this is exactly pg_snapshot_xmin.
      const [head] = await tx<
        { from_tx: string; from_id: string; to_tx: string | null; pending: boolean; kinds: string[] | null; cancels: boolean }[]
      >`
        with checkpoint as (
          select coalesce((select c.tx_id from engine_event_checkpoint c where c.projection = ${PROJECTION}), '0'::xid8) as tx_id,
                 coalesce((select c.event_id from engine_event_checkpoint c where c.projection = ${PROJECTION}), 0) as event_id
        ), snapshot as (select pg_current_snapshot() as s), bound as (
          select coalesce(
            (select min(x) from pg_snapshot_xip(snapshot.s) x
             where not exists (select 1 from pg_stat_activity a
                               where a.datname is distinct from current_database() and a.backend_xid is not null
                                 and a.backend_xid::text::bigint = x::text::bigint % 4294967296)),
            pg_snapshot_xmax(snapshot.s)) as tx_id
          from snapshot
        ), readable as (
          select e.tx_id, e.id from engine_event e, checkpoint c
          where (e.tx_id, e.id) > (c.tx_id, c.event_id) and e.tx_id < (select tx_id from bound)
          order by e.tx_id, e.id limit ${BATCH}
        ), last as (
          select r.tx_id from readable r order by r.tx_id desc, r.id desc limit 1
        )
        select c.tx_id::text as from_tx, c.event_id::text as from_id, l.tx_id::text as to_tx,
               exists (select 1 from engine_event e where (e.tx_id, e.id) > (c.tx_id, c.event_id)) as pending,
               (select array_agg(distinct e.kind || '/' || e.event_type) from engine_event e
                where l.tx_id is not null and (e.tx_id, e.id) > (c.tx_id, c.event_id) and e.tx_id <= l.tx_id) as kinds,
               exists (select 1 from engine_event e
                       where l.tx_id is not null and (e.tx_id, e.id) > (c.tx_id, c.event_id) and e.tx_id <= l.tx_id
                         and e.kind = 'process-instance' and e.event_type = 'end' and e.payload->>'state' = 'EXTERNALLY_TERMINATED'
                         and e.payload->>'superProcessInstanceId' is null) as cancels
        from checkpoint c left join last l on true`;
      const toTx = head?.to_tx;
      if (!head || !toTx) return { applied: false, blocked: head?.pending ?? false };
      const { from_tx: fromTx, from_id: fromId } = head;
      // Only the statements for the kinds of events in the batch run (each is a round trip).
      const kinds = new Set(head.kinds ?? []);
      const has = (...wanted: string[]) => wanted.some((k) => kinds.has(k));

      const batch = tx`
        select e.id, e.tx_id, e.kind, e.event_type, e.payload as p, e.process_instance_id as pid,
               substring(e.process_instance_id from '[0-9]+$')::bigint as pi_key,
               substring(e.payload->>'processDefinitionId' from '[0-9]+$')::bigint as def_key,
               coalesce((e.payload->>'at')::timestamptz, e.recorded_at) as at
        from engine_event e
        where (e.tx_id, e.id) > (${fromTx}::xid8, ${fromId}::bigint) and e.tx_id <= ${toTx}::xid8`;

      if (has('process-definition/deploy', 'form/deploy')) await projectDeployments(tx, batch);

      if (has('process-instance/start'))
        await tx`
        insert into process_instance (process_instance_key, process_definition_key, bpmn_process_id, version,
                                      parent_process_instance_key, root_process_instance_key, state, started_at)
        select b.pi_key, b.def_key, b.p->>'processDefinitionKey',
               coalesce(d.version, nullif(split_part(b.p->>'processDefinitionId', ':', 2), '')::int, 0),
               substring(b.p->>'superProcessInstanceId' from '[0-9]+$')::bigint,
               coalesce(substring(b.p->>'rootProcessInstanceId' from '[0-9]+$')::bigint, b.pi_key),
               'active', coalesce((b.p->>'startTime')::timestamptz, b.at)
        from (${batch}) b
        left join process_definition d on d.process_definition_key = b.def_key
        where b.kind = 'process-instance' and b.event_type = 'start' and b.pi_key is not null
        on conflict do nothing`;

      // Stages start with their activity instance: a user task's stage is on the instance in the same
      // batch as the task (same engine transaction, earlier event), never after it.
      const stages = !has('activity-instance/start')
        ? []
        : await tx<{ key: string; element_type: string }[]>`
        insert into instance_stage (element_instance_key, process_instance_key, process_definition_key, bpmn_process_id,
                                    element_id, element_type, name, flow_scope_key, state, started_at)
        select substring(b.p->>'activityInstanceId' from '[0-9]+$')::bigint, b.pi_key, b.def_key, b.p->>'processDefinitionKey',
               el.element_id, ${stageTypes}::jsonb->>(b.p->>'activityType'), coalesce(pe.name, b.p->>'activityName'),
               substring(b.p->>'parentActivityInstanceId' from '[0-9]+$')::bigint, 'active',
               coalesce((b.p->>'startTime')::timestamptz, b.at)
        from (${batch}) b
        cross join lateral (select regexp_replace(b.p->>'activityId', '#multiInstanceBody$', '') as element_id) el
        left join process_element pe on pe.process_definition_key = b.def_key and pe.element_id = el.element_id
        where b.kind = 'activity-instance' and b.event_type = 'start' and b.pi_key is not null
          and ${stageTypes}::jsonb ? (b.p->>'activityType')
        on conflict do nothing
        returning element_instance_key::text as key, element_type`;
      // An event sub-process is a subProcess to Operaton; its BPMN says triggeredByEvent.
      if (stages.some((s) => s.element_type === 'SUB_PROCESS')) {
        await tx`
          update instance_stage s set element_type = 'EVENT_SUB_PROCESS'
          from (
            select d.process_definition_key, unnest(xpath('//bpmn:subProcess[@triggeredByEvent="true"]/@id', d.xml::xml,
                                                        array[array['bpmn', ${BPMN_NS}]]))::text as element_id
            from process_definition d
            where d.process_definition_key in (
              select distinct s2.process_definition_key from instance_stage s2
              where s2.element_instance_key = any(${stages.map((s) => s.key)}::bigint[]) and s2.element_type = 'SUB_PROCESS')
          ) esp
          where s.element_instance_key = any(${stages.map((s) => s.key)}::bigint[]) and s.element_type = 'SUB_PROCESS'
            and s.process_definition_key = esp.process_definition_key and s.element_id = esp.element_id`;
      }

      if (has('task/create'))
        await tx`
        insert into user_task (user_task_key, process_instance_key, element_instance_key, bpmn_process_id, process_definition_key,
                               element_id, name, candidate_groups, assignee, form_id, due_date, priority, state, created_at)
        select (b.p->>'taskId')::bigint, b.pi_key, substring(b.p->>'activityInstanceId' from '[0-9]+$')::bigint,
               b.p->>'processDefinitionKey', b.def_key, b.p->>'taskDefinitionKey', coalesce(pe.name, b.p->>'name'), '{}',
               nullif(b.p->>'assignee', ''), pe.form_id, b.p->>'dueDate', coalesce((b.p->>'priority')::int, 50), 'created',
               coalesce((b.p->>'startTime')::timestamptz, b.at)
        from (${batch}) b
        left join process_element pe on pe.process_definition_key = b.def_key and pe.element_id = b.p->>'taskDefinitionKey'
        where b.kind = 'task' and b.event_type = 'create' and b.pi_key is not null and b.p->>'taskId' ~ '^[0-9]+$'
        on conflict do nothing`;
      // Candidate groups: the last operation per task and group wins (identity links carry no instance id).
      if (has('identity-link/add-identity-link', 'identity-link/delete-identity-link'))
        await tx`
        with ops as (
          select distinct on (b.p->>'taskId', b.p->>'groupId') b.p->>'taskId' as task_id, b.p->>'groupId' as group_id,
                 b.p->>'operationType' as op
          from (${batch}) b
          where b.kind = 'identity-link' and b.p->>'type' = 'candidate' and b.p->>'groupId' is not null and b.p->>'taskId' ~ '^[0-9]+$'
          order by b.p->>'taskId', b.p->>'groupId', b.tx_id desc, b.id desc
        ), per_task as (
          select task_id::bigint as task_key, coalesce(array_agg(group_id) filter (where op = 'add'), '{}') as added,
                 coalesce(array_agg(group_id) filter (where op = 'delete'), '{}') as removed
          from ops group by task_id
        )
        update user_task t set candidate_groups = array(
          select g from unnest(t.candidate_groups || pt.added) with ordinality u(g, n)
          where g <> all(pt.removed) group by g order by min(n))
        from per_task pt where t.user_task_key = pt.task_key`;
      if (has('task/update'))
        await tx`
        update user_task t set assignee = nullif(u.p->>'assignee', ''), priority = coalesce((u.p->>'priority')::int, t.priority),
               due_date = u.p->>'dueDate'
        from (
          select distinct on (b.p->>'taskId') b.p from (${batch}) b
          where b.kind = 'task' and b.event_type = 'update' and b.p->>'taskId' ~ '^[0-9]+$'
          order by b.p->>'taskId', b.tx_id desc, b.id desc
        ) u
        where t.user_task_key = (u.p->>'taskId')::bigint`;
      // A migration to another version of the process (the operators' console): the instance, its open stages
      // and tasks now belong to the target version, with the names that version gives its elements (the engine
      // keeps a migrated task's old name; people should read the one the process owner gave it).
      if (has('process-instance/migrate'))
        await tx`
        update process_instance pi set process_definition_key = m.def_key, version = coalesce(d.version, pi.version)
        from (${batch}) m
        left join process_definition d on d.process_definition_key = m.def_key
        where m.kind = 'process-instance' and m.event_type = 'migrate' and m.def_key is not null
          and pi.process_instance_key = m.pi_key`;
      if (has('activity-instance/migrate'))
        await tx`
        update instance_stage s set process_definition_key = m.def_key, element_id = el.element_id, name = coalesce(pe.name, s.name)
        from (${batch}) m
        cross join lateral (select regexp_replace(m.p->>'activityId', '#multiInstanceBody$', '') as element_id) el
        left join process_element pe on pe.process_definition_key = m.def_key and pe.element_id = el.element_id
        where m.kind = 'activity-instance' and m.event_type = 'migrate' and m.def_key is not null
          and s.element_instance_key = substring(m.p->>'activityInstanceId' from '[0-9]+$')::bigint`;
      if (has('task/migrate'))
        await tx`
        update user_task t set process_definition_key = m.def_key, element_id = coalesce(m.p->>'taskDefinitionKey', t.element_id),
               name = coalesce(pe.name, m.p->>'name', t.name), form_id = coalesce(pe.form_id, t.form_id)
        from (${batch}) m
        left join process_element pe on pe.process_definition_key = m.def_key and pe.element_id = m.p->>'taskDefinitionKey'
        where m.kind = 'task' and m.event_type = 'migrate' and m.def_key is not null and m.p->>'taskId' ~ '^[0-9]+$'
          and t.user_task_key = (m.p->>'taskId')::bigint`;
      // A task ends completed, or cancelled (deleted by a boundary event, an interrupting event or a cancellation).
      // Its variables: what was set from the task's activity instance in the completing transaction.
      if (has('task/complete', 'task/delete'))
        await tx`
        update user_task t set state = case when c.p->>'deleteReason' = 'completed' then 'completed' else 'canceled' end,
               ended_at = coalesce((c.p->>'endTime')::timestamptz, c.at),
               variables = case when c.p->>'deleteReason' = 'completed' then (
                 select jsonb_object_agg(v.p->>'name', v.p->'value' order by v.id)
                 from (${batch}) v
                 where v.kind = 'variable' and v.event_type in ('create', 'update') and v.tx_id = c.tx_id
                   and v.p->>'activityInstanceId' = c.p->>'activityInstanceId' and v.p->>'taskId' is null) end
        from (
          select distinct on (b.p->>'taskId') b.p, b.tx_id, b.at from (${batch}) b
          where b.kind = 'task' and b.event_type in ('complete', 'delete') and b.p->>'taskId' ~ '^[0-9]+$'
          order by b.p->>'taskId', b.tx_id desc, b.id desc
        ) c
        where t.user_task_key = (c.p->>'taskId')::bigint`;

      // Variables: latest value per scope and name. The scope is the activity instance of the execution
      // that owns the variable (the one whose first activity ran on it; the instance for its own
      // execution); Operaton's scopeActivityInstanceId names the parent for a scope's input mappings.
      if (has('variable/create', 'variable/update', 'variable/delete'))
        await tx`
        with vars as (
          select b.id, b.tx_id, b.event_type, b.p, b.pi_key, b.at from (${batch}) b
          where b.kind = 'variable' and b.pi_key is not null
        ), owners as (
          select o.pid, o.execution_id, f.activity_instance_id
          from (select distinct v.p->>'processInstanceId' as pid, v.p->>'executionId' as execution_id from vars v
                where v.p->>'taskId' is null and v.p->>'executionId' <> v.p->>'processInstanceId') o
          cross join lateral (
            select a.payload->>'activityInstanceId' as activity_instance_id from engine_event a
            where a.process_instance_id = o.pid and a.kind = 'activity-instance' and a.event_type = 'start'
              and a.payload->>'executionId' = o.execution_id
            order by a.tx_id, a.id limit 1
          ) f
        ), scoped as (
          select distinct on (s.scope_key, s.name) s.*
          from (
            select v.id, v.tx_id, v.event_type, v.pi_key, v.at, v.p->>'name' as name, v.p->'value' as value,
                   substring(case
                     when v.p->>'taskId' is not null then v.p->>'activityInstanceId'
                     when v.p->>'executionId' = v.p->>'processInstanceId' then v.p->>'processInstanceId'
                     else coalesce(o.activity_instance_id, v.p->>'scopeActivityInstanceId')
                   end from '[0-9]+$')::bigint as scope_key
            from vars v
            left join owners o on o.pid = v.p->>'processInstanceId' and o.execution_id = v.p->>'executionId'
          ) s
          where s.scope_key is not null
          order by s.scope_key, s.name, s.tx_id desc, s.id desc
        ), upserted as (
          insert into instance_variable (scope_key, process_instance_key, name, value, updated_at)
          select scope_key, pi_key, name, value, at from scoped where event_type <> 'delete'
          on conflict (scope_key, name) do update set value = excluded.value, updated_at = excluded.updated_at
          returning 1
        )
        delete from instance_variable iv using scoped s
        where s.event_type = 'delete' and iv.scope_key = s.scope_key and iv.name = s.name`;

      // Incidents: what was a job key is the failed external task's id or job's id (error_type says which).
      if (has('incident/create'))
        await tx`
        insert into incident (incident_key, process_instance_key, element_instance_key, bpmn_process_id, element_id,
                              error_type, error_message, job_key, state, created_at)
        select (b.p->>'incidentId')::bigint, b.pi_key,
               coalesce(substring(act.activity_instance_id from '[0-9]+$')::bigint, b.pi_key),
               b.p->>'processDefinitionKey', coalesce(b.p->>'activityId', b.p->>'failedActivityId', ''),
               coalesce(b.p->>'incidentType', 'unknown'), b.p->>'incidentMessage',
               substring(b.p->>'configuration' from '^[0-9]+$')::bigint, 'active',
               coalesce((b.p->>'createTime')::timestamptz, b.at)
        from (${batch}) b
        left join lateral (
          select a.payload->>'activityInstanceId' as activity_instance_id from engine_event a
          where a.process_instance_id = b.pid and a.kind = 'activity-instance' and a.event_type = 'start'
            and a.payload->>'executionId' = b.p->>'executionId' and a.payload->>'activityId' = b.p->>'activityId'
            and (a.tx_id, a.id) < (b.tx_id, b.id)
          order by a.tx_id desc, a.id desc limit 1
        ) act on true
        where b.kind = 'incident' and b.event_type = 'create' and b.pi_key is not null and b.p->>'incidentId' ~ '^[0-9]+$'
        on conflict do nothing`;
      if (has('incident/resolve', 'incident/delete'))
        await tx`
        update incident i set state = 'resolved', resolved_at = coalesce((b.p->>'endTime')::timestamptz, b.at)
        from (${batch}) b
        where b.kind = 'incident' and b.event_type in ('resolve', 'delete') and b.p->>'incidentId' ~ '^[0-9]+$'
          and i.incident_key = (b.p->>'incidentId')::bigint`;

      if (has('activity-instance/end'))
        await tx`
        update instance_stage s set state = case when (b.p->>'canceled')::boolean then 'terminated' else 'completed' end,
               ended_at = coalesce((b.p->>'endTime')::timestamptz, b.at)
        from (${batch}) b
        where b.kind = 'activity-instance' and b.event_type = 'end'
          and s.element_instance_key = substring(b.p->>'activityInstanceId' from '[0-9]+$')::bigint`;

      if (has('process-instance/end'))
        await tx`
        update process_instance pi set state = case b.p->>'state' when 'COMPLETED' then 'completed' else 'terminated' end,
               ended_at = coalesce((b.p->>'endTime')::timestamptz, b.at)
        from (${batch}) b
        where b.kind = 'process-instance' and b.event_type = 'end' and pi.process_instance_key = b.pi_key`;
      // A top-level instance cancelled from outside (a process owner's cancel, a REST delete) closes its
      // order or ticket as cancelled. The process's own cancellation path ends it as COMPLETED.
      const cancelled = tx`
        select b.pi_key from (${batch}) b
        where b.kind = 'process-instance' and b.event_type = 'end' and b.p->>'state' = 'EXTERNALLY_TERMINATED'
          and b.p->>'superProcessInstanceId' is null and b.pi_key is not null`;
      if (head.cancels)
        await tx`update orders set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'),
                 updated_at = now(), completed_at = coalesce(completed_at, now())
               where process_instance_key in (${cancelled}) and state not in ('completed', 'failed', 'cancelled')`;
      if (head.cancels)
        await tx`update trouble_ticket set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'), closed_at = coalesce(closed_at, now())
               where process_instance_key in (${cancelled}) and state not in ('closed', 'cancelled')`;
      if (head.cancels)
        await tx`update complaint set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'), closed_at = coalesce(closed_at, now())
               where process_instance_key in (${cancelled}) and state not in ('closed', 'cancelled')`;
      if (head.cancels)
        await tx`update service_change set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'), closed_at = coalesce(closed_at, now())
               where process_instance_key in (${cancelled}) and state not in ('done', 'refused', 'cancelled')`;
      if (head.cancels)
        await tx`update line_order set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'), completed_at = coalesce(completed_at, now())
               where process_instance_key in (${cancelled}) and state not in ('completed', 'failed', 'cancelled')`;

      await tx`
        insert into engine_event_checkpoint (projection, tx_id, event_id)
        select ${PROJECTION}, e.tx_id, e.id from engine_event e where e.tx_id = ${toTx}::xid8 order by e.id desc limit 1
        on conflict (projection) do update set tx_id = excluded.tx_id, event_id = excluded.event_id`;
      return { applied: true, blocked: false };
    });
  }

  /** New process definitions (elements via describeBpmn) and forms (version = how many were deployed before, per form id). */
  async function projectDeployments(tx: postgres.TransactionSql, batch: postgres.PendingQuery<postgres.Row[]>) {
    const definitions = await tx<
      { key: string; bpmn_process_id: string; version: number; resource_name: string; xml: string | null; at: Date }[]
    >`
      select b.def_key::text as key, b.p->>'processDefinitionKey' as bpmn_process_id, (b.p->>'version')::int as version,
             coalesce(b.p->>'resourceName', '') as resource_name, b.p->>'xml' as xml, b.at
      from (${batch}) b
      where b.kind = 'process-definition' and b.event_type = 'deploy' and b.def_key is not null
        and not exists (select 1 from process_definition d where d.process_definition_key = b.def_key)
      order by b.tx_id, b.id`;
    for (const d of definitions) {
      await tx`insert into process_definition (process_definition_key, bpmn_process_id, version, resource_name, xml, deployed_at)
               values (${d.key}, ${d.bpmn_process_id}, ${d.version}, ${d.resource_name}, ${d.xml ?? ''}, ${d.at}) on conflict do nothing`;
      let elements: Awaited<ReturnType<typeof describeBpmn>> = [];
      try {
        elements = d.xml ? await describeBpmn(d.xml) : [];
      } catch (e) {
        // The engine accepted it, so this is our reader's gap: the diagram still shows, without names.
        log.error({ err: e, processDefinitionKey: d.key }, 'could not read the elements of a deployed process');
      }
      if (elements.length === 0) continue;
      const rows = elements.map((e) => ({
        process_definition_key: d.key,
        bpmn_process_id: d.bpmn_process_id,
        version: d.version,
        element_id: e.elementId,
        name: e.name,
        name_en: e.nameEn,
        element_type: e.elementType,
        form_id: e.formId,
      }));
      await tx`insert into process_element ${tx(rows)} on conflict do nothing`;
    }

    const forms = await tx<{ key: string; schema: string | null }[]>`
      select substring(b.p->>'resourceId' from '[0-9]+$') as key, b.p->>'schema' as schema
      from (${batch}) b
      where b.kind = 'form' and b.event_type = 'deploy' and b.p->>'resourceId' ~ '[0-9]+$'
        and not exists (select 1 from form f where f.form_key = substring(b.p->>'resourceId' from '[0-9]+$')::bigint)
      order by b.tx_id, b.id`;
    for (const f of forms) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(f.schema ?? '');
      } catch (e) {
        log.error({ err: e, formKey: f.key }, 'a deployed form is not JSON; it is left out of the read model');
        continue;
      }
      const formId = (parsed as { id?: unknown } | null)?.id;
      if (typeof formId !== 'string' || formId === '') {
        log.error({ formKey: f.key }, 'a deployed form has no id; it is left out of the read model');
        continue;
      }
      await tx`insert into form (form_key, form_id, version, schema)
               select ${f.key}, ${formId}, (select count(*) + 1 from form where form_id = ${formId}), ${f.schema}::jsonb
               on conflict do nothing`;
    }
  }

  let stopped = false;
  let failures = 0;
  let blockedMs = 0;
  let running: Promise<number> | undefined;
  let next: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let listener: { unlisten(): Promise<void> } | undefined;

  async function drain(): Promise<number> {
    let batches = 0;
    let waits = 0;
    for (;;) {
      const { applied, blocked } = await applyBatch();
      if (applied) {
        batches += 1;
        continue;
      }
      // Committed events that wait behind an older transaction still running (anywhere in the cluster,
      // usually a few milliseconds): wait a little here, so a catch-up sees what was committed before it.
      if (blocked && waits < BLOCKED_WAITS && !stopped) {
        await new Promise((r) => setTimeout(r, BLOCKED_RETRY_MS * 2 ** waits++));
        continue;
      }
      // Still blocked: look again soon, a little later each time, without waiting for a NOTIFY that may not come.
      blockedMs = blocked ? Math.min(pollMs, blockedMs === 0 ? BLOCKED_RETRY_MS : blockedMs * 2) : 0;
      if (blockedMs > 0) schedule(blockedMs);
      return batches;
    }
  }

  /** One drain at a time; a call during a drain gets the one after it (so it sees what was committed before the call). */
  function catchUp(): Promise<number> {
    if (running) {
      next ??= running.then(() => {
        next = undefined;
        return catchUp();
      });
      return next;
    }
    running = drain()
      .then((n) => {
        if (failures > 0) {
          log.info({ failures }, 'read-model projection works again');
          failures = 0;
          void listen();
        }
        return n;
      })
      .catch((e: unknown) => {
        failures += 1;
        // Every failure while the database is away says the same: log the first few, then every tenth.
        if (failures <= 3 || failures % 10 === 0) log.warn({ err: e, failures }, 'read-model projection failed; will retry');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  function schedule(ms: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void poll(), ms);
  }

  /** The safety net under NOTIFY; backs off while the database is away and never gives up. */
  async function poll() {
    await catchUp();
    if (failures > 0) schedule(Math.min(MAX_BACKOFF_MS, pollMs * 2 ** Math.min(failures, 10)));
    else schedule(blockedMs > 0 ? blockedMs : pollMs);
  }

  /** LISTEN engine_event, at start and again after an outage (postgres.js re-listens only once on its own). */
  async function listen() {
    const previous = listener;
    listener = undefined;
    await previous?.unlisten().catch(() => {});
    if (stopped) return;
    try {
      listener = await sql.listen('engine_event', () => void catchUp());
    } catch (e) {
      log.warn({ err: e }, 'LISTEN engine_event failed; polling until the database answers again');
    }
  }

  void listen();
  void poll();

  return {
    catchUp,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await listener?.unlisten().catch(() => {});
      await next;
      await running;
    },
  };
}
