import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import { describeBpmn } from './definitions.ts';

/**
 * Projects the engine's events (engine_record, written by the engine's exporter) into the read
 * model the API serves: process definitions and their element names, instances (with their call
 * hierarchy and process-level variables), the stages each instance went through, user tasks,
 * forms, incidents. Set-based SQL per batch keeps engine keys exact
 * (they are 64-bit) and is idempotent: a batch applied twice changes nothing.
 */

/**
 * Element types that are stages or milestones on a timeline (not gateways or flows). A stage
 * starts at ELEMENT_ACTIVATING: for a user task the engine writes USER_TASK CREATED before
 * ELEMENT_ACTIVATED, and the task list must never show a task whose stage is not yet on the order.
 */
const STAGE_TYPES = [
  'START_EVENT',
  'END_EVENT',
  'BOUNDARY_EVENT',
  'INTERMEDIATE_CATCH_EVENT',
  'INTERMEDIATE_THROW_EVENT',
  'SERVICE_TASK',
  'USER_TASK',
  'BUSINESS_RULE_TASK',
  'SCRIPT_TASK',
  'SEND_TASK',
  'RECEIVE_TASK',
  'MANUAL_TASK',
  'TASK',
  'CALL_ACTIVITY',
  'SUB_PROCESS',
  'EVENT_SUB_PROCESS',
  'MULTI_INSTANCE_BODY',
];

const BATCH = 1000;

export interface Projector {
  /** Applies everything exported so far; resolves when caught up. */
  catchUp(): Promise<number>;
  stop(): Promise<void>;
}

