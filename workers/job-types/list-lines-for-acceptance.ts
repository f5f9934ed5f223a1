import { z } from 'zod';
import { EngineInstantSchema, LineSchema, MonthSchema } from '../../contracts/acceptance.ts';
import { chinaDate } from '../../calendar/business-calendar.ts';
import { defineJob } from '../job-definition.ts';

/** The month before `instant`, in China time. */
export function previousMonth(instant: Date): string {
  const [y, m] = chinaDate(instant).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** 18:00 China time on the 25th of the month after `month`: when the acceptance material is due. */
export function acceptanceDue(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 };
  return new Date(`${next.y}-${String(next.m).padStart(2, '0')}-25T18:00:00+08:00`).toISOString();
}

/** The monthly list (by the 5th): lines put into inventory the month before. */
export const listLinesForAcceptance = defineJob({
  type: 'list-lines-for-acceptance',
  description: 'Lists the enterprise lines put into inventory in the month to accept, and when their material is due',
  input: z.object({ month: MonthSchema.nullish(), startedAt: EngineInstantSchema }),
  output: z.object({ month: MonthSchema, lines: z.array(LineSchema), acceptanceDueAt: z.string() }),
  async handler({ variables, deps, log }) {
    // Started by the timer on the 5th: the month before, by the engine's clock. Started by hand: the month given.
    const month = variables.month ?? previousMonth(variables.startedAt);
    const lines = await deps.acceptance.linesPutIntoInventory(month);
    log.info({ month, lines: lines.length }, 'lines to accept listed');
    return { month, lines, acceptanceDueAt: acceptanceDue(month) };
  },
});
