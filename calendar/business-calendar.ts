// The package's main entry is CommonJS: Node's ESM gives its functions through the default export.
import chineseDays from 'chinese-days';
import type { Db } from '../db/client.ts';
import { calendarDays } from '../db/schema.ts';

/** China has one time zone (UTC+8, no daylight saving): working days are counted in it. */
const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

export interface CalendarDay {
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
}

export interface BusinessCalendar {
  isWorkday(date: string): boolean;
  /** What the day is and why (an override's name, or the package's holiday name, or the weekday). */
  describe(date: string): { date: string; workday: boolean; name: string; source: 'override' | 'chinese-days' };
  /**
   * The moment `n` working days after `start`, at the same local time of day: the days after the
   * start day are counted, holidays and weekends skipped, make-up workdays (调休) counted.
   */
  addWorkingDays(start: Date, n: number): Date;
  /** Milliseconds between two instants that fall on working days (China local dates); 7×24 within a working day. */
  workingMillisBetween(start: Date, end: Date): number;
  /**
   * The instant `ms` working milliseconds after `start` (the inverse of workingMillisBetween): time
   * on holidays and weekends is skipped, so a clock resumed on a holiday starts at the next working
   * day's midnight. The earliest such instant (0 ms from a holiday is the next working midnight).
   */
  addWorkingMillis(start: Date, ms: number): Date;
}

/** Local (China) calendar date of an instant, YYYY-MM-DD. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Working-day arithmetic with Chinese public holidays (`chinese-days`), corrected by `overrides`. */
export function createBusinessCalendar(overrides: CalendarDay[] = []): BusinessCalendar {
  const byDate = new Map(overrides.map((o) => [o.date, o]));
  const isWorkday = (date: string) => {
    const o = byDate.get(date);
    return o ? o.kind === 'workday' : chineseDays.isWorkday(date);
  };
  return {
    isWorkday,
    describe(date) {
      const o = byDate.get(date);
      if (o) return { date, workday: o.kind === 'workday', name: o.name, source: 'override' };
      const d = chineseDays.getDayDetail(date);
      return { date, workday: d.work, name: d.name, source: 'chinese-days' };
    },
    addWorkingDays(start, n) {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
      let t = start.getTime();
      let counted = 0;
      // Bounded: even a year of holidays ends within 366 steps per working day asked for.
      for (let guard = 0; counted < n; guard++) {
        if (guard > 366 * (n + 1)) throw new Error('no working day found: check the calendar overrides');
        t += DAY_MS;
        if (isWorkday(chinaDate(new Date(t)))) counted++;
      }
      return new Date(t);
    },
    workingMillisBetween(start, end) {
      let total = 0;
      let t = start.getTime();
      const stop = end.getTime();
      while (t < stop) {
        // the next local midnight after t
        const nextMidnight = Math.floor((t + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - CHINA_OFFSET_MS;
        const until = Math.min(nextMidnight, stop);
        if (isWorkday(chinaDate(new Date(t)))) total += until - t;
        t = until;
      }
      return total;
    },
    addWorkingMillis(start, ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`working time must be ≥ 0 ms, got ${ms}`);
      let t = start.getTime();
      let left = ms;
      // Bounded like addWorkingDays: a year of holidays ends within 366 local days.
      for (let guard = 0; ; guard++) {
        if (guard > 366 * (Math.ceil(ms / DAY_MS) + 1)) throw new Error('no working day found: check the calendar overrides');
        const nextMidnight = Math.floor((t + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - CHINA_OFFSET_MS;
        if (isWorkday(chinaDate(new Date(t)))) {
          if (t + left <= nextMidnight) return new Date(t + left);
          left -= nextMidnight - t;
        }
        t = nextMidnight;
      }
    },
  };
}

/** The calendar with the administrators' overrides from the database. */
export async function loadBusinessCalendar(db: Db): Promise<BusinessCalendar> {
  const rows = await db.select().from(calendarDays);
  return createBusinessCalendar(rows.map((r) => ({ date: r.date, kind: r.kind as CalendarDay['kind'], name: r.name })));
}
