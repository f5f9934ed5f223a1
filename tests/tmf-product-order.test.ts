import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeTask, waitForTask } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';
import { newInstall } from './support/tmf-fixtures.ts';
import { tmfSchemaErrors } from './support/tmf-schemas.ts';

const BASE = '/tmf-api/productOrderingManagement/v5';

interface ProductOrderView {
  id: string;
  href: string;
  state: string;
  productOrderItem: { action: string; state: string; productOffering?: { id: string }; product?: { id?: string } }[];
  productOrderMilestone: { id: string; status: string; milestoneDate?: string }[];
  productOrderJeopardyAlert: unknown[];
  expectedCompletionDate?: string;
  externalId?: { id: string }[];
  orderRelationship?: { id: string }[];
}

describe('TMF622 product ordering for customers, on the real engine', () => {
  let platform: Platform;
  let zhang: string;
  let li: string;
  beforeAll(async () => {
    platform = await startPlatform();
    zhang = await platform.tokenFor('customer.zhang');
    li = await platform.tokenFor('customer.li');
  });
  afterAll(async () => platform?.close());

  const as = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    platform.fastify.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${token}`, ...headers } });
  const expectConforms = (component: string, body: unknown) => expect(tmfSchemaErrors('tmf622', component, body)).toEqual([]);

  it('a customer orders home broadband, watches it move through its milestones and cancels it with cancelProductOrder', async () => {
    // given customer Zhang's order for 500M broadband, sent twice with the same Idempotency-Key
    const key = `tmf-po-${Date.now()}`;
    const created = await as(zhang, 'POST', `${BASE}/productOrder`, newInstall(), { 'idempotency-key': key });
    expect(created.statusCode).toBe(201);
    const order = created.json() as ProductOrderView;
    expectConforms('ProductOrder', order);
    expect(order.id).toMatch(/^HB\d{14}$/);
    expect(created.headers.location).toBe(order.href);
    expect(['acknowledged', 'inProgress']).toContain(order.state);
    expect(order.productOrderItem[0]).toMatchObject({ action: 'add', productOffering: { id: 'HB-500M' } });
    expect(order.productOrderMilestone.map((m) => m.status)).toEqual(Array(7).fill('Yet-To-Reach'));
    expect(Date.parse(order.expectedCompletionDate!) - Date.now()).toBeGreaterThan(47 * 3600_000);

    const retried = await as(zhang, 'POST', `${BASE}/productOrder`, newInstall(), { 'idempotency-key': key });
    expect(retried.statusCode).toBe(200);
    expect((retried.json() as ProductOrderView).id).toBe(order.id);
    const instances = await platform.database.sql`select 1 from orders where idempotency_key like ${`%:tmf622:${key}`}`;
    expect(instances).toHaveLength(1);

    // when the order center approves it
    const review = await waitForTask(platform, 'order-center', order.id, 'review-order');
    expect((await completeTask(platform, review.key, { reviewApproved: true })).statusCode).toBe(204);
    await waitForTask(platform, 'install-crew-urc-tianshan', order.id, 'make-appointment');

    // then the customer sees it in progress, with the review and resource milestones reached
    const moving = await eventually(async () => {
      const o = (await as(zhang, 'GET', `${BASE}/productOrder/${order.id}`)).json() as ProductOrderView;
      return o.productOrderMilestone.find((m) => m.id === 'resources-reserved')?.status === 'Completed' ? o : undefined;
    });
    expectConforms('ProductOrder', moving);
    expect(moving.state).toBe('inProgress');
    expect(moving.productOrderMilestone.find((m) => m.id === 'order-approved')).toMatchObject({ status: 'Completed' });
    expect(moving.productOrderMilestone.find((m) => m.id === 'installed')?.status).toBe('Yet-To-Reach');

    // and in the list of their orders in progress, paged
    const list = await as(zhang, 'GET', `${BASE}/productOrder?state=inProgress&offset=0&limit=50`);
    expect(list.statusCode).toBe(200);
    const listed = list.json() as ProductOrderView[];
    expect(listed.map((o) => o.id)).toContain(order.id);
    expect(listed.every((o) => o.state === 'inProgress')).toBe(true);
    expect(Number(list.headers['x-total-count'])).toBeGreaterThanOrEqual(1);
    expect(Number(list.headers['x-result-count'])).toBe(listed.length);
    for (const o of listed) expectConforms('ProductOrder', o);
    const page = await as(zhang, 'GET', `${BASE}/productOrder?limit=1`);
    expect(page.json()).toHaveLength(1);
    expect(page.headers['x-result-count']).toBe('1');

    // and another customer neither sees it nor lists it
    const foreign = await as(li, 'GET', `${BASE}/productOrder/${order.id}`);
    expect(foreign.statusCode).toBe(404);
    expectConforms('Error', foreign.json());
    expect(foreign.json()).toMatchObject({ '@type': 'Error', code: 'PRODUCT_ORDER_NOT_FOUND', status: '404' });
    expect(((await as(li, 'GET', `${BASE}/productOrder`)).json() as ProductOrderView[]).map((o) => o.id)).not.toContain(order.id);
    expect((await as(li, 'POST', `${BASE}/cancelProductOrder`, { productOrder: { id: order.id } })).statusCode).toBe(404);

    // when Zhang cancels it (twice, with one key)
    const cancelKey = `tmf-cancel-${Date.now()}`;
    const cancellation = {
      '@type': 'CancelProductOrder',
      productOrder: { '@type': 'ProductOrderRef', id: order.id },
      cancellationReason: '搬家，不再需要',
    };
    const cancel = await as(zhang, 'POST', `${BASE}/cancelProductOrder`, cancellation, { 'idempotency-key': cancelKey });
    expect(cancel.statusCode).toBe(201);
    const task = cancel.json() as { id: string; state: string };
    expectConforms('CancelProductOrder', task);
    const again = await as(zhang, 'POST', `${BASE}/cancelProductOrder`, cancellation, { 'idempotency-key': cancelKey });
    expect(again.statusCode).toBe(200);
    expect((again.json() as { id: string }).id).toBe(task.id);
    // (the same key with another body is the caller's mistake, not a retry)
    const reused = await as(
      zhang,
      'POST',
      `${BASE}/cancelProductOrder`,
      { productOrder: { id: order.id } },
      { 'idempotency-key': cancelKey },
    );
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', errors: [{ pointer: '/idempotency-key', in: 'headers' }] });

    // then the order ends cancelled, its reserved port released, and the cancellation is done
    const cancelled = await eventually(async () => {
      const o = (await as(zhang, 'GET', `${BASE}/productOrder/${order.id}`)).json() as ProductOrderView & { cancellationReason?: string };
      return o.state === 'cancelled' ? o : undefined;
    });
    expectConforms('ProductOrder', cancelled);
    expect(cancelled.cancellationReason).toBe('搬家，不再需要');
    expect(await platform.database.sql`select 1 from resource_port where order_id = ${order.id}`).toHaveLength(0);
    const done = (await as(zhang, 'GET', `${BASE}/cancelProductOrder/${task.id}`)).json() as {
      state: string;
      effectiveCancellationDate?: string;
    };
    expectConforms('CancelProductOrder', done);
    expect(done.state).toBe('done');
    expect(done.effectiveCancellationDate).toBeDefined();
    const tasks = await as(zhang, 'GET', `${BASE}/cancelProductOrder`);
    expect((tasks.json() as { id: string }[]).map((t) => t.id)).toContain(task.id);
    expect(((await as(li, 'GET', `${BASE}/cancelProductOrder`)).json() as { id: string }[]).map((t) => t.id)).not.toContain(task.id);
    expect((await as(li, 'GET', `${BASE}/cancelProductOrder/${task.id}`)).statusCode).toBe(404);

    // and cancelling it again is refused: it is closed
    const late = await as(zhang, 'POST', `${BASE}/cancelProductOrder`, { productOrder: { id: order.id } });
    expect(late.statusCode).toBe(409);
    expectConforms('Error', late.json());
  });

  it('a customer upgrades the package of a line in service with a modify item: a product-change process runs to completion', async () => {
    // given a completed install of Zhang's (driven through the tasks by staff)
    const order = (await as(zhang, 'POST', `${BASE}/productOrder`, newInstall())).json() as ProductOrderView;
    const steps: [string, string, Record<string, unknown>][] = [
      ['order-center', 'review-order', { reviewApproved: true }],
      ['install-crew-urc-tianshan', 'make-appointment', { appointmentAt: '2026-11-24T10:00' }],
      ['install-crew-urc-tianshan', 'install-onsite', { onuSerial: 'ZTEG1234ABCD', fibreMeters: 35, opticalPowerDbm: -19.5 }],
      ['customer-response-center', 'quality-check', { qualityPassed: true }],
    ];
    for (const [group, element, variables] of steps) {
      const t = await waitForTask(platform, group, order.id, element);
      expect((await completeTask(platform, t.key, variables)).statusCode).toBe(204);
    }
    expect((await platform.app.inject({ method: 'POST', url: `/orders/${order.id}/confirm` })).statusCode).toBe(202);
    const revisit = await waitForTask(platform, 'customer-response-center', order.id, 'revisit');
    await completeTask(platform, revisit.key, { satisfaction: 10 });
    const completed = await eventually(async () => {
      const o = (await as(zhang, 'GET', `${BASE}/productOrder/${order.id}`)).json() as ProductOrderView;
      return o.state === 'completed' ? o : undefined;
    });
    expectConforms('ProductOrder', completed);
    expect(completed.productOrderMilestone.filter((m) => m.status !== 'Completed').map((m) => m.id)).toEqual([]);

    // when Zhang orders the 1000M offering for that product
    const upgrade = {
      productOrderItem: [
        {
          '@type': 'ProductOrderItem',
          id: '1',
          action: 'modify',
          productOffering: { id: 'HB-1000M' },
          product: { '@type': 'ProductRef', id: order.id },
        },
      ],
    };
    const res = await as(zhang, 'POST', `${BASE}/productOrder`, upgrade);
    expect(res.statusCode).toBe(201);
    const change = res.json() as ProductOrderView;
    expectConforms('ProductOrder', change);
    expect(change.id).toMatch(/^CH\d{14}$/);
    expect(change.productOrderItem[0]).toMatchObject({ action: 'modify', productOffering: { id: 'HB-1000M' }, product: { id: order.id } });
    expect(change.orderRelationship?.[0]?.id).toBe(order.id);

    // then the change completes and the line is billed for the new package
    const changed = await eventually(async () => {
      const o = (await as(zhang, 'GET', `${BASE}/productOrder/${change.id}`)).json() as ProductOrderView;
      // (the projector may record the billing stage's end a moment after the worker closed the change)
      return o.state === 'completed' && o.productOrderMilestone.find((m) => m.id === 'billing-changed')?.status === 'Completed'
        ? o
        : undefined;
    });
    expectConforms('ProductOrder', changed);
    expect(changed.productOrderMilestone.find((m) => m.id === 'billing-changed')?.status).toBe('Completed');
    // and another customer cannot touch the line
    const foreign = await as(li, 'POST', `${BASE}/productOrder`, upgrade);
    expect(foreign.statusCode).toBe(404);
    expectConforms('Error', foreign.json());
  });

  it('malformed product orders and cancellations are answered 4xx in the TMF error shape, never 5xx', async () => {
    const oneItem = newInstall().productOrderItem[0]!;
    const cases: [string, 'GET' | 'POST', string, unknown][] = [
      ['empty body', 'POST', `${BASE}/productOrder`, {}],
      ['no items', 'POST', `${BASE}/productOrder`, { productOrderItem: [] }],
      ['two items', 'POST', `${BASE}/productOrder`, { productOrderItem: [oneItem, { ...oneItem, id: '2' }] }],
      ['unknown action', 'POST', `${BASE}/productOrder`, { productOrderItem: [{ ...oneItem, action: 'upgrade' }] }],
      [
        'unknown offering',
        'POST',
        `${BASE}/productOrder`,
        newInstall({ productOrderItem: [{ ...oneItem, productOffering: { id: 'HB-9G' } }] }),
      ],
      [
        'offering no longer sold',
        'POST',
        `${BASE}/productOrder`,
        newInstall({ productOrderItem: [{ ...oneItem, productOffering: { id: 'HB-50M' } }] }),
      ],
      ['no address', 'POST', `${BASE}/productOrder`, newInstall({ productOrderItem: [{ ...oneItem, product: { '@type': 'Product' } }] })],
      ['bad phone', 'POST', `${BASE}/productOrder`, newInstall({ notificationContact: 'call me' })],
      ['modify without product', 'POST', `${BASE}/productOrder`, { productOrderItem: [{ id: '1', action: 'modify' }] }],
      [
        'modify of an unknown product',
        'POST',
        `${BASE}/productOrder`,
        { productOrderItem: [{ id: '1', action: 'delete', product: { id: 'HB0' } }] },
      ],
      [
        'another customer id',
        'POST',
        `${BASE}/productOrder`,
        newInstall({ relatedParty: [{ role: 'customer', partyOrPartyRole: { id: 'CU-0002' } }] }),
      ],
      ['string as body', 'POST', `${BASE}/productOrder`, '"order"'],
      ['limit 0', 'GET', `${BASE}/productOrder?limit=0`, undefined],
      ['limit too large', 'GET', `${BASE}/productOrder?limit=100000`, undefined],
      ['bad state filter', 'GET', `${BASE}/productOrder?state=in%20progress`, undefined],
      ['id with a slash', 'GET', `${BASE}/productOrder/HB%2F1`, undefined],
      ['cancel without order', 'POST', `${BASE}/cancelProductOrder`, { cancellationReason: 'x' }],
      ['cancel of an unknown order', 'POST', `${BASE}/cancelProductOrder`, { productOrder: { id: 'HB00000000000000' } }],
      [
        'cancel with a bad date',
        'POST',
        `${BASE}/cancelProductOrder`,
        { productOrder: { id: 'HB1' }, requestedCancellationDate: 'tomorrow' },
      ],
      ['unknown cancellation', 'GET', `${BASE}/cancelProductOrder/CX1`, undefined],
      ['unknown route', 'GET', `${BASE}/productOffering`, undefined],
    ];
    for (const [name, method, url, payload] of cases) {
      const res = await platform.fastify.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload: payload as object }),
        headers: { authorization: `Bearer ${zhang}`, ...(typeof payload === 'string' ? { 'content-type': 'application/json' } : {}) },
      });
      expect(res.statusCode, name).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, name).toBeLessThan(500);
      expect(tmfSchemaErrors('tmf622', 'Error', res.json()), name).toEqual([]);
      expect(res.json().status, name).toBe(String(res.statusCode));
    }
    const malformed = await platform.fastify.inject({
      method: 'POST',
      url: `${BASE}/productOrder`,
      payload: '{"productOrderItem": [',
      headers: { authorization: `Bearer ${zhang}`, 'content-type': 'application/json' },
    });
    expect(malformed.statusCode).toBe(400);
    expectConforms('Error', malformed.json());
    const anonymous = await platform.fastify.inject({ method: 'GET', url: `${BASE}/productOrder` });
    expect(anonymous.statusCode).toBe(401);
    expectConforms('Error', anonymous.json());
    expect(anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED', status: '401' });
    const leader = await platform.tokenFor('leader.region');
    const forbidden = await as(leader, 'POST', `${BASE}/productOrder`, newInstall());
    expect(forbidden.statusCode).toBe(403);
    expectConforms('Error', forbidden.json());
  });
});
