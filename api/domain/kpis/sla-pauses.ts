import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { CustomerLevelSchema } from '../../../contracts/home-broadband.ts';
import { LONG_WAIT_ESCALATION } from '../../../contracts/sla-pause.ts';
import type { Db } from '../../../db/client.ts';
import { INSTANCE_CONTEXT, type Period } from './repository.ts';

const RateSchema = z.object({
  total: z.number().int(),
  met: z.number().int(),
  rate: z.number().min(0).max(1).nullable().describe('met / total; null without data'),
});

export const SlaPauseKpisSchema = z
  .object({
    ticketsClosed: z.number().int().describe('Trouble tickets closed in the period'),
    ticketsPaused: z.number().int().describe('… of which at least one customer-caused wait counted'),
    pausesCounted: z.number().int().describe('Customer-caused waits that moved a deadline'),
    pausesRefused: z.number().int().describe('Waits the response center refused (the deadline stood)'),
    pausedWorkingHours: z.number().describe('Working time excluded by counted waits (business calendar), in hours'),
    averagePausedWorkingHours: z.number().nullable().describe('Per paused ticket'),
    byLevel: z.array(
      z.object({
        customerLevel: CustomerLevelSchema.or(z.literal('unknown')),
        pausesExcluded: RateSchema.describe('Met with customer-caused waits excluded (the official figure: no SLA escalation)'),
        pausesCounted: RateSchema.describe('Met had the paused time counted: no escalation and repaired by the deadline before any pause'),
        pausedWorkingHours: z.number(),
      }),
    ),
    installs: z
      .object({
        ordersActivated: z.number().int().describe('Home-broadband install orders completed in the period'),
        ordersPaused: z.number().int().describe('… of which at least one customer-caused wait counted'),
        pausesCounted: z.number().int(),
        pausesRefused: z.number().int(),
        pausedWorkingHours: z.number(),
        averagePausedWorkingHours: z.number().nullable().describe('Per paused order'),
        byLevel: z.array(
          z.object({
            customerLevel: CustomerLevelSchema.or(z.literal('unknown')),
            pausesExcluded: RateSchema.describe('Activated by the install due moved by the counted waits (the official figure)'),
            pausesCounted: RateSchema.describe('Activated by the limit from the order’s creation (20/24/48 h), the paused time counted'),
            pausedWorkingHours: z.number(),
          }),
        ),
      })
      .describe(
        'Install SLA (activation within 20/24/48 h of the order by customer level) with customer-caused waits excluded and counted',
      ),
  })
  .describe(
    'SLA compliance of trouble tickets and install orders with customer-caused waits (客户原因) excluded, and the paused time apart (docs/sla-pauses.md)',
  );
export type SlaPauseKpis = z.infer<typeof SlaPauseKpisSchema>;

const rate = (total: number, met: number) => ({ total, met, rate: total === 0 ? null : Math.round((met / total) * 1000) / 1000 });
const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;

/**
 * Trouble tickets closed in the period: met with pauses excluded (no SLA escalation: the timers
 * fired at the moved deadlines), met had the paused time counted (also repaired by the deadline as
 * it stood before the first pause), and the working time the pauses took, per customer level.
 */
export async function slaPauseKpis(db: Db, p: Period): Promise<SlaPauseKpis> {
  const rows = (await db.execute(sql`
    with ctx as (${INSTANCE_CONTEXT}),
    closed as (
      select ctx.key, ctx.business_key, ctx.customer_level
      from ctx where ctx.process_id = 'fault-trouble-ticket' and ctx.state = 'completed'
        and ctx.ended_at >= ${p.from.toISOString()}::timestamptz and ctx.ended_at < ${p.to.toISOString()}::timestamptz
        and ${p.branch ? sql`ctx.branch = ${p.branch}` : sql`true`}
        and ${p.process ? sql`ctx.process_id = ${p.process}` : sql`true`}),
    pauses as (
      select ticket_id, count(*) filter (where state = 'counted') as counted, count(*) filter (where state = 'refused') as refused,
             coalesce(sum(paused_working_ms) filter (where state = 'counted'), 0) as ms,
             (array_agg(due_before order by id) filter (where due_before is not null))[1] as original_due
      from sla_pause where ticket_id in (select business_key from closed) group by ticket_id),
    repaired as (
      select process_instance_key, max(ended_at) as at from instance_stage
      where process_instance_key in (select key from closed) and element_id in ('repair-onsite', 'resolve-online') and state = 'completed'
      group by process_instance_key),
    judged as (
      select closed.customer_level, coalesce(pauses.counted, 0) as counted, coalesce(pauses.refused, 0) as refused, coalesce(pauses.ms, 0) as ms,
             -- chase-ups and the long-wait reminder are escalations, but no SLA miss
             not exists (select 1 from escalation e where (e.process_instance_key = closed.key or e.subject_id = closed.business_key)
                                                     and e.element_id not in ('chase-up', ${LONG_WAIT_ESCALATION})) as met,
             pauses.original_due, repaired.at as repaired_at
      from closed left join pauses on pauses.ticket_id = closed.business_key left join repaired on repaired.process_instance_key = closed.key)
    select customer_level as "customerLevel", count(*)::int as total, count(*) filter (where counted > 0)::int as paused,
           coalesce(sum(counted), 0)::int as counted, coalesce(sum(refused), 0)::int as refused, coalesce(sum(ms), 0)::bigint as ms,
           count(*) filter (where met)::int as "metExcluded",
           count(*) filter (where met and (counted = 0 or (repaired_at is not null and repaired_at <= original_due)))::int as "metCounted"
    from judged group by customer_level order by customer_level`)) as unknown as {
    customerLevel: string | null;
    total: number;
    paused: number;
    counted: number;
    refused: number;
    ms: string;
    metExcluded: number;
    metCounted: number;
  }[];
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
  const ticketsPaused = sum((r) => r.paused);
  const ms = sum((r) => Number(r.ms));
  const installs = await installPauseKpis(db, p);
  return {
    installs,
    ticketsClosed: sum((r) => r.total),
    ticketsPaused,
    pausesCounted: sum((r) => r.counted),
    pausesRefused: sum((r) => r.refused),
    pausedWorkingHours: hours(ms),
    averagePausedWorkingHours: ticketsPaused === 0 ? null : hours(ms / ticketsPaused),
    byLevel: rows.map((r) => ({
      customerLevel: (r.customerLevel ?? 'unknown') as SlaPauseKpis['byLevel'][number]['customerLevel'],
      pausesExcluded: rate(r.total, r.metExcluded),
      pausesCounted: rate(r.total, r.metCounted),
      pausedWorkingHours: hours(Number(r.ms)),
    })),
  };
}

