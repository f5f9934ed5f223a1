import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { branchName, UNKNOWN_BRANCH } from './names.ts';
import { SUBJECTS_WITH_BRANCH } from './subject-branch.ts';

/** A moment PostgreSQL and people can hold: from 1970 to 9999 (a year-0 date once answered 500). */
const MOMENT = z.iso.datetime({ offset: true }).refine((v) => {
  const t = Date.parse(v);
  return Number.isFinite(t) && t >= 0 && t < Date.UTC(10000, 0, 1);
}, '须在 1970 至 9999 年之间 / must be between 1970 and 9999');

export const ChaseUpKpiQuerySchema = z
  .object({
    branch: z
      .string()
      .regex(/^[a-z][a-z-]{0,39}$/, 'a branch code such as urumqi')
      .optional(),
    from: MOMENT.optional().describe('Start of the period (default: 30 days ago)'),
    to: MOMENT.optional().describe('End of the period (default: now)'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] });
export type ChaseUpKpiQuery = z.infer<typeof ChaseUpKpiQuerySchema>;

const BranchChaseUps = z.object({
  branch: z.string().describe('Branch code; unknown when the order or ticket names none'),
  branchName: z.object({ zh: z.string(), en: z.string() }),
  subjects: z.number().int().describe('Orders, changes, line orders, tickets and complaints received in the period'),
  chasedSubjects: z.number().int().describe('Of them, those chased at least once'),
  rate: z.number().min(0).max(1).nullable().describe('chasedSubjects / subjects (催单率); null without subjects'),
  chaseUps: z.number().int().describe('Counted chase-ups made in the period (presses within 5 minutes count once)'),
  presses: z.number().int().describe('Every press, the folded ones included'),
  perHundred: z.number().nullable().describe('Chase-ups per 100 subjects received'),
  escalatedToBranch: z.number().int(),
  escalatedToRegion: z.number().int(),
});

export const ChaseUpKpisSchema = z
  .object({
    period: z.object({ from: z.string().datetime(), to: z.string().datetime() }),
    branches: z.array(BranchChaseUps).describe('Per branch, highest rate first'),
    total: BranchChaseUps.omit({ branch: true, branchName: true }),
  })
  .meta({ id: 'ChaseUpKpis' });
export type ChaseUpKpis = z.infer<typeof ChaseUpKpisSchema>;

const DAY_MS = 24 * 3600_000;
const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 1000);

/** 催单率 per branch: how many of the orders and tickets received in the period their customers had to chase. */
export async function chaseUpKpis(db: Db, q: ChaseUpKpiQuery, now = new Date()): Promise<ChaseUpKpis> {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
  const inPeriod = (column: string) =>
    sql`${sql.raw(column)} >= ${from.toISOString()}::timestamptz and ${sql.raw(column)} < ${to.toISOString()}::timestamptz`;
  const branchFilter = (column: string) => (q.branch ? sql`coalesce(${sql.raw(column)}, ${UNKNOWN_BRANCH}) = ${q.branch}` : sql`true`);
  const [subjects, chased] = await Promise.all([
    db.execute(sql`
      with s as (${SUBJECTS_WITH_BRANCH})
      select coalesce(s.branch, ${UNKNOWN_BRANCH}) as branch, count(*)::int as subjects,
             count(*) filter (where exists (select 1 from chase_up c where c.subject_id = s.id))::int as chased
      from s where ${inPeriod('s.created_at')} and ${branchFilter('s.branch')}
      group by 1`) as unknown as Promise<{ branch: string; subjects: number; chased: number }[]>,
    db.execute(sql`
      select coalesce(branch, ${UNKNOWN_BRANCH}) as branch, count(*)::int as "chaseUps",
             (count(*) + coalesce(sum(repeat_presses), 0))::int as presses,
             count(*) filter (where escalation_level = 'branch')::int as "toBranch",
             count(*) filter (where escalation_level = 'region')::int as "toRegion"
      from chase_up where ${inPeriod('created_at')} and ${branchFilter('branch')}
      group by 1`) as unknown as Promise<{ branch: string; chaseUps: number; presses: number; toBranch: number; toRegion: number }[]>,
  ]);
  const codes = [...new Set([...subjects.map((s) => s.branch), ...chased.map((c) => c.branch)])];
  const rows = codes.map((code) => {
    const s = subjects.find((x) => x.branch === code);
    const c = chased.find((x) => x.branch === code);
    return figures(code, s?.subjects ?? 0, s?.chased ?? 0, c?.chaseUps ?? 0, c?.presses ?? 0, c?.toBranch ?? 0, c?.toRegion ?? 0);
  });
  rows.sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || b.chaseUps - a.chaseUps || a.branch.localeCompare(b.branch));
  const sum = (k: 'subjects' | 'chasedSubjects' | 'chaseUps' | 'presses' | 'escalatedToBranch' | 'escalatedToRegion') =>
    rows.reduce((n, r) => n + r[k], 0);
  const {
    branch: _b,
    branchName: _n,
    ...total
  } = figures(
    '',
    sum('subjects'),
    sum('chasedSubjects'),
    sum('chaseUps'),
    sum('presses'),
    sum('escalatedToBranch'),
    sum('escalatedToRegion'),
  );
  return { period: { from: from.toISOString(), to: to.toISOString() }, branches: rows, total };
}

function figures(
  branch: string,
  subjects: number,
  chasedSubjects: number,
  chaseUps: number,
  presses: number,
  toBranch: number,
  toRegion: number,
) {
  return {
    branch,
    branchName: branchName(branch),
    subjects,
    chasedSubjects,
    rate: ratio(chasedSubjects, subjects),
    chaseUps,
    presses,
    perHundred: subjects === 0 ? null : Math.round((chaseUps / subjects) * 1000) / 10,
    escalatedToBranch: toBranch,
    escalatedToRegion: toRegion,
  };
}
