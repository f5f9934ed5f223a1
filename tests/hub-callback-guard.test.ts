import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPublicCallback, isInternalAddress } from '../api/domain/hub/callback-guard.ts';
import { postEvent } from '../api/domain/hub/post.ts';
import { newInstall } from './support/tmf-fixtures.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

const PO = '/tmf-api/productOrderingManagement/v5';

describe("a customer's hub cannot make the server call into the operator's network", () => {
  it('knows the internal ranges', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.5',
      '192.168.1.10',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '198.18.0.1',
      '192.0.0.8',
      '240.0.0.1',
      '224.0.0.1',
      'ff02::1',
      '64:ff9b::a00:1',
    ])
      expect(isInternalAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '203.0.113.7', '2001:db8::1']) expect(isInternalAddress(a), a).toBe(false);
  });

  it('refuses loopback, private and metadata addresses by literal or by name, and accepts public ones', async () => {
    for (const url of [
      'http://localhost:3000/x',
      'http://127.0.0.1:9600/actuator',
      'https://[::1]/x',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.8/crm',
      'http://[::ffff:127.0.0.1]:9600/x',
    ])
      await expect(assertPublicCallback(url), url).rejects.toMatchObject({ status: 400, code: 'CALLBACK_NOT_ALLOWED' });
    await expect(assertPublicCallback('https://203.0.113.7/listener')).resolves.toBeUndefined();
  });

  it('checks again at each delivery: a customer callback that now resolves or points inside is not called, a staff one is', async () => {
    let hits = 0;
    const server = createServer((req, res) => {
      hits++;
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const post = (url: string, publicOnly: boolean) => postEvent(url, { headers: {}, body: '{}', timeoutMs: 2_000, publicOnly });
    try {
      // a staff delivery first leaves a keep-alive connection to that host and port open…
      await expect(post(`http://localhost:${port}/hook`, false)).resolves.toBe(204);
      expect(hits).toBe(1);
      // …which a customer's delivery must not reuse
      await expect(post(`http://localhost:${port}/hook`, true)).rejects.toThrow(/internal address/);
      await expect(post(`http://127.0.0.1:${port}/hook`, true)).rejects.toThrow(/internal address/);
      await expect(post(`http://[::ffff:127.0.0.1]:${port}/hook`, true)).rejects.toThrow(/internal address/);
      await expect(post(`ftp://203.0.113.7/hook`, true)).rejects.toThrow(/not delivered/);
      expect(hits).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  describe('through the API, with the default setting', () => {
    let platform: Platform;
    beforeAll(async () => {
      platform = await startPlatform({ workers: false, env: { HUB_CUSTOMER_CALLBACKS: 'public' } });
    });
    afterAll(() => platform?.close());

    it("never delivers to a customer's callback re-pointed inside after registration (DNS rebinding); the staff hub beside it gets the events", async () => {
      const paths: string[] = [];
      const listener: Server = createServer((req, res) => {
        paths.push(req.url ?? '');
        req.resume();
        res.writeHead(204).end();
      });
      await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
      const { port } = listener.address() as { port: number };
      try {
        const customer = await platform.tokenFor('customer.li');
        const admin = await platform.tokenFor('admin');
        const register = (token: string, callback: string) =>
          platform.fastify.inject({
            method: 'POST',
            url: `${PO}/hub`,
            payload: { callback },
            headers: { authorization: `Bearer ${token}` },
          });
        // a customer's callback accepted as public, whose name then points at the server's own network
        const hub = (await register(customer, 'https://listener.example.com/tmf')).json() as { id: string };
        await platform.database.sql`update tmf_hub set callback = ${`http://localhost:${port}/tmf`} where id = ${hub.id}`;
        // (the staff hub on the same host and port: its keep-alive connection must not carry the customer's events)
        const staff = (await register(admin, `http://localhost:${port}/crm`)).json() as { id: string };
        // when the customer orders
        const ordered = await platform.fastify.inject({
          method: 'POST',
          url: `${PO}/productOrder`,
          payload: newInstall(),
          headers: { authorization: `Bearer ${customer}` },
        });
        expect(ordered.statusCode).toBe(201);
        // then the staff hub is called, and the customer's delivery fails as refused, without a request reaching the listener
        const refused = await eventually(async () => {
          await platform.fastify.hubDispatcher.tick();
          const [d] = await platform.database.sql<{ last_error: string | null }[]>`
            select last_error from tmf_delivery where hub_id = ${hub.id} and last_error is not null limit 1`;
          return d?.last_error ?? undefined;
        });
        expect(refused).toMatch(/resolves to the internal address/);
        await eventually(async () => {
          await platform.fastify.hubDispatcher.tick();
          const [d] = await platform.database.sql`select 1 from tmf_delivery where hub_id = ${staff.id} and delivered_at is not null`;
          return d;
        });
        expect(paths.length).toBeGreaterThan(0);
        expect(paths.filter((p) => p !== '/crm')).toEqual([]);
        for (const id of [hub.id, staff.id]) await platform.database.sql`update tmf_hub set deleted_at = now() where id = ${id}`;
        const { id: orderId } = ordered.json() as { id: string };
        const [instance] = await platform.database.sql<{ key: string }[]>`
          select process_instance_key::text as key from orders where id = ${orderId}`;
        await platform.engine.deleteProcessInstance(instance!.key);
      } finally {
        listener.closeAllConnections();
        listener.close();
      }
    });

    it("answers a customer's internal callback with a TMF error naming the field; staff may register one", async () => {
      const customer = await platform.tokenFor('customer.zhang');
      const res = await platform.fastify.inject({
        method: 'POST',
        url: `${PO}/hub`,
        payload: { callback: 'http://127.0.0.1:9600/actuator/clock/add' },
        headers: { authorization: `Bearer ${customer}` },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ '@type': 'Error', code: 'CALLBACK_NOT_ALLOWED' });
      const staff = await platform.fastify.inject({
        method: 'POST',
        url: `${PO}/hub`,
        payload: { callback: 'http://127.0.0.1:18080/crm-listener' },
        headers: { authorization: `Bearer ${await platform.tokenFor('admin')}` },
      });
      expect(staff.statusCode).toBe(201);
      await platform.fastify.inject({
        method: 'DELETE',
        url: `${PO}/hub/${(staff.json() as { id: string }).id}`,
        headers: { authorization: `Bearer ${await platform.tokenFor('admin')}` },
      });
    });
  });
});
