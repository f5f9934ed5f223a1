import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from './support/platform.ts';

let platform: Platform;
const login = (username: string, password: string, remoteAddress = '127.0.0.1') =>
  platform.fastify.inject({ method: 'POST', url: '/auth/login', payload: { username, password }, remoteAddress });

beforeAll(async () => {
  platform = await startPlatform({ workers: false });
});
afterAll(() => platform?.close());

describe('login', () => {
  it('gives a demo user a bearer token that carries their role, groups and branch', async () => {
    const res = await login('clerk.urumqi', 'demo-clerk-2026', '10.0.0.1');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { accessToken: string; tokenType: string; expiresIn: number; user: Record<string, unknown> };
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 8 * 3600 });
    expect(body.user).toMatchObject({
      username: 'clerk.urumqi',
      role: 'clerk',
      branch: 'urumqi',
      groups: expect.arrayContaining(['order-center']),
    });
    const me = await platform.fastify.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${body.accessToken}` } });
    expect(me.json()).toEqual(body.user);
    // the hash is stored, never the password
    const [row] = await platform.database.sql<
      { password_hash: string }[]
    >`select password_hash from app_user where username = 'clerk.urumqi'`;
    expect(row?.password_hash).toMatch(/^scrypt\$/);
    expect(row?.password_hash).not.toContain('demo-clerk-2026');
  });

  it('refuses a wrong password and an unknown user alike, without saying which', async () => {
    const wrong = await login('clerk.urumqi', 'guess', '10.0.0.2');
    const unknown = await login('nobody', 'guess', '10.0.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect((wrong.json() as { code: string; detail: string }).detail).toBe((unknown.json() as { detail: string }).detail);
    expect((await login('', '', '10.0.0.2')).statusCode).toBe(400);
  });

  it('is rate-limited per client address: the 11th attempt within a minute is 429, other addresses are unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login('admin', `wrong-${i}`, '10.0.0.3')).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    const limited = await login('admin', 'demo-admin-2026', '10.0.0.3');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 });
    expect((await login('admin', 'demo-admin-2026', '10.0.0.4')).statusCode).toBe(200);
  });
});
