import { createSigner } from 'fast-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validOrder } from './support/orders.ts';
import { startPlatform, type Platform } from './support/platform.ts';

type Role = 'customer' | 'clerk' | 'process-owner' | 'leader' | 'admin';
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

const USER: Record<Role, string> = {
  customer: 'customer.zhang',
  clerk: 'clerk.urumqi',
  'process-owner': 'owner.process',
  leader: 'leader.region',
  admin: 'admin',
};
const EVERYONE: Role[] = ['customer', 'clerk', 'process-owner', 'leader', 'admin'];
const STAFF: Role[] = ['clerk', 'process-owner', 'leader', 'admin'];
const ORDER_TAKERS: Role[] = ['customer', 'clerk', 'admin'];
const CLERKS: Role[] = ['clerk', 'admin'];
const OWNERS: Role[] = ['process-owner', 'admin'];
const LEADERS: Role[] = ['leader', 'process-owner', 'admin'];
const PO = '/tmf-api/productOrderingManagement/v5';
const TT = '/tmf-api/troubleTicket/v5';

/**
 * Who may call what: every route of the API × every role. A route missing here fails the
 * completeness check below, so a new route cannot ship without deciding its access.
 * Sample ids do not exist: an allowed caller gets 200, 400 or 404, never 401/403.
 */
