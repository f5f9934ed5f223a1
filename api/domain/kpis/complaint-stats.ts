import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { branchName, COMPLAINT_CATEGORY_NAMES, complaintCategoryName, UNKNOWN_BRANCH } from './names.ts';
import { branchOfAccountSql, branchOfGridSql } from './subject-branch.ts';

export const ComplaintStatsQuerySchema = z
  .object({
    branch: z
      .string()
      .regex(/^[a-z][a-z-]{0,39}$/, 'a branch code such as urumqi')
      .optional()
      .describe('Only this branch (unknown: complaints whose account names no branch)'),
  })
  .strict();
export type ComplaintStatsQuery = z.infer<typeof ComplaintStatsQuerySchema>;

const Name = z.object({ zh: z.string(), en: z.string() });
const Counts = z.object({ today: z.number().int(), week: z.number().int() });

export const ComplaintStatsSchema = z
  .object({
    generatedAt: z.string().datetime(),
    todayFrom: z.string().datetime().describe('Today began at 00:00 Beijing time'),
    weekFrom: z.string().datetime().describe('This week began on Monday 00:00 Beijing time'),
    total: Counts,
    categories: z
      .array(
        Counts.extend({
          category: z.string(),
          name: Name,
          guided: z.number().int().describe('Complaints this week the guide has given its standard steps to'),
          fieldVisits: z.number().int().describe('Of this week’s, those sent to a crew with generated dispatch information'),
          closed: z.number().int().describe('Of this week’s, those already closed'),
          standardSteps: z.array(Name).describe("The guide's standard steps as it gave them to the latest complaint of the category"),
          handlingGroup: z.string().nullable(),
          resolutionHours: z.number().nullable(),
        }),
      )
      .describe('Every category of the guide, most complaints this week first'),
    branches: z.array(Counts.extend({ branch: z.string(), name: Name })).describe('Per branch, most this week first'),
    byCategoryAndBranch: z
      .array(Counts.extend({ category: z.string(), branch: z.string() }))
      .describe('The cells of the category × branch table'),
  })
  .meta({ id: 'ComplaintStats' });
export type ComplaintStats = z.infer<typeof ComplaintStatsSchema>;

/** "1. 核对签约带宽 Check the subscribed bandwidth" → { zh: '核对签约带宽', en: 'Check the subscribed bandwidth' }. */
export function splitStep(line: string): { zh: string; en: string } {
  const text = line.replace(/^\s*\d+[.、]\s*/, '').trim();
  const m = /^(.*[\u3000-\u9fff\uff00-\uffef])\s*(.*)$/su.exec(text);
  if (!m) return { zh: text, en: text };
  return { zh: m[1]!.trim(), en: m[2]!.trim() || m[1]!.trim() };
}

/**
 * Today's and this week's complaints by category and branch, live: read straight from the
 * complaint table (a complaint counts the moment it is recorded) and the guide each was given
 * (the complaint-guide decision's result, kept as the instance's `guide` variable).
 */
export async function complaintStats(db: Db, q: ComplaintStatsQuery, now = new Date()): Promise<ComplaintStats> {
  const [bounds] = (await db.execute(sql`
    select (date_trunc('day', ${now.toISOString()}::timestamptz at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai') as "todayFrom",
           (date_trunc('week', ${now.toISOString()}::timestamptz at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai') as "weekFrom"`)) as unknown as {
    todayFrom: string | Date;
    weekFrom: string | Date;
  }[];
  const todayFrom = new Date(bounds!.todayFrom);
  const weekFrom = new Date(bounds!.weekFrom);
  const rows = (await db.execute(sql`
    with c as (
      select c.id, c.category, c.created_at, c.state, c.dispatch_info is not null as visited,
             coalesce(${branchOfGridSql(sql`c.dispatch_info->>'grid'`)}, ${branchOfAccountSql(sql`c.account`)}, ${UNKNOWN_BRANCH}) as branch,
             g.value as guide
      from complaint c
      left join instance_variable g on g.scope_key = c.process_instance_key and g.process_instance_key = c.process_instance_key
                                   and g.name = 'guide'
      where c.created_at >= ${weekFrom.toISOString()}::timestamptz and c.created_at <= ${now.toISOString()}::timestamptz
    )
    select * from c where ${q.branch ? sql`c.branch = ${q.branch}` : sql`true`}
    order by c.created_at desc`)) as unknown as {
    id: string;
    category: string;
    created_at: string | Date;
    state: string;
    visited: boolean;
    branch: string;
    guide: { steps?: string; handlingGroup?: string; resolutionHours?: number } | null;
  }[];
  const isToday = (r: (typeof rows)[number]) => new Date(r.created_at).getTime() >= todayFrom.getTime();
  const count = (list: typeof rows) => ({ today: list.filter(isToday).length, week: list.length });

  const codes = [...new Set([...Object.keys(COMPLAINT_CATEGORY_NAMES), ...rows.map((r) => r.category)])];
  const categories = codes
    .map((category) => {
      const mine = rows.filter((r) => r.category === category);
      const guide = mine.find((r) => r.guide)?.guide ?? null;
      return {
        category,
        name: complaintCategoryName(category),
        ...count(mine),
        guided: mine.filter((r) => r.guide).length,
        fieldVisits: mine.filter((r) => r.visited).length,
        closed: mine.filter((r) => r.state === 'closed').length,
        standardSteps: (guide?.steps ?? '')
          .split('\n')
          .filter((s) => s.trim())
          .map(splitStep),
        handlingGroup: guide?.handlingGroup ?? null,
        resolutionHours: typeof guide?.resolutionHours === 'number' ? guide.resolutionHours : null,
      };
    })
    .sort((a, b) => b.week - a.week || b.today - a.today || codes.indexOf(a.category) - codes.indexOf(b.category));
  const branchCodes = [...new Set(rows.map((r) => r.branch))];
  const branches = branchCodes
    .map((branch) => ({ branch, name: branchName(branch), ...count(rows.filter((r) => r.branch === branch)) }))
    .sort((a, b) => b.week - a.week || a.branch.localeCompare(b.branch));
  const cells = new Map<string, typeof rows>();
  for (const r of rows) {
    const key = `${r.category}\u0000${r.branch}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  return {
    generatedAt: now.toISOString(),
    todayFrom: todayFrom.toISOString(),
    weekFrom: weekFrom.toISOString(),
    total: count(rows),
    categories,
    branches,
    byCategoryAndBranch: [...cells].map(([key, list]) => {
      const [category, branch] = key.split('\u0000') as [string, string];
      return { category, branch, ...count(list) };
    }),
  };
}
