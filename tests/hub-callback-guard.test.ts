import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPublicCallback, isInternalAddress } from '../api/domain/hub/callback-guard.ts';
import { startPlatform, type Platform } from './support/platform.ts';

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

  describe('through the API, with the default setting', () => {
    let platform: Platform;
    beforeAll(async () => {
      platform = await startPlatform({ workers: false, env: { HUB_CUSTOMER_CALLBACKS: 'public' } });
    });
    afterAll(() => platform?.close());

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