const MATRIX: [Method, string, string, Role[] | 'public'][] = [
  ['GET', '/health', '/health', 'public'],
  ['POST', '/auth/login', '/auth/login', 'public'],
  ['GET', '/auth/me', '/auth/me', EVERYONE],
  ['POST', '/orders', '/orders', ORDER_TAKERS],
  ['GET', '/orders/{id}', '/orders/HB00000000000000', EVERYONE],
  ['POST', '/orders/{id}/cancel', '/orders/HB00000000000000/cancel', ORDER_TAKERS],
  ['POST', '/orders/{id}/confirm', '/orders/HB00000000000000/confirm', ORDER_TAKERS],
  ['POST', '/orders/{id}/problem', '/orders/HB00000000000000/problem', ORDER_TAKERS],
  ['POST', '/line-orders', '/line-orders', CLERKS],
  ['GET', '/status/{id}', '/status/HB00000000000000', EVERYONE],
  ['POST', '/status/{id}/chase-ups', '/status/HB00000000000000/chase-ups', ORDER_TAKERS],
  ['GET', '/status/{id}/chase-ups', '/status/HB00000000000000/chase-ups', EVERYONE],
  ['POST', `${PO}/productOrder`, `${PO}/productOrder`, ORDER_TAKERS],
  ['GET', `${PO}/productOrder`, `${PO}/productOrder`, EVERYONE],
  ['GET', `${PO}/productOrder/{id}`, `${PO}/productOrder/HB00000000000000`, EVERYONE],
  ['POST', `${PO}/cancelProductOrder`, `${PO}/cancelProductOrder`, ORDER_TAKERS],
  ['GET', `${PO}/cancelProductOrder`, `${PO}/cancelProductOrder`, EVERYONE],
  ['GET', `${PO}/cancelProductOrder/{id}`, `${PO}/cancelProductOrder/CPO-0`, EVERYONE],
  ['POST', `${PO}/hub`, `${PO}/hub`, EVERYONE],
  ['GET', `${PO}/hub/{id}`, `${PO}/hub/00000000-0000-0000-0000-000000000000`, EVERYONE],
  ['DELETE', `${PO}/hub/{id}`, `${PO}/hub/00000000-0000-0000-0000-000000000000`, EVERYONE],
  ['POST', `${TT}/troubleTicket`, `${TT}/troubleTicket`, ORDER_TAKERS],
  ['GET', `${TT}/troubleTicket`, `${TT}/troubleTicket`, EVERYONE],
  ['GET', `${TT}/troubleTicket/{id}`, `${TT}/troubleTicket/FT00000000000000`, EVERYONE],
  ['POST', `${TT}/hub`, `${TT}/hub`, EVERYONE],
  ['GET', `${TT}/hub/{id}`, `${TT}/hub/00000000-0000-0000-0000-000000000000`, EVERYONE],
  ['DELETE', `${TT}/hub/{id}`, `${TT}/hub/00000000-0000-0000-0000-000000000000`, EVERYONE],
  ['GET', '/tasks', '/tasks', CLERKS],
  ['GET', '/tasks/error-orders', '/tasks/error-orders', CLERKS],
  ['GET', '/tasks/done', '/tasks/done', CLERKS],
  ['GET', '/tasks/{key}', '/tasks/1', CLERKS],
  ['POST', '/tasks/{key}/claim', '/tasks/1/claim', CLERKS],
  ['POST', '/tasks/{key}/unclaim', '/tasks/1/unclaim', CLERKS],
  ['POST', '/tasks/{key}/complete', '/tasks/1/complete', CLERKS],
  ['POST', '/tasks/{key}/evidence', '/tasks/1/evidence', CLERKS],
  ['GET', '/tasks/{key}/evidence', '/tasks/1/evidence', CLERKS],
  ['GET', '/evidence/{id}', '/evidence/00000000-0000-0000-0000-000000000000', STAFF],
  ['GET', '/evidence/{id}/content', '/evidence/00000000-0000-0000-0000-000000000000/content', STAFF],
  ['GET', '/evidence/{id}/thumbnail', '/evidence/00000000-0000-0000-0000-000000000000/thumbnail', STAFF],
  ['POST', '/evidence/{id}/reject', '/evidence/00000000-0000-0000-0000-000000000000/reject', CLERKS],
  ['POST', '/tickets/{id}/customer-waits', '/tickets/FT00000000000000/customer-waits', CLERKS],
  ['POST', '/tickets/{id}/customer-waits/end', '/tickets/FT00000000000000/customer-waits/end', CLERKS],
  ['GET', '/tickets/{id}/customer-waits', '/tickets/FT00000000000000/customer-waits', STAFF],
  ['POST', '/orders/{id}/customer-waits', '/orders/HB00000000000000/customer-waits', CLERKS],
  ['POST', '/orders/{id}/customer-waits/end', '/orders/HB00000000000000/customer-waits/end', CLERKS],
  ['POST', '/orders/{id}/customer-waits/decision', '/orders/HB00000000000000/customer-waits/decision', CLERKS],
  ['GET', '/orders/{id}/customer-waits', '/orders/HB00000000000000/customer-waits', STAFF],
  ['GET', '/process-definitions', '/process-definitions', STAFF],
  ['GET', '/process-definitions/{processId}/xml', '/process-definitions/no-such-process/xml', STAFF],
  ['POST', '/deployments', '/deployments', OWNERS],
  ['GET', '/process-instances', '/process-instances', STAFF],
  ['GET', '/process-instances/{key}', '/process-instances/1', STAFF],
  ['POST', '/process-instances/{key}/cancel', '/process-instances/1/cancel', OWNERS],
  ['GET', '/incidents', '/incidents', OWNERS],
  ['POST', '/incidents/{key}/resolve', '/incidents/1/resolve', OWNERS],
  ['POST', '/acceptance-batches', '/acceptance-batches', OWNERS],
  ['GET', '/acceptance-batches/{month}', '/acceptance-batches/2019-01', STAFF],
  ['GET', '/kpis', '/kpis', LEADERS],
  ['GET', '/kpis/stage-durations', '/kpis/stage-durations?process=home-broadband-new-install', LEADERS],
  ['GET', '/kpis/chase-ups', '/kpis/chase-ups', LEADERS],
  ['GET', '/kpis/complaint-stats', '/kpis/complaint-stats', LEADERS],
  ['GET', '/sms-templates', '/sms-templates', OWNERS],
  ['PUT', '/sms-templates/{key}', '/sms-templates/no-such-template', OWNERS],
  ['GET', '/notices', '/notices?subject=HB00000000000000', STAFF],
  ['GET', '/sms-preference', '/sms-preference', ['customer']],
  ['PUT', '/sms-preference', '/sms-preference', ['customer']],
];

let platform: Platform;
const tokens = {} as Record<Role, string>;

