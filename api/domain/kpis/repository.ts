import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { BRANCH_OF_CITY } from '../../../contracts/organisation.ts';
import { LONG_WAIT_ESCALATION } from '../../../contracts/sla-pause.ts';

/**
 * Each top-level instance with its business context: customer level and branch (from the line,
 * the A end, or the grid of the address or of the diagnosed line). Called processes count for the
 * top-level instance that called them.
 */
export const INSTANCE_CONTEXT = sql`
  select pi.process_instance_key as key, pi.bpmn_process_id as process_id, pi.state, pi.started_at, pi.ended_at,
         max(v.value->>'level') filter (where v.name = 'customer') as customer_level,
         coalesce(max(v.value->>'branch') filter (where v.name = 'line'),
                  max(v.value->>'branch') filter (where v.name = 'aEnd'),
                  ${JSON.stringify(BRANCH_OF_CITY)}::jsonb ->> split_part(coalesce(
                    max(v.value #>> '{}') filter (where v.name = 'grid'),
                    max(v.value->'line'->>'grid') filter (where v.name = 'diagnosis')), '-', 1)) as branch,
         coalesce(max(v.value #>> '{}') filter (where v.name = 'changeId'), max(v.value #>> '{}') filter (where v.name = 'ticketId'),
                  max(v.value #>> '{}') filter (where v.name = 'complaintId'), max(v.value #>> '{}') filter (where v.name = 'lineOrderId'),
                  max(v.value #>> '{}') filter (where v.name = 'orderId')) as business_key,
         max((v.value #>> '{}')::numeric) filter (where v.name = 'satisfaction' and jsonb_typeof(v.value) = 'number') as satisfaction
  from process_instance pi
  left join instance_variable v on v.scope_key = pi.process_instance_key
        and v.name in ('customer', 'line', 'aEnd', 'grid', 'diagnosis', 'changeId', 'ticketId', 'complaintId', 'lineOrderId', 'orderId', 'satisfaction')
  where pi.parent_process_instance_key is null
  group by pi.process_instance_key`;

const ACCEPTANCE_PROCESS = 'acceptance-handover';

export interface Period {
  from: Date;
  to: Date;
  process?: string | undefined;
  branch?: string | undefined;
}

