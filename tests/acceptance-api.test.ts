import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

let platform: Platform;
let owner: string;

const as = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  platform.fastify.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  platform = await startPlatform();
  owner = await platform.tokenFor('owner.process');
});
afterAll(() => platform?.close());

describe('acceptance batches through the API', () => {
  it('starts a month once, however often it is asked, and shows its state and scores', async () => {
    // a month far ahead: no line went into inventory the month before, so the batch has nothing to accept
    const first = await as(owner, 'POST', '/acceptance-batches', { month: '2031-07' });
    expect(first.statusCode).toBe(201);
    const batch = first.json() as { month: string; processInstanceKey: string; state: string };
    expect(batch).toMatchObject({ month: '2031-07', processInstanceKey: expect.stringMatching(/^\d+$/) });
    expect(first.headers.location).toBe('/acceptance-batches/2031-07');

    const again = await as(owner, 'POST', '/acceptance-batches', { month: '2031-07' });
    expect(again.statusCode).toBe(200);
    expect((again.json() as { processInstanceKey: string }).processInstanceKey).toBe(batch.processInstanceKey);

    const done = await eventually(async () => {
      const res = await as(owner, 'GET', '/acceptance-batches/2031-07');
      const body = res.json() as { state: string; lines: unknown[]; scores: unknown[] };
      return body.state === 'completed' ? body : undefined;
    });
    expect(done.lines).toEqual([]);
  });

  it('refuses a malformed month, an unknown one, and callers who are not process owners', async () => {
    const bad = await as(owner, 'POST', '/acceptance-batches', { month: '2031-13' });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe('/month');
    expect((await as(owner, 'GET', '/acceptance-batches/2019-01')).statusCode).toBe(404);
    const clerk = await platform.tokenFor('clerk.response');
    expect((await as(clerk, 'POST', '/acceptance-batches', { month: '2031-08' })).statusCode).toBe(403);
    expect((await as(clerk, 'GET', '/acceptance-batches/2031-07')).statusCode).toBe(200);
  });
});
