import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chinaDate, createBusinessCalendar, loadBusinessCalendar } from '../calendar/business-calendar.ts';
import { connectDatabase, type Database } from '../db/client.ts';

/** 09:30 China time on a date. */
const at930 = (date: string) => new Date(`${date}T09:30:00+08:00`);

describe('the business calendar counts working days the Chinese way', () => {
  const calendar = createBusinessCalendar();

  it('skips the National Day holiday and counts its make-up Saturday: 7 working days from 29 Sep 2026 end on 12 Oct', () => {
    // 30 Sep (1), 1–7 Oct holiday, 8 Oct (2), 9 Oct (3), Sat 10 Oct make-up workday (4), Sun 11 Oct off, 12 (5)…
    const due = calendar.addWorkingDays(at930('2026-09-29'), 7);
    expect(chinaDate(due)).toBe('2026-10-14');
    expect(due.toISOString()).toBe('2026-10-14T01:30:00.000Z');
    expect(calendar.isWorkday('2026-10-10')).toBe(true);
    expect(calendar.isWorkday('2026-10-05')).toBe(false);
  });

  it('skips the Spring Festival and counts the make-up Saturdays around it', () => {
    // Fri 13 Feb 2026 + 1 working day = Sat 14 Feb (make-up workday); + 2 = Tue 24 Feb (15–23 off).
    expect(chinaDate(calendar.addWorkingDays(at930('2026-02-13'), 1))).toBe('2026-02-14');
    expect(chinaDate(calendar.addWorkingDays(at930('2026-02-13'), 2))).toBe('2026-02-24');
  });

  it('counts from the next day at the same local time, and zero days is the start itself', () => {
    expect(calendar.addWorkingDays(at930('2026-11-20'), 1).toISOString()).toBe(at930('2026-11-23').toISOString()); // Fri → Mon
    expect(calendar.addWorkingDays(at930('2026-11-20'), 0).toISOString()).toBe(at930('2026-11-20').toISOString());
    expect(() => calendar.addWorkingDays(at930('2026-11-20'), -1)).toThrow(RangeError);
  });

  it('counts by the China date, not the UTC date: 23:30 in Beijing is already the next day in China', () => {
    const lateThursday = new Date('2026-11-19T15:30:00Z'); // 23:30 Thu 19 Nov in Beijing
    expect(chinaDate(lateThursday)).toBe('2026-11-19');
    expect(chinaDate(calendar.addWorkingDays(lateThursday, 1))).toBe('2026-11-20');
  });
});

describe('working time between two instants (stage durations on the dashboards)', () => {
  const calendar = createBusinessCalendar();
  const HOUR = 3600_000;

  it('counts a span inside one working day in full', () => {
    expect(calendar.workingMillisBetween(new Date('2026-11-23T01:00:00Z'), new Date('2026-11-23T04:30:00Z'))).toBe(3.5 * HOUR);
  });

  it('leaves out the weekend: Friday 20:00 to Monday 10:00 Beijing time is 4 h of Friday and 10 h of Monday', () => {
    expect(calendar.workingMillisBetween(new Date('2026-11-20T12:00:00Z'), new Date('2026-11-23T02:00:00Z'))).toBe(14 * HOUR);
  });

  it('leaves out National Day (1-7 Oct 2026) and counts its make-up Saturday (10 Oct)', () => {
    // 30 Sep 00:00 → 11 Oct 00:00 Beijing time: working days 30 Sep, 8, 9 and 10 Oct
    const ms = calendar.workingMillisBetween(new Date('2026-09-29T16:00:00Z'), new Date('2026-10-10T16:00:00Z'));
    expect(ms).toBe(4 * 24 * HOUR);
  });

  it('is zero for an empty or reversed span', () => {
    const t = new Date('2026-11-23T01:00:00Z');
    expect(calendar.workingMillisBetween(t, t)).toBe(0);
    expect(calendar.workingMillisBetween(t, new Date(t.getTime() - HOUR))).toBe(0);
  });
});

describe("administrators' calendar corrections win over the package", () => {
  let database: Database;
  beforeAll(async () => {
    database = connectDatabase(inject('databaseUrl'));
    // chinese-days 1.5.7 does not know the 2027 schedule yet: it treats New Year's Day as a workday.
    await database.sql`insert into calendar_day (date, kind, name) values ('2027-01-01', 'holiday', '元旦 New Year''s Day')
                       on conflict (date) do update set kind = excluded.kind, name = excluded.name`;
  });
  afterAll(async () => {
    await database.sql`delete from calendar_day where date = '2027-01-01'`;
    await database?.close();
  });

  it('a holiday added for 1 Jan 2027 moves a deadline that crosses it', async () => {
    expect(createBusinessCalendar().isWorkday('2027-01-01')).toBe(true);
    const calendar = await loadBusinessCalendar(database.db);
    expect(calendar.describe('2027-01-01')).toMatchObject({ workday: false, source: 'override' });
    // Thu 31 Dec 2026 + 1 working day: Mon 4 Jan 2027 instead of Fri 1 Jan.
    expect(chinaDate(calendar.addWorkingDays(at930('2026-12-31'), 1))).toBe('2027-01-04');
  });
});
