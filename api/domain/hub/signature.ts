import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Each delivery is signed like this: `X-Hub-Timestamp` (Unix seconds) and `X-Hub-Signature:
 * sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the hub's secret>`. The timestamp inside the
 * signed text lets a subscriber refuse replays of old deliveries.
 */
export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a subscriber does with a delivery (exported for tests and for subscribers written in TypeScript). */
export function verify(
  secret: string,
  timestamp: string | undefined,
  body: string,
  signature: string | undefined,
  toleranceS = 300,
  now = Date.now(),
): boolean {
  if (!timestamp || !signature) return false;
  const t = Number(timestamp);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceS) return false;
  const expected = Buffer.from(sign(secret, t, body));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
