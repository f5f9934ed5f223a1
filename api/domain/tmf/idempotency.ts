import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { tmfRequests } from '../../../db/schema.ts';
import { ApiError } from '../../errors.ts';

/**
 * Runs `create` once per idempotency key (already scoped to the caller): the key is claimed before
 * anything is created, so a retry arriving while the first request still runs waits for its
 * resource instead of starting a second process. A failed creation frees the key again.
 */
export async function once({
  db,
  key,
  create,
  waitMs = 15_000,
}: {
  db: Db;
  key: string | undefined;
  create: () => Promise<string>;
  waitMs?: number;
}): Promise<{ resourceId: string; created: boolean }> {
  if (!key) return { resourceId: await create(), created: true };
  const claimed = await db.insert(tmfRequests).values({ idempotencyKey: key }).onConflictDoNothing().returning();
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
    if (row?.resourceId) return { resourceId: row.resourceId, created: false };
    // The first request failed and freed the key: this one may try.
    if (!row) return once({ db, key, create, waitMs: Math.max(0, deadline - Date.now()) });
    if (Date.now() > deadline)
      throw new ApiError(409, 'REQUEST_IN_PROGRESS', 'The first request with this Idempotency-Key is still running', 'Retry shortly.');
    await new Promise((r) => setTimeout(r, 100));
  }
}