/**
 * Home-broadband install orders completed in the period: activated by the due moved by the counted
 * waits (the last settled wait's due after it; a refused one leaves the due) and by the limit from
 * the order's creation (docs/decisions.md "Install SLA"), per customer level.
 */
async function installPauseKpis(db: Db, p: Period): Promise<SlaPauseKpis['installs']> {
  const rows = (await db.execute(sql`
    with ctx as (${INSTANCE_CONTEXT}),
    closed as (
      select ctx.key, ctx.business_key, ctx.customer_level
      from ctx where ctx.process_id = 'home-broadband-new-install' and ctx.state = 'completed'
        and ctx.ended_at >= ${p.from.toISOString()}::timestamptz and ctx.ended_at < ${p.to.toISOString()}::timestamptz
        and ${p.branch ? sql`ctx.branch = ${p.branch}` : sql`true`}
        and ${p.process ? sql`ctx.process_id = ${p.process}` : sql`true`}),
    pauses as (
      select order_id, count(*) filter (where state = 'counted') as counted, count(*) filter (where state = 'refused') as refused,
             coalesce(sum(paused_working_ms) filter (where state = 'counted'), 0) as ms,
             (array_agg(due_after order by id desc) filter (where state in ('counted', 'refused') and due_after is not null))[1] as moved_due
      from sla_pause where order_id in (select business_key from closed) group by order_id),
    activated as (
      select process_instance_key, max(ended_at) as at from instance_stage
      where process_instance_key in (select key from closed) and element_id = 'activate-service' and state = 'completed'
      group by process_instance_key),
    judged as (
      select closed.customer_level, coalesce(pauses.counted, 0) as counted, coalesce(pauses.refused, 0) as refused,
             coalesce(pauses.ms, 0) as ms, activated.at as activated_at,
             o.created_at + make_interval(hours => case o.customer_level when 'group' then 20 when 'province' then 24 else 48 end) as limit_due,
             pauses.moved_due
      from closed join orders o on o.id = closed.business_key
      left join pauses on pauses.order_id = closed.business_key left join activated on activated.process_instance_key = closed.key)
    select customer_level as "customerLevel", count(*)::int as total, count(*) filter (where counted > 0)::int as paused,
           coalesce(sum(counted), 0)::int as counted, coalesce(sum(refused), 0)::int as refused, coalesce(sum(ms), 0)::bigint as ms,
           count(*) filter (where activated_at <= coalesce(moved_due, limit_due))::int as "metExcluded",
           count(*) filter (where activated_at <= limit_due)::int as "metCounted"
    from judged group by customer_level order by customer_level`)) as unknown as {
    customerLevel: string | null;
    total: number;
    paused: number;
    counted: number;
    refused: number;
    ms: string;
    metExcluded: number;
    metCounted: number;
  }[];
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
  const paused = sum((r) => r.paused);
  const ms = sum((r) => Number(r.ms));
  return {
    ordersActivated: sum((r) => r.total),
    ordersPaused: paused,
    pausesCounted: sum((r) => r.counted),
    pausesRefused: sum((r) => r.refused),
    pausedWorkingHours: hours(ms),
    averagePausedWorkingHours: paused === 0 ? null : hours(ms / paused),
    byLevel: rows.map((r) => ({
      customerLevel: (r.customerLevel ?? 'unknown') as SlaPauseKpis['byLevel'][number]['customerLevel'],
      pausesExcluded: rate(r.total, r.metExcluded),
      pausesCounted: rate(r.total, r.metCounted),
      pausedWorkingHours: hours(Number(r.ms)),
    })),
  };
}
