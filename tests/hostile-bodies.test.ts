import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf, type JsonSchema, type OpenApiDocument, type Route } from './support/openapi-fuzz.ts';
import { validOrder } from './support/orders.ts';
import { startPlatform, type Platform } from './support/platform.ts';

/** Size limits, nesting and unknown fields, on every route that takes a JSON body. */
describe('hostile input: oversized, deeply nested and unexpected bodies', () => {
  let platform: Platform;
  let doc: OpenApiDocument;
  let bodyRoutes: (Route & { schema: JsonSchema; url: string })[];
  beforeAll(async () => {
    platform = await startPlatform({ workers: false });
    await platform.fastify.ready();
    doc = platform.fastify.swagger() as unknown as OpenApiDocument;
    bodyRoutes = routesOf(doc).flatMap((r) => {
      const schema = r.operation.requestBody?.content?.['application/json']?.schema;
      // (path parameters filled with something that passes their pattern, or not: the body is checked either way)
      // (a parameter whose pattern is letters, such as an SMS template's key, gets one that passes it)
      const lettersOnly = (name: string) =>
        (r.operation.parameters ?? []).some((p) => p.name === name && /^\^\[a-z\]/.test(String(p.schema?.pattern ?? '')));
      const url = r.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        lettersOnly(name) ? 'visit-booked' : name === 'key' ? '2251799813685249' : 'HB20260101000001',
      );
      return schema ? [{ ...r, schema, url }] : [];
    });
  });
  afterAll(async () => platform?.close());

  /** As the administrator, or, on a route only customers may call (403 for the administrator), as a customer. */
  let customerToken: string | undefined;
  const send = async (options: Parameters<Platform['app']['inject']>[0]) => {
    const res = await platform.app.inject(options);
    if (res.statusCode !== 403) return res;
    customerToken ??= await platform.tokenFor('customer.zhang');
    return platform.app.inject({ ...options, headers: { ...(options.headers ?? {}), authorization: `Bearer ${customerToken}` } });
  };

  const resolve = (s: JsonSchema): JsonSchema => (s.$ref ? (doc.components?.schemas?.[s.$ref.split('/').pop()!] ?? {}) : s);

  it('finds the routes that take a body', () => {
    expect(bodyRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['POST /orders', 'POST /deployments']));
  });

  it('a body over the route limit is refused with 413 on every route that takes one', async () => {
    for (const route of bodyRoutes) {
      // 256 KiB everywhere, 8 MiB for deployments
      const size = route.path === '/deployments' ? 9 * 1024 * 1024 : 300 * 1024;
      const payload = JSON.stringify({ padding: 'x'.repeat(size) });
      const res = await send({
        method: route.method,
        url: route.url,
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode, `${route.method} ${route.path}`).toBe(413);
      // (problem details; the TMF routes answer the TMF error shape, whose status is a string)
      expect(Number(res.json().status)).toBe(413);
    }
  });

  it('deeply nested JSON is refused with 4xx on every route, the server staying up', async () => {
    for (const depth of [1_000, 20_000]) {
      const nestedObject = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const nestedArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      for (const route of bodyRoutes) {
        for (const payload of [nestedObject, nestedArray, `{"variables":${nestedObject}}`, `{"resources":[${nestedArray}]}`]) {
          const res = await send({
            method: route.method,
            url: route.url,
            payload,
            headers: { 'content-type': 'application/json' },
          });
          expect(res.statusCode, `${route.method} ${route.path} depth ${depth}`).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, `${route.method} ${route.path} depth ${depth}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
        }
      }
    }
    // the values of a task's variables are free-form: nesting there is refused too, before the engine sees it
    const nested = JSON.parse(`${'{"a":'.repeat(500)}1${'}'.repeat(500)}`) as object;
    const res = await platform.app.inject({
      method: 'POST',
      url: '/tasks/2251799813685249/complete',
      payload: { variables: { deep: nested } },
    });
    expect(res.statusCode).toBeLessThan(500);
    expect((await platform.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('unknown fields are refused where the schema is closed (additionalProperties: false), naming the field', async () => {
    const closed = bodyRoutes.filter((r) => resolve(r.schema).additionalProperties === false);
    expect(closed.length).toBeGreaterThan(5);
    for (const route of closed) {
      const schema = resolve(route.schema);
      const example = (schema.example ?? {}) as Record<string, unknown>;
      const res = await send({
        method: route.method,
        url: route.url,
        payload: { ...example, zzUnexpectedField: 'x' },
      });
      // 400 for the field (or 404 for the made-up resource in the path, which is looked up after validation: never reached)
      expect(res.statusCode, `${route.method} ${route.path}: ${res.body.slice(0, 300)}`).toBe(400);
      expect(res.body, `${route.method} ${route.path}`).toMatch(/zzUnexpectedField|unrecognized|additional/i);
    }
  });

  it('an order with an unknown field is refused and none is created; with known fields only it is accepted', async () => {
    const count = async () => (await platform.database.sql<{ n: number }[]>`select count(*)::int as n from orders`)[0]!.n;
    const before = await count();
    const refused = await platform.app.inject({ method: 'POST', url: '/orders', payload: { ...validOrder(), discountPercent: 100 } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'body' })]));
    const nestedUnknown = await platform.app.inject({
      method: 'POST',
      url: '/orders',
      payload: validOrder({ customer: { name: '张伟', phone: '13800138000', level: 'local-c', vip: true } }),
    });
    expect(nestedUnknown.statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it('prototype-pollution keys in a body change nothing', async () => {
    const payload = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"variables":{}}';
    const res = await platform.app.inject({
      method: 'POST',
      url: '/tasks/2251799813685249/complete',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
