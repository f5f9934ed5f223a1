import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeTask, processCompletedInEngine, validOrder, waitForTask, type OrderView } from './support/orders.ts';
import { fault, report, waitForInstanceTask } from './support/faults.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

interface Rate {
  total: number;
  met: number;
  rate: number | null;
}
interface Kpis {
  stageDurations: {
    processId: string;
    elementId: string;
    name: string | null;
    branch: string | null;
    count: number;
    p50WorkingMinutes: number;
    p90WorkingMinutes: number;
  }[];
  slaCompliance: (Rate & { customerLevel: string })[];
  dispatchWithin15: Rate;
  acceptWithin30: Rate;
  onlineResolution: Rate;
  acceptancePass: Rate;
  rectificationOnTime: Rate;
  satisfaction: { responses: number; average: number | null };
  backlog: { owner: string; open: number; overdue: number; errorOrders: number }[];
}

let platform: Platform;
let leader: string;
const since = new Date(Date.now() - 1000).toISOString();

const kpis = async (query = '') => {
  const res = await platform.fastify.inject({
    method: 'GET',
    url: `/kpis?from=${since}${query}`,
    headers: { authorization: `Bearer ${leader}` },
  });
  expect(res.statusCode).toBe(200);
  return res.json() as Kpis;
};

beforeAll(async () => {
  platform = await startPlatform();
  leader = await platform.tokenFor('leader.region');
});
afterAll(() => platform?.close());

