import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForInstanceTask } from './support/faults.ts';
import { completeTask, processCompletedInEngine } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

const PO = '/tmf-api/productOrderingManagement/v5';
const commission = {
  customerId: 'CU-0002',
  customer: { name: '某物流集团', level: 'province' },
  service: 'transport-line',
  aEnd: { address: '乌鲁木齐市沙依巴克区友好北路 9 号 机房', branch: 'urumqi', grid: 'URC-TS-02', contact: '马工 13999990031' },
  zEnd: { address: '乌鲁木齐市天山区解放北路 20 号 分拣中心', branch: 'urumqi', grid: 'URC-TS-02', contact: '杨工 13999990032' },
  protectionLevel: 'enhanced',
  circuits: 1,
  monthlyFeeCents: 560_000,
};

let platform: Platform;
const tokens: Record<string, string> = {};
const as = (user: string, method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) =>
  platform.fastify.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens[user]}`, ...headers } });

beforeAll(async () => {
  platform = await startPlatform();
  for (const u of ['clerk.response', 'customer.li', 'customer.zhang']) tokens[u] = await platform.tokenFor(u);
});
afterAll(() => platform?.close());

describe('enterprise lines through the API', () => {
  it('a customer manager commissions a line for a customer, once per Idempotency-Key; the customer follows it and cancels it through TMF622', async () => {
    const first = await as('clerk.response', 'POST', '/line-orders', commission, { 'idempotency-key': 'line-commission-0001' });
    expect(first.statusCode).toBe(201);
    const line = first.json() as { id: string; processInstanceKey: string };
    expect(line.id).toMatch(/^DL\d{14}$/);
    const retry = await as('clerk.response', 'POST', '/line-orders', commission, { 'idempotency-key': 'line-commission-0001' });
    expect(retry.statusCode).toBe(200);
    expect((retry.json() as { id: string }).id).toBe(line.id);
    expect(await platform.database.sql`select 1 from line_order where customer = ${commission.customer.name}`).toHaveLength(1);

    // the customer sees it as a TMF622 product order and in plain words; another customer does not
    const seen = await as('customer.li', 'GET', `${PO}/productOrder/${line.id}`);
    expect(seen.statusCode).toBe(200);
    expect((await as('customer.li', 'GET', `/status/${line.id}`)).statusCode).toBe(200);
    expect((await as('customer.zhang', 'GET', `${PO}/productOrder/${line.id}`)).statusCode).toBe(404);
    expect((await as('customer.zhang', 'POST', `${PO}/cancelProductOrder`, { productOrder: { id: line.id } })).statusCode).toBe(404);

    // the survey is under way when the customer cancels: the line order closes as cancelled
    await waitForInstanceTask(platform, 'design-institute', line.processInstanceKey, 'survey');
    const cancel = await as('customer.li', 'POST', `${PO}/cancelProductOrder`, {
      productOrder: { id: line.id },
      cancellationReason: '项目取消',
    });
    expect(cancel.statusCode).toBe(201);
    await eventually(async () => {
      const [row] = await platform.database.sql<{ state: string }[]>`select state from line_order where id = ${line.id}`;
      return row?.state === 'cancelled' && (await processCompletedInEngine(platform, line.processInstanceKey));
    });
    const view = await eventually(async () => {
      const res = (await as('customer.li', 'GET', `${PO}/productOrder/${line.id}`)).json() as { state: string };
      return res.state === 'cancelled' ? res : undefined;
    });
    expect(view.state).toBe('cancelled');
  });

  it('refuses a commission with a malformed end or no customer, and customers may not commission lines', async () => {
    const bad = await as('clerk.response', 'POST', '/line-orders', {
      ...commission,
      aEnd: { ...commission.aEnd, grid: 'nowhere' },
      customerId: undefined,
    });
    expect(bad.statusCode).toBe(400);
    const pointers = (bad.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/aEnd/grid', '/customerId']));
    expect((await as('customer.li', 'POST', '/line-orders', commission)).statusCode).toBe(403);
  });

  it('a line commissioned through the API runs to its design like any other', async () => {
    const line = (
      await as('clerk.response', 'POST', '/line-orders', { ...commission, customer: { name: '某医院', level: 'group' } })
    ).json() as {
      processInstanceKey: string;
    };
    const survey = await waitForInstanceTask(platform, 'design-institute', line.processInstanceKey, 'survey');
    expect((await completeTask(platform, survey.key, { surveyReport: '机房具备条件' })).statusCode).toBe(204);
    await waitForInstanceTask(platform, 'design-institute', line.processInstanceKey, 'design');
    await platform.engine.deleteProcessInstance(line.processInstanceKey);
  });
});
