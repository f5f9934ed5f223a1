import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from './support/platform.ts';

describe('the platform on its engine', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform({ workers: false });
  });
  afterAll(async () => platform?.close());

  it('reports the engine and the database up on GET /health', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/health' });
    expect(res.json()).toMatchObject({ status: 'ok', engine: { status: 'up' }, db: { status: 'up' } });
    expect(res.statusCode).toBe(200);
  });

  it('serves the web UI page and the deployed diagram it shows', async () => {
    const page = await platform.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="app">');
    const script = /src="(\/assets\/index-[\w-]+\.js)"/.exec(page.body)?.[1];
    expect((await platform.app.inject({ method: 'GET', url: script ?? '/assets/none.js' })).statusCode).toBe(200);
    const xml = await platform.app.inject({ method: 'GET', url: '/process-definitions/home-broadband-new-install/xml' });
    expect(xml.statusCode).toBe(200);
    expect(xml.body).toContain('id="review-order"');
    expect((await platform.app.inject({ method: 'GET', url: '/process-definitions/no-such-process/xml' })).statusCode).toBe(404);
  });

  it('publishes an OpenAPI document with every route', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health', '/orders', '/orders/{id}', '/tasks', '/tasks/{key}/complete']),
    );
  });
});