describe("leaders' KPIs", () => {
  it('count a completed order, an online-resolved fault and an open order where leaders look for them', async () => {
    // a home-broadband order from intake to archive, with a revisit scoring 8
    const order = (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
    await completeTask(platform, (await waitForTask(platform, 'order-center', order.id, 'review-order')).key, { reviewApproved: true });
    await completeTask(platform, (await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'make-appointment')).key, {
      appointmentAt: '2026-11-24T10:00',
    });
    await completeTask(platform, (await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'install-onsite')).key, {
      onuSerial: 'ZTEG5555AAAA',
      fibreMeters: 20,
      opticalPowerDbm: -18,
    });
    await completeTask(platform, (await waitForTask(platform, 'customer-response-center', order.id, 'quality-check')).key, {
      qualityPassed: true,
    });
    await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/confirm` });
    await completeTask(platform, (await waitForTask(platform, 'customer-response-center', order.id, 'revisit')).key, { satisfaction: 8 });
    await eventually(() => processCompletedInEngine(platform, order.processInstanceKey));

    // a fault resolved online (wrong password), satisfaction 10
    const { processInstanceKey } = await report(platform, fault({ account: '0991-HB-100007' }));
    await completeTask(platform, (await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'resolve-online')).key, {
      resolvedOnline: true,
    });
    await completeTask(platform, (await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'confirm-recovery')).key, {
      recovered: true,
    });
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'revisit-fault')).key,
      {
        satisfaction: 10,
      },
    );
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));

    // and an order still waiting for the order center
    const waiting = (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
    await waitForTask(platform, 'order-center', waiting.id, 'review-order');

    const k = await eventually(async () => {
      const now = await kpis();
      return now.satisfaction.responses >= 2 && now.onlineResolution.total >= 1 ? now : undefined;
    });
    const review = k.stageDurations.find((s) => s.processId === 'home-broadband-new-install' && s.elementId === 'review-order');
    expect(review).toMatchObject({ branch: 'urumqi', count: 1 });
    expect(review!.p90WorkingMinutes).toBeGreaterThanOrEqual(review!.p50WorkingMinutes);
    const localC = k.slaCompliance.find((r) => r.customerLevel === 'local-c');
    expect(localC).toMatchObject({ total: 2, met: 2, rate: 1 });
    expect(k.onlineResolution).toMatchObject({ total: 1, met: 1, rate: 1 });
    expect(k.satisfaction).toEqual({ responses: 2, average: 9 });
    expect(k.backlog.find((b) => b.owner === 'order-center')?.open).toBeGreaterThanOrEqual(1);

    // filters: the Xi'an branch had none of this; the fault process alone has no order stages
    const xian = await kpis('&branch=xian');
    expect(xian.stageDurations.filter((s) => s.processId === 'home-broadband-new-install')).toEqual([]);
    const faults = await kpis('&process=fault-trouble-ticket');
    expect(faults.stageDurations.every((s) => s.processId === 'fault-trouble-ticket')).toBe(true);
    expect(faults.satisfaction).toEqual({ responses: 1, average: 10 });

    // the heat overlay's figures: one row per element of the process
    const heat = await platform.fastify.inject({
      method: 'GET',
      url: `/kpis/stage-durations?process=home-broadband-new-install&from=${since}`,
      headers: { authorization: `Bearer ${leader}` },
    });
    const rows = heat.json() as { elementId: string; branch: string | null }[];
    expect(rows.find((r) => r.elementId === 'review-order')).toMatchObject({ branch: null });
    expect(new Set(rows.map((r) => r.elementId)).size).toBe(rows.length);
    await platform.engine.deleteProcessInstance(waiting.processInstanceKey);
  });

  it('see stage durations of the process chosen with names in their language, without the cancellation steps, and tiles of that process', async () => {
    // given an order reviewed, then cancelled by the customer (its cancellation steps ran)
    const order = (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as OrderView;
    await completeTask(platform, (await waitForTask(platform, 'order-center', order.id, 'review-order')).key, { reviewApproved: true });
    await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'make-appointment');
    const cancelled = await platform.app.inject({
      method: 'POST',
      url: `/orders/${order.id}/cancel`,
      payload: { reason: '搬家，不再需要' },
    });
    expect(cancelled.statusCode).toBe(202);
    await eventually(async () => {
      const o = (await platform.app.inject({ method: 'GET', url: `/orders/${order.id}` })).json() as OrderView;
      return o.timeline.some((s) => s.elementId === 'close-cancelled' && s.state === 'completed');
    });

    // when a leader reads the home-broadband KPIs
    const read = async (language: string) => {
      const res = await platform.fastify.inject({
        method: 'GET',
        url: `/kpis?from=${since}&process=home-broadband-new-install`,
        headers: { authorization: `Bearer ${leader}`, 'accept-language': language },
      });
      expect(res.statusCode).toBe(200);
      return res.json() as Kpis;
    };
    const zh = await eventually(async () => {
      const k = await read('zh-CN');
      return (k.stageDurations.find((s) => s.elementId === 'review-order')?.count ?? 0) >= 2 ? k : undefined;
    });
    // then the stages are named in Chinese (English on request), and no cancellation step is among them
    expect(zh.stageDurations.find((s) => s.elementId === 'review-order')?.name).toBe('订单中心资料审核');
    const en = await read('en-US,en;q=0.9');
    expect(en.stageDurations.find((s) => s.elementId === 'review-order')?.name).toBe('Order-center review');
    const ids = zh.stageDurations.map((s) => s.elementId);
    for (const step of ['close-cancelled', 'customer-cancellation', 'release-resources', 'undo-reservations', 'close-error-cancelled'])
      expect(ids, step).not.toContain(step);
    expect(zh.stageDurations.every((s) => s.processId === 'home-broadband-new-install')).toBe(true);
    // and the fault ticket's online resolution and the monthly acceptance are no figures of an installation
    expect(zh.onlineResolution.total).toBe(0);
    expect(zh.acceptancePass.total).toBe(0);
    const faults = await kpis('&process=fault-trouble-ticket');
    expect(faults.onlineResolution.total).toBeGreaterThanOrEqual(1);
  });

  it('are for leaders, process owners and admins only, and refuse a bad period', async () => {
    for (const [user, status] of [
      ['clerk.urumqi', 403],
      ['customer.zhang', 403],
      ['owner.process', 200],
    ] as const) {
      const token = await platform.tokenFor(user);
      expect(
        (await platform.fastify.inject({ method: 'GET', url: '/kpis', headers: { authorization: `Bearer ${token}` } })).statusCode,
      ).toBe(status);
    }
    const bad = await platform.fastify.inject({
      method: 'GET',
      url: '/kpis?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z',
      headers: { authorization: `Bearer ${leader}` },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      (await platform.fastify.inject({ method: 'GET', url: '/kpis?from=yesterday', headers: { authorization: `Bearer ${leader}` } }))
        .statusCode,
    ).toBe(400);
  });
});