export function startProjector({ database, log, pollMs = 1000 }: { database: Database; log: Logger; pollMs?: number }): Projector {
  const { sql } = database;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;

  async function applyBatch(): Promise<number> {
    return sql.begin(async (tx) => {
      // One projector at a time (several API processes may run): others skip this round.
      const [lock] = await tx`select pg_try_advisory_xact_lock(72231) as ok`;
      if (!lock?.ok) return 0;
      const ranges = await tx<{ partition_id: number; from_pos: string; to_pos: string }[]>`
        select r.partition_id, coalesce(c.position, -1)::text as from_pos, max(r.position)::text as to_pos
        from (select distinct partition_id from engine_record) p
        join lateral (
          select partition_id, position from engine_record e
          where e.partition_id = p.partition_id
            and e.position > coalesce((select position from projection_checkpoint where partition_id = p.partition_id), -1)
          order by position limit ${BATCH}
        ) r on true
        left join projection_checkpoint c on c.partition_id = r.partition_id
        group by r.partition_id, c.position`;
      let applied = 0;
      for (const { partition_id: p, from_pos: from, to_pos: to } of ranges) {
        const inRange = tx`r.partition_id = ${p} and r.position > ${from}::bigint and r.position <= ${to}::bigint`;

        // Definitions first: stages look their names up.
        const deployed = await tx<{ key: string; bpmn_process_id: string; version: number; resource_name: string; resource: string }[]>`
          select r.record->'value'->>'processDefinitionKey' as key, r.record->'value'->>'bpmnProcessId' as bpmn_process_id,
                 (r.record->'value'->>'version')::int as version, r.record->'value'->>'resourceName' as resource_name,
                 r.record->'value'->>'resource' as resource
          from engine_record r where ${inRange} and r.value_type = 'PROCESS' and r.intent = 'CREATED'`;
        for (const d of deployed) {
          const xml = Buffer.from(d.resource, 'base64').toString('utf8');
          await tx`insert into process_definition (process_definition_key, bpmn_process_id, version, resource_name, xml)
                   values (${d.key}, ${d.bpmn_process_id}, ${d.version}, ${d.resource_name}, ${xml}) on conflict do nothing`;
          for (const e of await describeBpmn(xml)) {
            await tx`insert into process_element (process_definition_key, bpmn_process_id, version, element_id, name, element_type, form_id)
                     values (${d.key}, ${d.bpmn_process_id}, ${d.version}, ${e.elementId}, ${e.name}, ${e.elementType}, ${e.formId})
                     on conflict do nothing`;
          }
        }
        const deployedForms = await tx<{ key: string; form_id: string; version: number; resource: string }[]>`
          select r.record->'value'->>'formKey' as key, r.record->'value'->>'formId' as form_id,
                 (r.record->'value'->>'version')::int as version, r.record->'value'->>'resource' as resource
          from engine_record r where ${inRange} and r.value_type = 'FORM' and r.intent = 'CREATED'`;
        for (const f of deployedForms) {
          const schema = Buffer.from(f.resource, 'base64').toString('utf8');
          await tx`insert into form (form_key, form_id, version, schema) values (${f.key}, ${f.form_id}, ${f.version}, ${schema}::jsonb)
                   on conflict do nothing`;
        }

        await tx`
          insert into process_instance (process_instance_key, process_definition_key, bpmn_process_id, version,
                                        parent_process_instance_key, state, started_at)
          select r.record_key, (r.record->'value'->>'processDefinitionKey')::bigint, r.record->'value'->>'bpmnProcessId',
                 (r.record->'value'->>'version')::int, nullif((r.record->'value'->>'parentProcessInstanceKey')::bigint, -1),
                 'active', r.occurred_at
          from engine_record r
          where ${inRange} and r.value_type = 'PROCESS_INSTANCE' and r.intent = 'ELEMENT_ACTIVATING'
            and r.record->'value'->>'bpmnElementType' = 'PROCESS'
          on conflict do nothing`;
        // A top-level instance cancelled from outside (a process owner's cancel, not the process's own
        // cancellation path, which ends normally) closes its order or ticket as cancelled.
        const cancelled = tx`
          select r.record_key from engine_record r
          where ${inRange} and r.value_type = 'PROCESS_INSTANCE' and r.intent = 'ELEMENT_TERMINATED'
            and r.record->'value'->>'bpmnElementType' = 'PROCESS' and (r.record->'value'->>'parentProcessInstanceKey')::bigint = -1`;
        await tx`update orders set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'),
                   updated_at = now(), completed_at = coalesce(completed_at, now())
                 where process_instance_key in (${cancelled}) and state not in ('completed', 'failed', 'cancelled')`;
        await tx`update trouble_ticket set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'), closed_at = coalesce(closed_at, now())
                 where process_instance_key in (${cancelled}) and state not in ('closed', 'cancelled')`;
        await tx`update complaint set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'), closed_at = coalesce(closed_at, now())
                 where process_instance_key in (${cancelled}) and state not in ('closed', 'cancelled')`;
        await tx`update service_change set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'), closed_at = coalesce(closed_at, now())
                 where process_instance_key in (${cancelled}) and state not in ('done', 'refused', 'cancelled')`;
        await tx`update line_order set state = 'cancelled', state_reason = coalesce(state_reason, 'Process instance cancelled by a process owner'), completed_at = coalesce(completed_at, now())
                 where process_instance_key in (${cancelled}) and state not in ('completed', 'failed', 'cancelled')`;

        // The top-level instance of each new one: itself, or its parent's (call hierarchies are shallow).
        await tx`update process_instance set root_process_instance_key = process_instance_key
                 where root_process_instance_key is null and parent_process_instance_key is null`;
        for (let depth = 0; depth < 10; depth++) {
          const linked = await tx`
            update process_instance c set root_process_instance_key = p.root_process_instance_key
            from process_instance p
            where c.root_process_instance_key is null and c.parent_process_instance_key = p.process_instance_key
              and p.root_process_instance_key is not null`;
          if (linked.count === 0) break;
        }

        // Variables of every scope: latest value per scope and name.
        await tx`
          insert into instance_variable (scope_key, process_instance_key, name, value, updated_at)
          select distinct on ((r.record->'value'->>'scopeKey')::bigint, r.record->'value'->>'name')
                 (r.record->'value'->>'scopeKey')::bigint, r.process_instance_key, r.record->'value'->>'name',
                 (r.record->'value'->>'value')::jsonb, r.occurred_at
          from engine_record r
          where ${inRange} and r.value_type = 'VARIABLE' and r.intent in ('CREATED', 'UPDATED')
          order by (r.record->'value'->>'scopeKey')::bigint, r.record->'value'->>'name', r.position desc
          on conflict (scope_key, name) do update set value = excluded.value, updated_at = excluded.updated_at`;

        await tx`
          insert into incident (incident_key, process_instance_key, element_instance_key, bpmn_process_id, element_id,
                                error_type, error_message, job_key, state, created_at)
          select r.record_key, r.process_instance_key, (r.record->'value'->>'elementInstanceKey')::bigint,
                 r.record->'value'->>'bpmnProcessId', r.record->'value'->>'elementId', r.record->'value'->>'errorType',
                 r.record->'value'->>'errorMessage', nullif((r.record->'value'->>'jobKey')::bigint, -1), 'active', r.occurred_at
          from engine_record r
          where ${inRange} and r.value_type = 'INCIDENT' and r.intent = 'CREATED'
          on conflict do nothing`;
        await tx`
          update incident i set state = 'resolved', resolved_at = r.occurred_at
          from engine_record r
          where ${inRange} and r.value_type = 'INCIDENT' and r.intent = 'RESOLVED' and i.incident_key = r.record_key`;
        await tx`
          update process_instance pi set state = case r.intent when 'ELEMENT_COMPLETED' then 'completed' else 'terminated' end,
                 ended_at = r.occurred_at
          from engine_record r
          where ${inRange} and r.value_type = 'PROCESS_INSTANCE' and r.intent in ('ELEMENT_COMPLETED', 'ELEMENT_TERMINATED')
            and r.record->'value'->>'bpmnElementType' = 'PROCESS' and pi.process_instance_key = r.record_key`;

        await tx`
          insert into instance_stage (element_instance_key, process_instance_key, process_definition_key, bpmn_process_id,
                                      element_id, element_type, name, flow_scope_key, state, started_at)
          select r.record_key, r.process_instance_key, (r.record->'value'->>'processDefinitionKey')::bigint,
                 r.record->'value'->>'bpmnProcessId', r.record->'value'->>'elementId', r.record->'value'->>'bpmnElementType',
                 pe.name, (r.record->'value'->>'flowScopeKey')::bigint, 'active', r.occurred_at
          from engine_record r
          left join process_element pe on pe.process_definition_key = (r.record->'value'->>'processDefinitionKey')::bigint
                                      and pe.element_id = r.record->'value'->>'elementId'
          where ${inRange} and r.value_type = 'PROCESS_INSTANCE' and r.intent = 'ELEMENT_ACTIVATING'
            and r.record->'value'->>'bpmnElementType' in ${tx(STAGE_TYPES)}
          on conflict do nothing`;
        await tx`
          update instance_stage s set state = case r.intent when 'ELEMENT_COMPLETED' then 'completed' else 'terminated' end,
                 ended_at = r.occurred_at
          from engine_record r
          where ${inRange} and r.value_type = 'PROCESS_INSTANCE' and r.intent in ('ELEMENT_COMPLETED', 'ELEMENT_TERMINATED')
            and s.element_instance_key = r.record_key`;

        await tx`
          insert into user_task (user_task_key, process_instance_key, element_instance_key, bpmn_process_id, process_definition_key,
                                 element_id, name, candidate_groups, assignee, form_id, due_date, priority, state, created_at)
          select r.record_key, r.process_instance_key, (r.record->'value'->>'elementInstanceKey')::bigint, r.record->'value'->>'bpmnProcessId',
                 (r.record->'value'->>'processDefinitionKey')::bigint, r.record->'value'->>'elementId', pe.name,
                 array(select jsonb_array_elements_text(r.record->'value'->'candidateGroupsList')),
                 nullif(r.record->'value'->>'assignee', ''), pe.form_id, nullif(split_part(r.record->'value'->>'dueDate', '[', 1), ''),
                 coalesce((r.record->'value'->>'priority')::int, 50), 'created', r.occurred_at
          from engine_record r
          left join process_element pe on pe.process_definition_key = (r.record->'value'->>'processDefinitionKey')::bigint
                                      and pe.element_id = r.record->'value'->>'elementId'
          where ${inRange} and r.value_type = 'USER_TASK' and r.intent = 'CREATED'
          on conflict do nothing`;
        await tx`
          update user_task t set assignee = nullif(r.record->'value'->>'assignee', '')
          from engine_record r
          where ${inRange} and r.value_type = 'USER_TASK' and r.intent = 'ASSIGNED' and t.user_task_key = r.record_key`;
        await tx`
          update user_task t set state = case r.intent when 'COMPLETED' then 'completed' else 'canceled' end,
                 ended_at = r.occurred_at, variables = r.record->'value'->'variables'
          from engine_record r
          where ${inRange} and r.value_type = 'USER_TASK' and r.intent in ('COMPLETED', 'CANCELED') and t.user_task_key = r.record_key`;

        await tx`insert into projection_checkpoint (partition_id, position) values (${p}, ${to}::bigint)
                 on conflict (partition_id) do update set position = excluded.position`;
        applied += 1;
      }
      return applied;
    });
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await applyBatch();
      total += n;
      if (n === 0) return total;
    }
  }

  /** Runs one drain at a time; a wake-up during a drain schedules one more. */
  function catchUp(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .catch((e: unknown) => {
        log.warn({ err: e }, 'read-model projection failed; will retry');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void catchUp();
        }
      });
    return running;
  }

  const listening = sql
    .listen('engine_record', () => void catchUp())
    .catch((e: unknown) => {
      log.warn({ err: e }, 'LISTEN engine_record failed; polling only');
      return undefined;
    });
  const timer = setInterval(() => void catchUp(), pollMs);
  void catchUp();

  return {
    catchUp,
    async stop() {
      stopped = true;
      clearInterval(timer);
      const l = await listening;
      await l?.unlisten().catch(() => {});
      await running;
    },
  };
}
