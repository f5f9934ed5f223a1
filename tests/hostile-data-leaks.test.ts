import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFor, routesOf, type OpenApiDocument, type Route } from './support/openapi-fuzz.ts';
import { validOrder, waitForTask } from './support/orders.ts';
import { startPlatform, type Platform } from './support/platform.ts';
import { faultTicket } from './support/tmf-fixtures.ts';

const PO = '/tmf-api/productOrderingManagement/v5';
const TT = '/tmf-api/troubleTicket/v5';
const CANARY = `canary${Date.now().toString(36)}`;

/**
 * Another customer's data and another group's tasks, probed through every route of the OpenAPI
 * document with ids drawn from the victim's (and disguised), queries and bodies drawn from the
 * schemas: nothing of the victim's ever shows, nothing of it changes.
 */
describe('hostile input: no route reveals or changes another customer’s data or another group’s tasks', () => {
  let platform: Platform;
  let doc: OpenApiDocument;
  let routes: Route[];
  let zhang: string;
  let li: string;
  let xian: string;
  const victim: { orderId: string; ticketId: string; hubId: string; instanceKey: string; taskKey: string } = {
    orderId: '',
    ticketId: '',
    hubId: '',
    instanceKey: '',
    taskKey: '',
  };
  const as = (token: string, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    platform.fastify.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  beforeAll(async () => {
    platform = await startPlatform();
    await platform.fastify.ready();
    doc = platform.fastify.swagger() as unknown as OpenApiDocument;
    routes = routesOf(doc);
    zhang = await platform.tokenFor('customer.zhang');
    li = await platform.tokenFor('customer.li');
    xian = await platform.tokenFor('clerk.xian');
    // Zhang's order (in an Urumqi grid, so its crew tasks belong to the Urumqi groups), ticket and hub.
    const order = await as(
      zhang,
      'POST',
      '/orders',
      validOrder({ customer: { name: `张伟${CANARY}`, phone: '13800138000', level: 'local-c' }, address: `解放南路 ${CANARY}` }),
    );
    expect(order.statusCode).toBe(201);
    victim.orderId = (order.json() as { id: string }).id;
    victim.instanceKey = (order.json() as { processInstanceKey: string }).processInstanceKey;
    const ticket = await as(zhang, 'POST', `${TT}/troubleTicket`, faultTicket({ description: `断网 ${CANARY}` }));
    expect(ticket.statusCode).toBe(201);
    victim.ticketId = (ticket.json() as { id: string }).id;
    const hub = await as(zhang, 'POST', `${PO}/hub`, { callback: `http://127.0.0.1:9/${CANARY}` });
    expect(hub.statusCode).toBe(201);
    victim.hubId = (hub.json() as { id: string }).id;
    // the order center approves it: the next task (appointment) is the Urumqi crew's
    const review = await waitForTask(platform, 'order-center', victim.orderId, 'review-order');
    await platform.app.inject({ method: 'POST', url: `/tasks/${review.key}/complete`, payload: { variables: { reviewApproved: true } } });
    victim.taskKey = (await waitForTask(platform, 'install-crew-urc-tianshan', victim.orderId, 'make-appointment')).key;
  });
  afterAll(async () => platform?.close());

  const secrets = () => [CANARY, victim.orderId, victim.ticketId, victim.hubId, victim.instanceKey, victim.taskKey];
  /** An id of the victim's, or a disguise of one (case, padding, encoding, a neighbour). */
  const victimId = () =>
    fc
      .tuple(fc.constantFrom(...secrets().slice(1)), fc.constantFrom('plain', 'lower', 'space', 'encoded', 'slash', 'neighbour'))
      .map(([id, how]) =>
        how === 'lower'
          ? id.toLowerCase()
          : how === 'space'
            ? ` ${id} `
            : how === 'encoded'
              ? [...id].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')
              : how === 'slash'
                ? `${id}/`
                : how === 'neighbour'
                  ? id.replace(/\d$/, (d) => String((Number(d) + 1) % 10))
                  : id,
      );

  it('as another customer, every route with any of the victim’s ids (however disguised) answers nothing of theirs', async () => {
    const leaks: string[] = [];
    for (const route of routes.filter((r) => r.path !== '/auth/login')) {
      await fc
        .assert(
          fc.asyncProperty(requestFor(route, doc), victimId(), async (request, id) => {
            // every path parameter is the victim's id; queries and bodies as the schemas draw them
            const url = route.path.replace(/\{(\w+)\}/g, () => (id.includes('%') ? id : encodeURIComponent(id)));
            const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
            const res = await as(li, route.method, `${url}${query}`, request.payload, request.headers);
            const leaked = secrets().filter((s) => s && res.body.includes(s) && !request.url.includes(s) && !url.includes(s));
            if (res.statusCode < 300 && leaked.length > 0) {
              leaks.push(`${route.method} ${url}${query} → ${res.statusCode} shows ${leaked.join(', ')}`);
              return false;
            }
            return true;
          }),
          { numRuns: route.path.includes('{') ? 30 : 10, endOnFailure: true },
        )
        .catch(() => undefined);
    }
    expect(leaks).toEqual([]);
    // the lists: nothing of Zhang's in Li's
    for (const url of [`${PO}/productOrder`, `${TT}/troubleTicket`, `${PO}/cancelProductOrder`]) {
      const res = await as(li, 'GET', url);
      expect(res.statusCode, url).toBe(200);
      for (const s of secrets()) expect(res.body, `${url} shows ${s}`).not.toContain(s);
    }
  });

  it('as another customer, no command changes the victim’s order, ticket or hub', async () => {
    const { orderId, ticketId, hubId } = victim;
    for (const [method, url, payload] of [
      ['POST', `/orders/${orderId}/cancel`, { reason: 'not mine' }],
      ['POST', `/orders/${orderId}/confirm`, undefined],
      ['POST', `${PO}/cancelProductOrder`, { productOrder: { id: orderId }, cancellationReason: 'not mine' }],
      ['DELETE', `${PO}/hub/${hubId}`, undefined],
      ['GET', `${TT}/troubleTicket/${ticketId}`, undefined],
      ['POST', `/tasks/${victim.taskKey}/complete`, { variables: { appointmentAt: '2026-11-24T10:00' } }],
    ] as const) {
      const res = await as(li, method, url, payload);
      expect([403, 404], `${method} ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
    }
    const mine = await as(zhang, 'GET', `/orders/${orderId}`);
    expect(mine.json()).toMatchObject({ state: 'inProgress' });
    expect((await as(zhang, 'GET', `${PO}/hub/${hubId}`)).statusCode).toBe(200);
    expect(await platform.database.sql`select 1 from cancel_product_order where order_id = ${orderId}`).toEqual([]);
  });

  it('a clerk of another branch and groups neither sees nor touches the Urumqi crew’s task', async () => {
    // Xi'an's clerk: order-center and the Yanta crew, branch Xi'an
    const list = await as(xian, 'GET', '/tasks?limit=500');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(victim.taskKey);
    const asked = await as(xian, 'GET', '/tasks?group=install-crew-urc-tianshan');
    expect([200, 403]).toContain(asked.statusCode);
    if (asked.statusCode === 200) expect(asked.body).not.toContain(victim.taskKey);
    for (const [method, url, payload] of [
      ['GET', `/tasks/${victim.taskKey}`, undefined],
      ['POST', `/tasks/${victim.taskKey}/claim`, undefined],
      ['POST', `/tasks/${victim.taskKey}/complete`, { variables: { appointmentAt: '2026-11-24T10:00', appointmentNote: 'x' } }],
    ] as const) {
      const res = await as(xian, method, url, payload);
      expect([403, 404], `${method} ${url}: ${res.statusCode}`).toContain(res.statusCode);
    }
    const [task] = await platform.database.sql<{ state: string; assignee: string | null }[]>`
      select state, assignee from user_task where user_task_key = ${victim.taskKey}`;
    expect(task).toEqual({ state: 'created', assignee: null });
  });
});