const call = (method: Method, url: string, token?: string, payload?: object) =>
  platform.fastify.inject({
    method,
    url,
    ...(method === 'POST' || method === 'PUT' ? { payload: payload ?? {} } : {}),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

beforeAll(async () => {
  platform = await startPlatform({ workers: false });
  for (const role of EVERYONE) tokens[role] = await platform.tokenFor(USER[role]);
});
afterAll(() => platform?.close());

describe('the authorisation matrix', () => {
  it('covers every route of the API', async () => {
    await platform.fastify.ready();
    const spec = platform.fastify.swagger() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(MATRIX.map(([m, path]) => `${m} ${path}`).sort());
  });

  it.each(MATRIX)('%s %s: 401 without a token, 403 for other roles, never 5xx', async (method, _path, url, allowed) => {
    const anonymous = await call(method, url);
    if (allowed === 'public') {
      expect(anonymous.statusCode).not.toBe(401);
      expect(anonymous.statusCode).toBeLessThan(500);
      return;
    }
    expect(anonymous.statusCode).toBe(401);
    // RFC 9457 problems carry the status as a number, TMF errors as a string
    expect(Number((anonymous.json() as { status: unknown }).status)).toBe(401);
    for (const role of EVERYONE) {
      const res = await call(method, url, tokens[role]);
      if (allowed.includes(role)) {
        expect([401, 403], `${role} ${method} ${url}: ${res.body.slice(0, 200)}`).not.toContain(res.statusCode);
        expect(res.statusCode, `${role} ${method} ${url}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      } else {
        expect(res.statusCode, `${role} ${method} ${url}`).toBe(403);
      }
    }
  });

  it('refuses tokens that are forged, tampered with, expired or not bearer tokens', async () => {
    const forged = createSigner({ key: 'someone-else-s-secret-that-is-long-enough', iss: 'telecom-long-process' })({
      sub: '1',
      username: 'admin',
      name: 'x',
      role: 'admin',
      customerId: null,
      groups: [],
      branch: null,
    });
    const [header, payload, signature] = tokens.customer.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = [header, Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url'), signature].join('.');
    const expired = platform.fastify.jwt.sign({ ...claims, exp: undefined, iat: undefined } as never, { expiresIn: -60 });
    for (const authorization of [
      `Bearer ${forged}`,
      `Bearer ${tampered}`,
      `Bearer ${expired}`,
      `Basic YWRtaW46eA==`,
      'Bearer',
      'Bearer a.b.c',
    ]) {
      const res = await platform.fastify.inject({ method: 'GET', url: '/process-definitions', headers: { authorization } });
      expect(res.statusCode, authorization.slice(0, 20)).toBe(401);
    }
  });
});

describe("one customer never sees or changes another's order", () => {
  it('answers 404 to another customer on every route that names the order', async () => {
    const zhang = await call('POST', '/orders', tokens.customer, validOrder());
    expect(zhang.statusCode).toBe(201);
    const order = zhang.json() as { id: string; customerId: string; processInstanceKey: string };
    expect(order.customerId).toBe('CU-0001');
    // the owner's reads fill the status views' cache first: what is cached must not reach anyone else
    expect((await call('GET', `/status/${order.id}`, tokens.customer)).statusCode).toBe(200);
    expect((await call('GET', `${PO}/productOrder/${order.id}`, tokens.customer)).statusCode).toBe(200);
    const li = await platform.tokenFor('customer.li');
    for (const [method, url] of [
      ['GET', `/orders/${order.id}`],
      ['POST', `/orders/${order.id}/cancel`],
      ['POST', `/orders/${order.id}/confirm`],
      ['POST', `/orders/${order.id}/problem`],
      ['GET', `/status/${order.id}`],
      ['GET', `${PO}/productOrder/${order.id}`],
    ] as const) {
      const res = await call(method, url, li, method === 'POST' ? (url.endsWith('/problem') ? { note: '没有网络' } : {}) : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.body).not.toContain('张伟');
    }
    const list = (await call('GET', `${PO}/productOrder`, li)).json() as { id: string }[];
    expect(list.map((o) => o.id)).not.toContain(order.id);
    // the owner does see it; a customer cannot order for someone else
    expect((await call('GET', `/orders/${order.id}`, tokens.customer)).statusCode).toBe(200);
    expect((await call('POST', '/orders', tokens.customer, validOrder({ customerId: 'CU-0002' }))).statusCode).toBe(403);
    await platform.engine.deleteProcessInstance(order.processInstanceKey);
  });
});
