import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportComplaint, type ReportComplaint } from '../api/domain/complaints/use-cases.ts';
import { completeTask, processCompletedInEngine } from './support/orders.ts';
import { waitForInstanceTask } from './support/faults.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

const complaint = (overrides: Partial<ReportComplaint> = {}): ReportComplaint => ({
  account: '0991-HB-100001',
  customer: { name: '刘洋', level: 'local-c' },
  category: 'slow-speed',
  description: '晚上网速只有 20M，签约 500M',
  ...overrides,
});

describe('complaints follow the complaint-handling guide', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => platform?.close());

  const report = (c: ReportComplaint) =>
    reportComplaint({ complaint: c, db: platform.database.db, engine: platform.engine, engineTimeoutMs: 5000 });
  const row = async (id: string) =>
    (
      await platform.database.sql<
        { state: string; dispatch_info: { text: string; grid: string } | null; customer_satisfied: boolean | null }[]
      >`
        select state, dispatch_info, customer_satisfied from complaint where id = ${id}`
    )[0];

  it('a slow-speed complaint that needs a visit gets dispatch information from the guide and the line, and goes to the grid’s crew', async () => {
    const { complaintId, processInstanceKey } = await report(complaint());

    // the guide routes it to the response center with its standard steps
    const handle = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'handle-complaint');
    expect((await completeTask(platform, handle.key, { handlingOutcome: 'field-visit' })).statusCode).toBe(400); // a note is required
    await completeTask(platform, handle.key, { handlingOutcome: 'field-visit', handlingNote: '远程测速 23M，光功率正常，需上门排查' });

    // dispatch information is generated and the visit goes to the crew of the line's grid
    const visit = await waitForInstanceTask(platform, 'install-crew-urc-tianshan', processInstanceKey, 'complaint-field-visit');
    const dispatched = await row(complaintId);
    expect(dispatched?.state).toBe('inProgress');
    expect(dispatched?.dispatch_info?.grid).toBe('URC-TS-01');
    expect(dispatched?.dispatch_info?.text).toContain('网速慢 Slow speed');
    expect(dispatched?.dispatch_info?.text).toContain('URC-TS-OLT01 PON 0/1/1');
    expect(dispatched?.dispatch_info?.text).toContain('远程测速并查看光功率');
    await completeTask(platform, visit.key, { visitResult: '更换超五类网线，测速 480M' });

    const reply = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'reply-customer');
    await completeTask(platform, reply.key, { customerSatisfied: true, replyNote: '已上门处理，测速达标' });
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    const closed = await eventually(async () => {
      const r = await row(complaintId);
      return r?.state === 'closed' ? r : undefined;
    });
    expect(closed.customer_satisfied).toBe(true);
  });

  it('a billing dispute is resolved by the response center without a visit', async () => {
    const { complaintId, processInstanceKey } = await report(complaint({ category: 'billing-dispute', description: '未开通就开始扣费' }));
    const handle = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'handle-complaint');
    await completeTask(platform, handle.key, { handlingOutcome: 'resolved', handlingNote: '计费起始日有误，已退费 33 元' });
    const reply = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'reply-customer');
    await completeTask(platform, reply.key, { customerSatisfied: false, replyNote: '已退费，客户仍不满意' });
    const closed = await eventually(async () => {
      const r = await row(complaintId);
      return r?.state === 'closed' ? r : undefined;
    });
    expect(closed.dispatch_info).toBeNull();
    expect(closed.customer_satisfied).toBe(false);
  });

  it('an install-delay complaint goes to the order center', async () => {
    const { processInstanceKey } = await report(complaint({ category: 'install-delay', description: '报装一周还没人联系' }));
    await waitForInstanceTask(platform, 'order-center', processInstanceKey, 'handle-complaint');
    await platform.engine.deleteProcessInstance(processInstanceKey);
  });

  it.each([
    ['slow-speed', true, 'customer-response-center', 48],
    ['frequent-disconnection', true, 'customer-response-center', 48],
    ['install-delay', false, 'order-center', 24],
    ['repair-delay', false, 'monitoring-center', 24],
    ['billing-dispute', false, 'customer-response-center', 72],
    ['staff-attitude', false, 'customer-response-center', 72],
    ['something else', false, 'customer-response-center', 72],
  ])(
    'the guide for %s: visit usually needed %s, handled by %s within %i h',
    async (category, needsDispatch, handlingGroup, resolutionHours) => {
      const [row] = await platform.engine.evaluateDecision('complaint-guide', { category });
      const guide = row as {
        steps: string;
        needsDispatch: boolean;
        handlingGroup: string;
        resolutionHours: number;
      };
      expect(guide).toMatchObject({ needsDispatch, handlingGroup, resolutionHours });
      expect(guide.steps.split('\n').length).toBeGreaterThanOrEqual(3);
    },
  );
});
