import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportComplaint, type ReportComplaint } from '../api/domain/complaints/use-cases.ts';
import type { ComplaintStats } from '../api/domain/kpis/complaint-stats.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

const complaint = (overrides: Partial<ReportComplaint> = {}): ReportComplaint => ({
  account: '0991-HB-100001',
  customer: { name: '刘洋', level: 'local-c' },
  category: 'slow-speed',
  description: '晚上网速只有 20M，签约 500M',
  ...overrides,
});

describe('live statistics of complaint types for leaders (the complaint guide’s call-type statistics)', () => {
  let platform: Platform;
  let leader: string;
  const started: string[] = [];
  beforeAll(async () => {
    platform = await startPlatform();
    leader = await platform.tokenFor('leader.region');
  });
  afterAll(async () => {
    for (const key of started) await platform.engine.deleteProcessInstance(key).catch(() => {});
    await platform?.close();
  });

  const stats = async (query = '') => {
    const res = await platform.fastify.inject({
      method: 'GET',
      url: `/kpis/complaint-stats${query}`,
      headers: { authorization: `Bearer ${leader}` },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as ComplaintStats;
  };
  const report = async (c: ReportComplaint) => {
    const r = await reportComplaint({
      complaint: c,
      customerId: 'CU-0001',
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 20_000,
    });
    started.push(r.processInstanceKey);
    return r;
  };
  const category = (s: ComplaintStats, code: string) => s.categories.find((c) => c.category === code)!;
  const cell = (s: ComplaintStats, code: string, branch: string) =>
    s.byCategoryAndBranch.find((c) => c.category === code && c.branch === branch) ?? { today: 0, week: 0 };
  const branch = (s: ComplaintStats, code: string) => s.branches.find((b) => b.branch === code) ?? { today: 0, week: 0, name: undefined };

  it('complaints recorded today count at once, by category and by branch, with Chinese names', async () => {
    // given the figures before
    const before = await stats();
    expect(before.categories.map((c) => c.category)).toEqual(
      expect.arrayContaining([
        'slow-speed',
        'frequent-disconnection',
        'install-delay',
        'repair-delay',
        'billing-dispute',
        'staff-attitude',
        'other',
      ]),
    );

    // when two slow-speed complaints from an Ürümqi line, a billing dispute from a Xi'an number and one from an account of no branch are recorded
    await report(complaint());
    await report(complaint({ description: '看视频卡顿' }));
    await report(complaint({ account: '029-88886666', category: 'billing-dispute', description: '未开通就开始扣费' }));
    await report(complaint({ account: 'ACC-77', category: 'other', description: '想了解套餐' }));

    // then, immediately (no waiting for any process step), the statistics show them
    const after = await stats();
    expect(after.total.today - before.total.today).toBe(4);
    expect(after.total.week - before.total.week).toBe(4);
    expect(category(after, 'slow-speed').today - category(before, 'slow-speed').today).toBe(2);
    expect(category(after, 'slow-speed').name).toEqual({ zh: '网速慢', en: 'Slow speed' });
    expect(cell(after, 'slow-speed', 'urumqi').today - cell(before, 'slow-speed', 'urumqi').today).toBe(2);
    expect(cell(after, 'billing-dispute', 'xian').week - cell(before, 'billing-dispute', 'xian').week).toBe(1);
    expect(cell(after, 'other', 'unknown').today - cell(before, 'other', 'unknown').today).toBe(1);
    expect(branch(after, 'urumqi').name).toEqual({ zh: '乌鲁木齐分公司', en: 'Ürümqi branch' });
    expect(branch(after, 'xian').name?.zh).toBe('西安分公司');
    expect(branch(after, 'unknown').name?.zh).toBe('未归属分公司');
    // the category with the most complaints this week comes first
    expect(after.categories[0]!.week).toBe(Math.max(...after.categories.map((c) => c.week)));
  });

  it("each category shows the guide's standard steps as the guide gave them, and how many complaints were guided", async () => {
    const s = await eventually(async () => {
      const v = await stats();
      const slow = category(v, 'slow-speed');
      return slow.guided >= 2 && category(v, 'billing-dispute').guided >= 1 ? v : undefined;
    });
    const slow = category(s, 'slow-speed');
    expect(slow.standardSteps).toEqual([
      { zh: '核对签约带宽与终端能力', en: 'Check the subscribed bandwidth and the terminal' },
      { zh: '远程测速并查看光功率', en: 'Remote speed test and optical level' },
      { zh: '排查用户侧 Wi-Fi 与设备', en: 'Check the customer’s Wi-Fi and devices' },
      { zh: '仍不达标则上门', en: 'Visit if still below the subscribed rate' },
    ]);
    expect(slow).toMatchObject({ handlingGroup: 'customer-response-center', resolutionHours: 48 });
    expect(category(s, 'billing-dispute').standardSteps[0]).toEqual({
      zh: '调取账单与计费起始日',
      en: 'Get the bill and the billing start date',
    });
    expect(category(s, 'billing-dispute').resolutionHours).toBe(72);
    // a category nobody complained about this week has no steps to show yet, but is listed
    expect(category(s, 'staff-attitude').week).toBeGreaterThanOrEqual(0);
  });

  it('this week counts from Monday 00:00 Beijing time: one recorded earlier this week counts, one from last week does not', async () => {
    const before = await stats();
    const inWeek = await report(complaint({ category: 'repair-delay', description: '维修超时' }));
    const lastWeek = await report(complaint({ category: 'repair-delay', description: '上周的投诉' }));
    const weekFrom = new Date(before.weekFrom);
    await platform.database
      .sql`update complaint set created_at = ${new Date(weekFrom.getTime() + 1000).toISOString()}::timestamptz where id = ${inWeek.complaintId}`;
    await platform.database
      .sql`update complaint set created_at = ${new Date(weekFrom.getTime() - 1000).toISOString()}::timestamptz where id = ${lastWeek.complaintId}`;
    const after = await stats();
    expect(category(after, 'repair-delay').week - category(before, 'repair-delay').week).toBe(1);
    // on a Monday the week began today; otherwise the earlier complaint is not today's
    const mondayToday = before.weekFrom === before.todayFrom;
    expect(category(after, 'repair-delay').today - category(before, 'repair-delay').today).toBe(mondayToday ? 1 : 0);
    // Beijing midnight is 16:00 UTC the day before
    expect(new Date(after.todayFrom).getUTCHours()).toBe(16);
    expect(new Date(after.weekFrom).getUTCHours()).toBe(16);
  });

  it('a branch filter narrows it; only leaders, process owners and admins read it; bad input names the field', async () => {
    const xian = await stats('?branch=xian');
    expect(xian.branches.every((b) => b.branch === 'xian')).toBe(true);
    expect(xian.total.week).toBeGreaterThanOrEqual(1);
    for (const user of ['clerk.urumqi', 'customer.zhang']) {
      const token = await platform.tokenFor(user);
      expect(
        (await platform.fastify.inject({ method: 'GET', url: '/kpis/complaint-stats', headers: { authorization: `Bearer ${token}` } }))
          .statusCode,
      ).toBe(403);
    }
    const bad = await platform.fastify.inject({
      method: 'GET',
      url: '/kpis/complaint-stats?branch=URUMQI!',
      headers: { authorization: `Bearer ${leader}` },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('branch');
  });
});
