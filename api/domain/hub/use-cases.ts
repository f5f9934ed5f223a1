import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { tmfEvents, tmfHubs } from '../../../db/schema.ts';
import { assertPublicCallback } from './callback-guard.ts';
import { ApiError } from '../../errors.ts';
import { scopedIdempotencyKey } from '../auth/access.ts';
import type { Principal } from '../auth/schemas.ts';
import { once, requestFingerprint } from '../tmf/idempotency.ts';
import { HUB_EVENT_TYPES, type Hub, type HubApi, type HubCreate } from './schemas.ts';

export const hubNotFound = (id: string) => new ApiError(404, 'HUB_NOT_FOUND', 'Subscription not found', `There is no hub ${id}.`);

type HubRow = typeof tmfHubs.$inferSelect;

/** A callback as answered: a user name or password a hub registered before they were refused is never echoed back. */
function shownCallback(callback: string): string {
  if (!URL.canParse(callback)) return callback;
  const url = new URL(callback);
  if (!url.username && !url.password) return callback;
  url.username = url.username ? '***' : '';
  url.password = url.password ? '***' : '';
  return url.toString();
}

function toHub(row: HubRow, base: string, withSecret: boolean): Hub {
  return {
    '@type': 'Hub',
    id: row.id,
    href: `${base}/hub/${row.id}`,
    callback: shownCallback(row.callback),
    ...(row.query ? { query: row.query } : {}),
    ...(withSecret ? { secret: row.secret } : {}),
  };
}

/** The event types a hub's query names (all of the API's when it names none). */
export function eventTypesOf(api: HubApi, query: string | null): string[] {
  const named = query?.match(/^eventType=(.+)$/)?.[1]?.split(',');
  return named ?? [...HUB_EVENT_TYPES[api]];
}

/**
 * Registers a subscription: events after now, of the caller's own resources for a customer (every
 * resource for staff), signed with a fresh secret answered once (and again to a retry with the
 * same Idempotency-Key, which is the same caller).
 */
export async function registerHub({
  caller,
  api,
  base,
  body,
  idempotencyKey,
  db,
  customersMayCallBackInternally = false,
}: {
  caller: Principal;
  api: HubApi;
  base: string;
  body: HubCreate;
  idempotencyKey: string | undefined;
  db: Db;
  /** HUB_CUSTOMER_CALLBACKS=any: customers' callbacks may reach internal addresses too (e.g. an in-house portal). */
  customersMayCallBackInternally?: boolean;
}): Promise<{ hub: Hub; created: boolean }> {
  if (caller.role === 'customer' && !customersMayCallBackInternally) await assertPublicCallback(body.callback);
  const unknown = eventTypesOf(api, body.query ?? null).filter((t) => !HUB_EVENT_TYPES[api].includes(t));
  if (unknown.length > 0)
    throw new ApiError(
      400,
      'UNKNOWN_EVENT_TYPE',
      'Unknown event type',
      `This hub delivers ${HUB_EVENT_TYPES[api].join(', ')}; not ${unknown.join(', ')}.`,
      [{ pointer: '/query', in: 'body', message: `unknown event type(s) ${unknown.join(', ')}` }],
    );
  const key = scopedIdempotencyKey(caller, idempotencyKey ? `hub:${api}:${idempotencyKey}` : undefined);
  const { resourceId, created } = await once({
    db,
    key,
    requestHash: requestFingerprint(body),
    create: async () => {
      const [last] = await db.select({ max: sql<string | null>`max(${tmfEvents.id})` }).from(tmfEvents);
      const [row] = await db
        .insert(tmfHubs)
        .values({
          id: randomUUID(),
          api,
          callback: body.callback,
          query: body.query ?? null,
          secret: `whsec_${randomBytes(24).toString('base64url')}`,
          ownerSub: caller.sub,
          customerId: caller.role === 'customer' ? (caller.customerId ?? '-') : null,
          cursor: Number(last?.max ?? 0),
        })
        .returning();
      return row!.id;
    },
  });
  const [row] = await db.select().from(tmfHubs).where(eq(tmfHubs.id, resourceId));
  return { hub: toHub(row!, base, true), created };
}

async function ownHub(caller: Principal, api: HubApi, id: string, db: Db): Promise<HubRow> {
  const [row] = await db
    .select()
    .from(tmfHubs)
    .where(and(eq(tmfHubs.id, id), eq(tmfHubs.api, api), isNull(tmfHubs.deletedAt)));
  // A hub is its owner's; administrators may look after anyone's.
  if (!row || (row.ownerSub !== caller.sub && caller.role !== 'admin')) throw hubNotFound(id);
  return row;
}

export async function getHub({ caller, api, base, id, db }: { caller: Principal; api: HubApi; base: string; id: string; db: Db }) {
  return toHub(await ownHub(caller, api, id, db), base, false);
}

/** Ends a subscription: nothing more is delivered to it, not even events already queued. */
export async function deleteHub({ caller, api, id, db }: { caller: Principal; api: HubApi; id: string; db: Db }) {
  const row = await ownHub(caller, api, id, db);
  await db.update(tmfHubs).set({ deletedAt: new Date() }).where(eq(tmfHubs.id, row.id));
}
