import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validOrder } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

interface TaskView {
  key: string;
  elementId: string;
  businessKey: string | null;
  processName: string | null;
  customerName: string | null;
  customerLevel: string | null;
  branch: string | null;
  assignee: string | null;
  priority: number;
  dueDate: string | null;
  slaState: string;
  state: string;
  completedBy: string | null;
  form?: { components: unknown[] } | null;
  context?: Record<string, unknown>;
}

let platform: Platform;
const tokens: Record<string, string> = {};

const as = (username: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  platform.fastify.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens[username]}` } });

async function placeOrder(overrides: Record<string, unknown> = {}) {
  const res = await as('clerk.urumqi', 'POST', '/orders', validOrder(overrides));
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; processInstanceKey: string };
}

/** The clerk's open task of an element for a business key, once the read model shows it. */
const openTask = (username: string, businessKey: string, elementId: string, query = '') =>
  eventually(async () => {
    const list = (await as(username, 'GET', `/tasks?limit=500${query}`)).json() as TaskView[];
    return list.find((t) => t.businessKey === businessKey && t.elementId === elementId);
  });

beforeAll(async () => {
  platform = await startPlatform();
  for (const u of ['clerk.urumqi', 'clerk.xian', 'clerk.response', 'admin', 'customer.zhang', 'leader.region'])
    tokens[u] = await platform.tokenFor(u);
});
afterAll(() => platform?.close());

describe("a clerk's task list", () => {
  it('shows their groups’ tasks in their branch with the business context, and hides them from other branches and groups', async () => {
    const order = await placeOrder({ customer: { name: '王磊', phone: '13900139000', level: 'local-b' } });
    const task = await openTask('clerk.urumqi', order.id, 'review-order');
    expect(task).toMatchObject({
      businessKey: order.id,
      name: '订单中心资料审核',
      processName: '家庭宽带：新装',
      customerName: '王磊',
      customerLevel: 'local-b',
      branch: 'urumqi',
      assignee: null,
      // priority from the customer level (camunda:priority): group 90, province 80, local A/B/C 70/60/50
      priority: 60,
      state: 'created',
    });
    expect(['on-time', 'at-risk', 'breached', 'none']).toContain(task.slaState);

    // in English through Accept-Language (the UI's language switch): the models' English names
    const english = (
      await platform.fastify.inject({
        method: 'GET',
        url: `/tasks/${task.key}`,
        headers: { authorization: `Bearer ${tokens['clerk.urumqi']}`, 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' },
      })
    ).json() as TaskView;
    expect(english).toMatchObject({ name: 'Order-center review', processName: 'Home broadband: new install' });

    // filters
    const byLevel = (await as('clerk.urumqi', 'GET', '/tasks?customerLevel=local-b&limit=500')).json() as TaskView[];
    expect(byLevel.some((t) => t.businessKey === order.id)).toBe(true);
    expect(byLevel.every((t) => t.customerLevel === 'local-b')).toBe(true);
    // by order number, whole or its beginning, in any case
    const byNumber = (await as('clerk.urumqi', 'GET', `/tasks?businessKey=${order.id.toLowerCase()}&limit=500`)).json() as TaskView[];
    expect(byNumber.map((t) => t.businessKey)).toEqual([order.id]);
    const byPrefix = (await as('clerk.urumqi', 'GET', `/tasks?businessKey=${order.id.slice(0, 10)}&limit=500`)).json() as TaskView[];
    expect(
      byPrefix.some((t) => t.businessKey === order.id) && byPrefix.every((t) => t.businessKey?.startsWith(order.id.slice(0, 10))),
    ).toBe(true);
    expect((await as('clerk.urumqi', 'GET', '/tasks?businessKey=%25')).statusCode).toBe(400);
    const otherProcess = (await as('clerk.urumqi', 'GET', '/tasks?process=complaint&limit=500')).json() as TaskView[];
    expect(otherProcess.some((t) => t.businessKey === order.id)).toBe(false);
    // a group customer's order comes first by priority, and alone above 80
    const vip = await placeOrder({ customer: { name: '新疆某集团', phone: '09912345678', level: 'group' } });
    const vipTask = await openTask('clerk.urumqi', vip.id, 'review-order');
    expect(vipTask.priority).toBe(90);
    const byPriority = (await as('clerk.urumqi', 'GET', '/tasks?sort=priority&limit=500')).json() as TaskView[];
    expect(byPriority.findIndex((t) => t.key === vipTask.key)).toBeLessThan(byPriority.findIndex((t) => t.key === task.key));
    const urgent = (await as('clerk.urumqi', 'GET', '/tasks?minPriority=81&limit=500')).json() as TaskView[];
    expect(urgent.some((t) => t.key === vipTask.key) && !urgent.some((t) => t.key === task.key)).toBe(true);
    expect(urgent.every((t) => t.priority >= 81)).toBe(true);
    await platform.engine.deleteProcessInstance(vip.processInstanceKey);
    const sorted = await as('clerk.urumqi', 'GET', '/tasks?sort=due&order=asc&limit=5');
    expect(sorted.statusCode).toBe(200);
    expect(Number(sorted.headers['x-total-count'])).toBeGreaterThanOrEqual(1);

    // the Xi'an order center works the same group in another branch: it does not see the Ürümqi order
    const xian = (await as('clerk.xian', 'GET', '/tasks?group=order-center&limit=500')).json() as TaskView[];
    expect(xian.some((t) => t.businessKey === order.id)).toBe(false);
    expect((await as('clerk.xian', 'GET', `/tasks/${task.key}`)).statusCode).toBe(404);
    // the response center is not in the order center's group at all
    expect((await as('clerk.response', 'GET', '/tasks?group=order-center')).statusCode).toBe(403);
    expect((await as('clerk.response', 'POST', `/tasks/${task.key}/complete`, { variables: { reviewApproved: true } })).statusCode).toBe(
      404,
    );
    // customers and leaders have no task list
    expect((await as('customer.zhang', 'GET', '/tasks')).statusCode).toBe(403);
    expect((await as('leader.region', 'GET', '/tasks')).statusCode).toBe(403);
    await platform.engine.deleteProcessInstance(order.processInstanceKey);
  });

  it('claims, unclaims and completes a task with its form; the done list shows it', async () => {
    const order = await placeOrder();
    const task = await openTask('clerk.urumqi', order.id, 'review-order');

    const detail = (await as('clerk.urumqi', 'GET', `/tasks/${task.key}`)).json() as TaskView;
    expect(detail.form?.components.length).toBeGreaterThan(0);
    expect(detail.context).toMatchObject({ orderId: order.id, grid: 'URC-TS-01' });

    const claimed = await as('clerk.urumqi', 'POST', `/tasks/${task.key}/claim`);
    expect(claimed.statusCode).toBe(200);
    expect((claimed.json() as TaskView).assignee).toBe('clerk.urumqi');
    // someone else cannot take it over
    const taken = await as('admin', 'POST', `/tasks/${task.key}/claim`);
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'TASK_CLAIMED' });
    // the engine holds the assignment too: the read model follows from its events
    await eventually(async () => {
      const mine = (await as('clerk.urumqi', 'GET', '/tasks?assignee=me&limit=500')).json() as TaskView[];
      return mine.some((t) => t.key === task.key);
    });
    const engineAssignee = await eventually(async () => {
      const [row] = await platform.database.sql<{ assignee: string }[]>`
        select payload->>'assignee' as assignee from engine_event
        where kind = 'task' and payload->>'taskId' = ${task.key} and payload->>'assignee' is not null order by tx_id desc, id desc limit 1`;
      return row?.assignee;
    });
    expect(engineAssignee).toBe('clerk.urumqi');

    expect(((await as('clerk.urumqi', 'POST', `/tasks/${task.key}/unclaim`)).json() as TaskView).assignee).toBeNull();
    const unassigned = (await as('clerk.urumqi', 'GET', '/tasks?assignee=unassigned&limit=500')).json() as TaskView[];
    expect(unassigned.some((t) => t.key === task.key)).toBe(true);

    await as('clerk.urumqi', 'POST', `/tasks/${task.key}/claim`);
    const bad = await as('clerk.urumqi', 'POST', `/tasks/${task.key}/complete`, { variables: { reviewApproved: 'yes' } });
    expect(bad.statusCode).toBe(400);
    const done = await as('clerk.urumqi', 'POST', `/tasks/${task.key}/complete`, {
      variables: { reviewApproved: true, reviewNote: '资料齐全' },
    });
    expect(done.statusCode).toBe(204);
    expect((await as('clerk.urumqi', 'POST', `/tasks/${task.key}/complete`, { variables: { reviewApproved: true } })).statusCode).toBe(409);

    const doneList = (await as('clerk.urumqi', 'GET', '/tasks/done')).json() as TaskView[];
    expect(doneList[0]).toMatchObject({
      key: task.key,
      state: 'completed',
      completedBy: 'clerk.urumqi',
      completedByName: '王芳 (乌鲁木齐订单中心)',
      businessKey: order.id,
    });
    // the done task shows what was submitted
    // (once the projector has the engine's completion: the list above came from the API's own write)
    const submitted = await eventually(async () => {
      const d = (await as('clerk.urumqi', 'GET', `/tasks/${task.key}`)).json() as { submitted: Record<string, unknown> | null };
      return d.submitted && Object.keys(d.submitted).length > 0 ? d.submitted : undefined;
    });
    expect(submitted).toMatchObject({ reviewApproved: true, reviewNote: '资料齐全' });
    await platform.engine.deleteProcessInstance(order.processInstanceKey);
  });

  it("keeps the order center's error orders in their own queue", async () => {
    const order = await placeOrder({ product: { code: 'HB-50M', name: '50M', bandwidthMbps: 50, monthlyFeeCents: 2900 } });
    const errorTask = await eventually(async () => {
      const queue = (await as('clerk.urumqi', 'GET', '/tasks/error-orders')).json() as TaskView[];
      return queue.find((t) => t.businessKey === order.id);
    });
    expect(errorTask.elementId).toBe('fix-error-order');
    const all = (await as('clerk.urumqi', 'GET', '/tasks?kind=error-order&limit=500')).json() as TaskView[];
    expect(all.every((t) => t.elementId.includes('error'))).toBe(true);
    await platform.engine.deleteProcessInstance(order.processInstanceKey);
  });
});
