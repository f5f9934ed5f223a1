import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusView } from '../api/domain/status/schemas.ts';
import { completeTask, waitForTask } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';
import { faultTicket, newInstall } from './support/tmf-fixtures.ts';

describe('the plain status view a customer opens on a phone', () => {
  let platform: Platform;
  let zhang: string;
  let li: string;
  beforeAll(async () => {
    platform = await startPlatform();
    zhang = await platform.tokenFor('customer.zhang');
    li = await platform.tokenFor('customer.li');
  });
  afterAll(async () => platform?.close());

  const as = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    platform.fastify.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  const status = async (token: string, id: string) => (await as(token, 'GET', `/status/${id}`)).json() as StatusView;

  it('an order in the install crew’s hands reads in Chinese and English, with its activation limit for the customer level and an ETA', async () => {
    const order = (await as(zhang, 'POST', '/tmf-api/productOrderingManagement/v5/productOrder', newInstall())).json() as { id: string };
    const first = await eventually(async () => {
      const s = await status(zhang, order.id);
      return s.currentStages.some((c) => c.elementId === 'review-order') ? s : undefined;
    });
    expect(first.kindLabel).toEqual({ zh: '家庭宽带新装', en: 'Home broadband new install' });
    expect(first.currentStages.find((c) => c.elementId === 'review-order')?.label).toEqual({
      zh: '订单中心资料审核',
      en: 'Order center review',
    });
    expect(first.sla?.label.en).toBe('Activation within 48 h');
    expect(Date.parse(first.sla!.dueAt) - Date.parse(first.createdAt)).toBe(48 * 3600_000);
    expect(first.sla?.breached).toBe(false);
    expect(first.eta).not.toBeNull();

    const review = await waitForTask(platform, 'order-center', order.id, 'review-order');
    await completeTask(platform, review.key, { reviewApproved: true });
    const moved = await eventually(async () => {
      const s = await status(zhang, order.id);
      return s.currentStages.some((c) => c.elementId === 'make-appointment') ? s : undefined;
    });
    expect(moved.state).toBe('inProgress');
    expect(moved.stateLabel).toEqual({ zh: '处理中', en: 'In progress' });
    expect(moved.timeline.map((t) => t.elementId)).toEqual(expect.arrayContaining(['order-received', 'review-order', 'check-resources']));
    expect(moved.timeline.find((t) => t.elementId === 'check-resources')?.label.zh).toBe('资源核查');
    expect(moved.milestones.find((m) => m.id === 'order-approved')?.status).toBe('Completed');

    // another customer is told it does not exist; a malformed number is refused
    expect((await as(li, 'GET', `/status/${order.id}`)).statusCode).toBe(404);
    expect((await as(zhang, 'GET', '/status/XX123')).statusCode).toBe(400);
    expect((await as(zhang, 'GET', '/status/HB00000000000000')).statusCode).toBe(404);
    expect((await platform.fastify.inject({ method: 'GET', url: `/status/${order.id}` })).statusCode).toBe(401);
  });

  it("a fault ticket's SLA is the repair deadline the decision gave it", async () => {
    const ticket = (await as(zhang, 'POST', '/tmf-api/troubleTicket/v5/troubleTicket', faultTicket())).json() as { id: string };
    const s = await eventually(async () => {
      const v = await status(zhang, ticket.id);
      return v.sla ? v : undefined;
    });
    expect(s.kind).toBe('ticket');
    expect(s.sla?.basis).toContain('repair-deadline');
    expect(s.sla?.label.en).toBe('Repair within 48 h');
    expect(s.timeline[0]?.label.zh).toBe('故障已受理');
    expect((await as(li, 'GET', `/status/${ticket.id}`)).statusCode).toBe(404);
  });
});