export function createKpiRepository(db: Db) {
  const run = async <T>(query: SQL) => (await db.execute(query)) as unknown as T[];
  const filters = (p: Period, alias: string) =>
    sql.join(
      [
        sql`true`,
        ...(p.process ? [sql`${sql.raw(alias)}.process_id = ${p.process}`] : []),
        ...(p.branch ? [sql`${sql.raw(alias)}.branch = ${p.branch}`] : []),
      ],
      sql` and `,
    );
  const inPeriod = (column: SQL, p: Period) =>
    sql`${column} >= ${p.from.toISOString()}::timestamptz and ${column} < ${p.to.toISOString()}::timestamptz`;

  return {
    /** Completed stages that ended in the period, with the branch of their top-level instance. */
    async completedStages(p: Period) {
      return run<{
        processId: string;
        elementId: string;
        name: string | null;
        nameEn: string | null;
        branch: string | null;
        startedAt: Date;
        endedAt: Date;
      }>(sql`
        with ctx as (${INSTANCE_CONTEXT})
        select s.bpmn_process_id as "processId", s.element_id as "elementId", coalesce(pe.name, s.name) as name, pe.name_en as "nameEn",
               ctx.branch, s.started_at as "startedAt", s.ended_at as "endedAt"
        from instance_stage s
        left join process_element pe on pe.process_definition_key = s.process_definition_key and pe.element_id = s.element_id
        join process_instance pi on pi.process_instance_key = s.process_instance_key
        join ctx on ctx.key = coalesce(pi.root_process_instance_key, pi.process_instance_key)
        where s.state = 'completed' and ${inPeriod(sql`s.ended_at`, p)}
          and s.element_type in ('USER_TASK', 'SERVICE_TASK', 'CALL_ACTIVITY', 'SUB_PROCESS', 'BUSINESS_RULE_TASK', 'RECEIVE_TASK', 'INTERMEDIATE_CATCH_EVENT')
          and ${p.process ? sql`s.bpmn_process_id = ${p.process}` : sql`true`} and ${p.branch ? sql`ctx.branch = ${p.branch}` : sql`true`}
        limit 200000`);
    },
    /** The latest deployed XML of each process, keyed by its definition (the stage chart leaves its cancellation paths out). */
    async latestDefinitions(processIds: string[]) {
      if (processIds.length === 0) return [];
      return run<{ processId: string; definitionKey: string; xml: string }>(sql`
        select distinct on (bpmn_process_id) bpmn_process_id as "processId", process_definition_key::text as "definitionKey", xml
        from process_definition
        where bpmn_process_id in (${sql.join(
          processIds.map((id) => sql`${id}`),
          sql`, `,
        )})
        order by bpmn_process_id, version desc`);
    },
    /** Top-level items closed in the period, and whether any SLA timer escalated on them (a customer's chase-up escalation is no SLA miss). */
    async slaByLevel(p: Period) {
      return run<{ customerLevel: string | null; total: string; met: string }>(sql`
        with ctx as (${INSTANCE_CONTEXT})
        select ctx.customer_level as "customerLevel", count(*) as total,
               count(*) filter (where not exists (select 1 from escalation e where (e.process_instance_key = ctx.key
                                                   or e.subject_id = ctx.business_key) and e.element_id not in ('chase-up', ${LONG_WAIT_ESCALATION}))) as met
        from ctx where ctx.state = 'completed' and ctx.process_id <> 'chase-up-escalation' and ${inPeriod(sql`ctx.ended_at`, p)} and ${filters(p, 'ctx')}
        group by ctx.customer_level order by ctx.customer_level`);
    },
    /** How long a user task waited before it was completed (wall clock: fault clocks run 7×24). */
    async taskWithin(p: Period, elementId: string, minutes: number) {
      const [row] = await run<{ total: string; met: string }>(sql`
        with ctx as (${INSTANCE_CONTEXT})
        select count(*) as total, count(*) filter (where s.ended_at - s.started_at <= make_interval(mins => ${minutes})) as met
        from instance_stage s join ctx on ctx.key = s.process_instance_key
        where s.element_id = ${elementId} and s.state = 'completed' and ${inPeriod(sql`s.ended_at`, p)} and ${filters(p, 'ctx')}`);
      return row ?? { total: '0', met: '0' };
    },
    async onlineResolution(p: Period) {
      const [row] = await run<{ total: string; met: string }>(sql`
        with ctx as (${INSTANCE_CONTEXT})
        select count(*) as total, count(*) filter (where t.resolution_path = 'online') as met
        from trouble_ticket t left join ctx on ctx.key = t.process_instance_key
        where t.resolution_path is not null and ${inPeriod(sql`coalesce(t.closed_at, t.resolved_at)`, p)}
          and ${p.process ? sql`ctx.process_id = ${p.process}` : sql`true`}
          and ${p.branch ? sql`ctx.branch = ${p.branch}` : sql`true`}`);
      return row ?? { total: '0', met: '0' };
    },
    async acceptance(p: Period) {
      // The monthly acceptance (line_acceptance) is the acceptance-handover process's work: no figure of another process.
      if (p.process && p.process !== ACCEPTANCE_PROCESS) return { total: '0', passed: '0', rectified: '0', onTime: '0' };
      const [row] = await run<{ total: string; passed: string; rectified: string; onTime: string }>(sql`
        select count(*) as total, count(*) filter (where rectifications = 0) as passed,
               count(*) filter (where rectified_on_time is not null) as rectified,
               count(*) filter (where rectified_on_time) as "onTime"
        from line_acceptance
        where ${inPeriod(sql`recorded_at`, p)} and ${p.branch ? sql`branch = ${p.branch}` : sql`true`}`);
      return row ?? { total: '0', passed: '0', rectified: '0', onTime: '0' };
    },
    async satisfaction(p: Period) {
      const [row] = await run<{ responses: string; average: string | null }>(sql`
        with ctx as (${INSTANCE_CONTEXT})
        select count(ctx.satisfaction) as responses, round(avg(ctx.satisfaction), 2) as average
        from ctx where ${inPeriod(sql`ctx.ended_at`, p)} and ${filters(p, 'ctx')}`);
      return row ?? { responses: '0', average: null };
    },
    /** Open tasks per owning group, now (backlog is a snapshot, not a period figure). */
    async backlog(p: Pick<Period, 'process' | 'branch'>) {
      return run<{ owner: string; open: string; overdue: string; errorOrders: string }>(sql`
        with ctx as (${INSTANCE_CONTEXT})
        select g as owner, count(*) as open,
               count(*) filter (where t.due_date is not null and t.due_date::timestamptz < now()) as overdue,
               count(*) filter (where t.form_id = 'error-order') as "errorOrders"
        from user_task t
        cross join unnest(t.candidate_groups) g
        join process_instance pi on pi.process_instance_key = t.process_instance_key
        join ctx on ctx.key = coalesce(pi.root_process_instance_key, pi.process_instance_key)
        where t.state = 'created' and ${p.process ? sql`ctx.process_id = ${p.process}` : sql`true`}
          and ${p.branch ? sql`ctx.branch = ${p.branch}` : sql`true`}
        group by g order by count(*) desc, g`);
    },
  };
}
export type KpiRepository = ReturnType<typeof createKpiRepository>;
