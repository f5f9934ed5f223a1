import { sql, type SQL } from 'drizzle-orm';
import { BRANCH_OF_CITY } from '../../../contracts/organisation.ts';
import { BRANCH_OF_AREA_CODE } from '../chase-ups/repository.ts';

/** SQL: the branch of a grid code (URC-TS-01 → urumqi), null when unknown. */
export const branchOfGridSql = (grid: SQL) => sql`(${JSON.stringify(BRANCH_OF_CITY)}::jsonb ->> split_part(${grid}, '-', 1))`;

/** SQL: the branch of an account: its line's grid in the resource inventory, else its area code (0991-…). */
export const branchOfAccountSql = (account: SQL) =>
  sql`coalesce(${branchOfGridSql(sql`(select l.grid from sim_line l where l.account = ${account})`)},
               ${JSON.stringify(BRANCH_OF_AREA_CODE)}::jsonb ->> split_part(${account}, '-', 1))`;

/**
 * Every order, change, line order, trouble ticket and complaint with the branch that answers for it,
 * worked out as a chase-up works it out (api/domain/chase-ups/repository.ts branchOf).
 */
export const SUBJECTS_WITH_BRANCH = sql`
  select o.id, o.created_at, ${branchOfGridSql(sql`o.grid`)} as branch from orders o
  union all
  select c.id, c.created_at, ${branchOfGridSql(sql`o.grid`)} from service_change c join orders o on o.id = c.order_id
  union all
  select l.id, l.created_at, l.a_end->>'branch' from line_order l
  union all
  select t.id, t.created_at, coalesce(${branchOfGridSql(sql`t.diagnosis->'line'->>'grid'`)}, ${branchOfAccountSql(sql`t.account`)})
  from trouble_ticket t
  union all
  select c.id, c.created_at, coalesce(${branchOfGridSql(sql`c.dispatch_info->>'grid'`)}, ${branchOfAccountSql(sql`c.account`)})
  from complaint c`;
