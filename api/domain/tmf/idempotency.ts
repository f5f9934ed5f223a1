import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { tmfRequests } from '../../../db/schema.ts';
import { ApiError } from '../../errors.ts';

/**
 * What a replay returns, said once for every create route (OpenAPI descriptions and api/README.md):
 * the same key (per caller) with the same body answers 200 with the resource created the first
 * time, as it is now (not a copy of the first answer), and creates nothing; the same key with
 * another body is refused with 422 IDEMPOTENCY_KEY_REUSED; while the first request still runs the
 * retry waits for it (up to 15 s, then 409 REQUEST_IN_PROGRESS); a first request that failed
 * leaves the key free.
 */
export const IDEMPOTENCY_REPLAY =
  'Idempotency-Key: retrying with the same key and the same body answers 200 with the resource the first request created, ' +
  'as it is now, and creates nothing; the same key with a different body is refused with 422 IDEMPOTENCY_KEY_REUSED; ' +
  'while the first request is still running the retry waits for it (then 409 REQUEST_IN_PROGRESS); a first request that ' +
  'was refused or failed leaves the key free. Keys belong to the caller.';

/** A stable fingerprint of a request body as validated (key order does not matter). */
export function requestFingerprint(body: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => [k, canonical(x)]),
      );
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(body ?? null)))
    .digest('hex');
}

/** The key was first used for another request: the caller's bug (a key reused for a new order), never a silent replay. */
export const idempotencyKeyReused = (resourceId: string | null) =>
  new ApiError(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    '幂等键已用于另一请求 / Idempotency-Key already used for a different request',
    `此 Idempotency-Key 首次用于另一个不同的请求${resourceId ? `（已创建 ${resourceId}）` : ''}；重试请发送相同的请求，新请求请换一个键。 ` +
      `This Idempotency-Key was first used with a different request${resourceId ? ` (which created ${resourceId})` : ''}; ` +
      'retry with the same body, or use a new key for a new request.',
    [
      {
        pointer: '/idempotency-key',
        in: 'headers',
        message: '与首次请求的内容不同 / the body differs from the first request with this key',
      },
    ],
  );

/** Whether a stored fingerprint refuses this request (keys stored before fingerprints were kept match anything). */
export const conflicts = (stored: string | null | undefined, requestHash: string | undefined) =>
  Boolean(stored && requestHash && stored !== requestHash);

/**
 * Runs `create` once per idempotency key (already scoped to the caller): the key is claimed before
 * anything is created, so a retry arriving while the first request still runs waits for its
 * resource instead of starting a second process. A failed creation frees the key again. A retry
 * whose request differs from the first (`requestHash`) is refused with 422.
 */
export async function once({
  db,
  key,
  requestHash,
  create,
  waitMs = 15_000,
}: {
  db: Db;
  key: string | undefined;
  /** requestFingerprint() of the request as validated. */
  requestHash?: string;
  create: () => Promise<string>;
  waitMs?: number;
}): Promise<{ resourceId: string; created: boolean }> {
  if (!key) return { resourceId: await create(), created: true };
  const claimed = await db
    .insert(tmfRequests)
    .values({ idempotencyKey: key, requestHash: requestHash ?? null })
    .onConflictDoNothing()
    .returning();
  if (claimed.length > 0) {
    try {
      const resourceId = await create();
      await db.update(tmfRequests).set({ resourceId }).where(eq(tmfRequests.idempotencyKey, key));
      return { resourceId, created: true };
    } catch (e) {
      await db.delete(tmfRequests).where(eq(tmfRequests.idempotencyKey, key));
      throw e;
    }
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [row] = await db.select().from(tmfRequests).where(eq(tmfRequests.idempotencyKey, key));
    if (row && conflicts(row.requestHash, requestHash)) throw idempotencyKeyReused(row.resourceId);
    if (row?.resourceId) return { resourceId: row.resourceId, created: false };
    // The first request failed and freed the key: this one may try.
    if (!row) return once({ db, key, requestHash, create, waitMs: Math.max(0, deadline - Date.now()) });
    if (Date.now() > deadline)
      throw new ApiError(409, 'REQUEST_IN_PROGRESS', 'The first request with this Idempotency-Key is still running', 'Retry shortly.');
    await new Promise((r) => setTimeout(r, 100));
  }
}
