import type { Language } from '../i18n/language.ts';
import { reasonIn } from '../i18n/reasons.ts';
import { count, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { ChangeRequest } from '../../../contracts/change.ts';
import type { Db } from '../../../db/client.ts';
import { cancelProductOrders, orders, productCatalogue, tmfRequests } from '../../../db/schema.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { ApiError } from '../../errors.ts';
import { canSee, owningCustomer, scopedIdempotencyKey } from '../auth/access.ts';
import type { Principal } from '../auth/schemas.ts';
import { requestChange } from '../changes/use-cases.ts';
import { cancelLineOrder } from '../lines/use-cases.ts';
import type { OrderRepository } from '../orders/repository.ts';
import { AddressSchema, ADDRESS_MAX_LENGTH } from '../orders/schemas.ts';
import { cancelOrder, createOrder, unknownGrid } from '../orders/use-cases.ts';
import { answerable, type ListLog } from '../answerable.ts';
import { discardCreated } from '../record-and-start.ts';
import { ESCALATION_LABELS, ESCALATION_REASON_FOR_CUSTOMERS, KIND_LABELS } from '../status/labels.ts';
import { jeopardies, milestones, sla, stateHistory, type State } from '../status/progress.ts';
import type { ProgressRepository, SubjectProgress } from '../status/repository.ts';
import { characteristic, isoOrUndefined, type Characteristic } from './common.ts';
import { idempotencyKeyReused, once, requestFingerprint } from './idempotency.ts';
import {
  CancelProductOrderSchema,
  ProductOrderSchema,
  type CancelProductOrder,
  type CancelProductOrderCreate,
  type ProductOrder,
  type ProductOrderCreate,
} from './product-order-schemas.ts';

export const PRODUCT_ORDERING_BASE = '/tmf-api/productOrderingManagement/v5';
const orderHref = (id: string) => `${PRODUCT_ORDERING_BASE}/productOrder/${id}`;
const cancelHref = (id: string) => `${PRODUCT_ORDERING_BASE}/cancelProductOrder/${id}`;

export const tmf622Errors = {
  notFound: (id: string) =>
    new ApiError(
      404,
      'PRODUCT_ORDER_NOT_FOUND',
      '订单不存在 / Product order not found',
      `没有订单 ${id}。 There is no product order ${id}.`,
    ),
  cancelNotFound: (id: string) =>
    new ApiError(
      404,
      'CANCEL_PRODUCT_ORDER_NOT_FOUND',
      '撤单申请不存在 / Cancellation request not found',
      `没有撤单申请 ${id}。 There is no cancelProductOrder ${id}.`,
    ),
  invalid: (detail: string, pointer: string) =>
    new ApiError(400, 'INVALID_PRODUCT_ORDER', 'Product order is not valid', detail, [{ pointer, in: 'body', message: detail }]),
  notCancellable: (id: string) =>
    new ApiError(
      409,
      'NOT_CANCELLABLE',
      '此订单不能在此撤销 / This product order cannot be cancelled here',
      `订单 ${id} 是变更单，只有新装订单可通过撤单申请撤销。 Product order ${id} is a change; only new-install orders are cancelled through cancelProductOrder.`,
    ),
};

type Deps = {
  db: Db;
  orders: OrderRepository;
  progress: ProgressRepository;
  engine: OperatonClient;
  engineTimeoutMs?: number;
  log?: { warn(context: object, message: string): void; error(context: object, message: string): void };
};

/** Where a TMF body names the customer. */
const RELATED_PARTY = { pointer: '/relatedParty' } as const;

// ── reading ──────────────────────────────────────────────────────────────────

function money(cents: number) {
  return { unit: 'CNY', value: cents / 100 };
}

function monthlyPrice(name: string, cents: number) {
  return [
    {
      '@type': 'OrderPrice' as const,
      name,
      priceType: 'recurring',
      recurringChargePeriod: 'month',
      price: { '@type': 'Price' as const, taxIncludedAmount: money(cents) },
    },
  ];
}

const address = (role: string, text: string) => [
  { '@type': 'RelatedPlaceRefOrValue' as const, role, place: { '@type': 'GeographicAddress' as const, streetName: text } },
];

/** The ProductOrder for an order (HB…), a change (CH…) or a line order (DL…). */
export function toProductOrder(p: SubjectProgress, now = new Date(), stateOverride?: State, lang: Language = 'zh'): ProductOrder {
  const { subject } = p;
  const history = stateHistory(p);
  const state = stateOverride ?? history.at(-1)!.state;
  const tmfState = (state === 'resolved' || state === 'closed' ? 'completed' : state) as ProductOrder['state'];
  const limit = sla(p);
  const item: ProductOrder['productOrderItem'][number] = {
    '@type': 'ProductOrderItem',
    id: '1',
    action: 'add',
    quantity: 1,
    state: tmfState === 'pendingCancellation' ? 'pendingCancellation' : tmfState,
  };
  let category = 'residential';
  let contact: string | undefined;
  let related: ProductOrder['orderRelationship'];
  let requestedCompletionDate: string | undefined;
  const row = subject.row;
  if (row.kind === 'order') {
    const o = row.value;
    const product = o.product as { code: string; name: string; bandwidthMbps: number; monthlyFeeCents: number };
    contact = o.customerPhone;
    item.productOffering = { '@type': 'ProductOfferingRef', id: product.code, name: product.name };
    item.product = {
      '@type': 'Product',
      id: o.id,
      name: product.name,
      productCharacteristic: [
        characteristic('bandwidthMbps', product.bandwidthMbps),
        characteristic('grid', o.grid),
        characteristic('customerLevel', o.customerLevel),
      ],
      place: address('installationAddress', o.address),
    };
    item.itemPrice = monthlyPrice(product.name, product.monthlyFeeCents);
  } else if (row.kind === 'change') {
    const change = row.value.details as ChangeRequest;
    const o = row.order;
    const current = o.product as { code: string; name: string };
    contact = o.customerPhone;
    related = [{ '@type': 'OrderRelationship', id: o.id, href: orderHref(o.id), relationshipType: 'modifies' }];
    item.action = change.changeType === 'formal-cancellation' || change.changeType === 'scheduled-cancellation' ? 'delete' : 'modify';
    const chars: Characteristic[] = [characteristic('changeType', change.changeType)];
    item.product = { '@type': 'Product', id: o.id, name: current.name, productCharacteristic: chars };
    if (change.changeType === 'product-change') {
      item.productOffering = { '@type': 'ProductOfferingRef', id: change.newProduct.code, name: change.newProduct.name };
      item.itemPrice = monthlyPrice(change.newProduct.name, change.newProduct.monthlyFeeCents);
    } else {
      item.productOffering = { '@type': 'ProductOfferingRef', id: current.code, name: current.name };
    }
    if (change.changeType === 'relocation') {
      item.product.place = address('newAddress', change.newAddress);
      chars.push(characteristic('grid', change.newGrid));
    }
    if (change.changeType === 'terminal-repair') chars.push(characteristic('symptom', change.symptom));
    if (change.changeType === 'scheduled-cancellation') requestedCompletionDate = new Date(change.cancelOn).toISOString();
  } else if (row.kind === 'line') {
    const l = row.value;
    category = 'enterprise';
    item.productOffering = { '@type': 'ProductOfferingRef', id: `DL-${l.service}`, name: l.service };
    item.product = {
      '@type': 'Product',
      id: l.id,
      name: l.service,
      productCharacteristic: [
        characteristic('protectionLevel', l.protectionLevel),
        characteristic('circuits', l.circuits),
        characteristic('customerLevel', l.customerLevel),
      ],
    };
    item.itemPrice = monthlyPrice(l.service, l.monthlyFeeCents);
  }
  const cancelled = state === 'cancelled';
  const lastCancel = p.cancellationRequests.at(-1);
  return {
    '@type': 'ProductOrder',
    id: subject.id,
    href: orderHref(subject.id),
    state: tmfState,
    category,
    description: `${KIND_LABELS[subject.process]?.[lang] ?? subject.process} ${subject.id}`,
    creationDate: subject.createdAt.toISOString(),
    ...(subject.closedAt && (state === 'completed' || state === 'failed' || cancelled)
      ? { completionDate: subject.closedAt.toISOString() }
      : {}),
    ...(limit ? { expectedCompletionDate: limit.dueAt.toISOString() } : {}),
    ...(requestedCompletionDate ? { requestedCompletionDate } : {}),
    ...(cancelled
      ? {
          cancellationDate: isoOrUndefined(subject.closedAt),
          cancellationReason: lastCancel?.reason ?? reasonIn(lang, subject.stateReason ?? 'Cancelled'),
        }
      : {}),
    ...(contact ? { notificationContact: contact } : {}),
    ...(subject.customerId
      ? {
          relatedParty: [
            {
              '@type': 'RelatedPartyRefOrPartyRoleRef' as const,
              role: 'customer',
              partyOrPartyRole: {
                '@type': 'PartyRef' as const,
                id: subject.customerId,
                name: subject.customerName,
                '@referredType': category === 'enterprise' ? 'Organization' : 'Individual',
              },
            },
          ],
        }
      : {}),
    productOrderItem: [item],
    productOrderMilestone: milestones(p, now).map((m) => ({
      '@type': 'ProductOrderMilestone' as const,
      id: m.id,
      name: m.label[lang],
      description: m.label[lang],
      status: m.status,
      ...(m.at ? { milestoneDate: m.at.toISOString() } : {}),
    })),
    productOrderJeopardyAlert: jeopardies(p).map((j) => ({
      '@type': 'ProductOrderJeopardyAlert' as const,
      id: j.id,
      name: ESCALATION_LABELS[j.level]![lang],
      alertDate: j.at.toISOString(),
      jeopardyType: j.type,
      exception: j.elementId,
      message: ESCALATION_REASON_FOR_CUSTOMERS[lang],
    })),
    ...(related ? { orderRelationship: related } : {}),
    ...(subject.processInstanceKey
      ? {
          externalId: [
            {
              '@type': 'ExternalIdentifier' as const,
              id: subject.processInstanceKey,
              owner: 'operaton',
              externalIdentifierType: 'processInstanceKey',
            },
          ],
        }
      : {}),
  };
}

const ORDER_PREFIXES = new Set(['order', 'change', 'line']);

async function loadProductOrder(caller: Principal, id: string, progress: ProgressRepository) {
  const subject = await progress.findSubject(id.toUpperCase());
  if (!subject || !ORDER_PREFIXES.has(subject.kind) || !canSee(caller, subject.customerId)) throw tmf622Errors.notFound(id);
  return progress.progress(subject);
}

export async function getProductOrder({
  caller,
  id,
  progress,
  lang = 'zh',
}: {
  caller: Principal;
  id: string;
  progress: ProgressRepository;
  lang?: Language;
}) {
  return toProductOrder(await loadProductOrder(caller, id, progress), undefined, undefined, lang);
}

/** The stored states a TMF state filter matches (the derived held/pending states live in inProgress orders). */
const STORED_STATES: Record<string, string[]> = {
  acknowledged: ['acknowledged', 'requested'],
  inProgress: ['inProgress', 'requested'],
  held: ['inProgress', 'requested'],
  pending: ['inProgress', 'requested'],
  pendingCancellation: ['acknowledged', 'inProgress'],
  completed: ['completed', 'done'],
  failed: ['failed', 'refused'],
  cancelled: ['cancelled'],
};

/** A customer's own product orders (staff: everyone's), newest first, paged; `state` filters on the TMF state. */
export async function listProductOrders({
  caller,
  states,
  offset,
  limit,
  db,
  progress,
  log,
}: {
  caller: Principal;
  states: string[] | undefined;
  offset: number;
  limit: number;
  db: Db;
  progress: ProgressRepository;
  log?: ListLog;
}): Promise<{ items: ProductOrder[]; total: number }> {
  const customer = caller.role === 'customer' ? (caller.customerId ?? '-') : null;
  const stored = states ? [...new Set(states.flatMap((s) => STORED_STATES[s] ?? []))] : null;
  const own = (column: SQL) => (customer === null ? sql`true` : sql`${column} = ${customer}`);
  const inStates = (column: SQL) => (stored === null ? sql`true` : stored.length === 0 ? sql`false` : sql`${column} in ${stored}`);
  // Candidates by stored state (in SQL, paged generously), then the exact TMF state in code.
  const all = await db.execute<{ id: string; created_at: Date }>(sql`
    select id, created_at from (
      select o.id, o.created_at, o.state, o.customer_id from orders o
      union all select c.id, c.created_at, c.state, o.customer_id from service_change c join orders o on o.id = c.order_id
      union all select l.id, l.created_at, l.state, l.customer_id from line_order l
    ) p where ${own(sql`p.customer_id`)} and ${inStates(sql`p.state`)}
    order by p.created_at desc, p.id desc`);
  // One order that cannot be answered is logged and left out; it never fails the whole list.
  const view = (id: string) =>
    answerable(ProductOrderSchema, id, async () => toProductOrder(await loadProductOrder(caller, id, progress)), log);
  const exact = states && states.some((s) => s !== 'completed' && s !== 'failed' && s !== 'cancelled');
  if (!exact) {
    const page = all.slice(offset, offset + limit);
    const items = await Promise.all(page.map((r) => view(r.id)));
    return { items: items.filter((o) => o !== undefined), total: all.length };
  }
  const matching: ProductOrder[] = [];
  for (const r of all) {
    const order = await view(r.id);
    if (order && states.includes(order.state)) matching.push(order);
  }
  return { items: matching.slice(offset, offset + limit), total: matching.length };
}

// ── creating ─────────────────────────────────────────────────────────────────

type Item = ProductOrderCreate['productOrderItem'][number];

function char(item: Item, name: string): string | undefined {
  const c = item.product?.productCharacteristic?.find((x) => x.name === name);
  return c === undefined ? undefined : String(c.value);
}

/** The pointer of an item's characteristic (its value), or of the list when the item has none of that name. */
function charPointer(item: Item, name: string): string {
  const i = item.product?.productCharacteristic?.findIndex((x) => x.name === name) ?? -1;
  return i < 0 ? '/productOrderItem/0/product/productCharacteristic' : `/productOrderItem/0/product/productCharacteristic/${i}/value`;
}

/**
 * The address of the item's place with one of these roles, joined into the one text the platform
 * stores and answers (AddressSchema): refused here, naming the place, when the joined parts do not
 * fit, so that what is accepted can always be read back.
 */
function addressOf(item: Item, roles: string[]): string | undefined {
  const places = item.product?.place ?? [];
  const index = places.findIndex((p) => roles.includes(p.role));
  const place = places[index]?.place;
  if (!place) return undefined;
  const parts = [place.stateOrProvince, place.city, place.locality, place.streetName, place.streetNr].map((p) => p?.trim()).filter(Boolean);
  const joined = parts.join(' ');
  if (!joined) return undefined;
  const checked = AddressSchema.safeParse(joined);
  if (!checked.success) {
    const pointer = `/productOrderItem/0/product/place/${index}/place`;
    throw tmf622Errors.invalid(
      `地址（省、市、区、街道与门牌合并后）为 ${joined.length} 个字符，须在 4 到 ${ADDRESS_MAX_LENGTH} 个之间。 ` +
        `The address (stateOrProvince, city, locality, streetName and streetNr joined) is ${joined.length} characters; it must have 4 to ${ADDRESS_MAX_LENGTH}.`,
      pointer,
    );
  }
  return checked.data;
}

async function offering(db: Db, code: string | undefined, pointer: string) {
  if (!code) throw tmf622Errors.invalid('Name the product offering (its catalogue code, e.g. HB-500M).', pointer);
  const [row] = await db.select().from(productCatalogue).where(eq(productCatalogue.code, code));
  if (!row || !row.active) throw tmf622Errors.invalid(`Product offering ${code} is not on sale.`, pointer);
  return { code: row.code, name: row.name, bandwidthMbps: row.bandwidthMbps, monthlyFeeCents: row.monthlyFeeCents };
}

const GRID = /^[A-Z]{2,4}-[A-Z]{2}-\d{2}$/;

/**
 * Creates a product order from its single item: `add` of a home-broadband offering is a new
 * install (createOrder), `modify` of a product in service a product change, relocation or
 * terminal repair (requestChange), `delete` a formal cancellation, or a scheduled one when a
 * requestedCompletionDate is given.
 */
export async function createProductOrder({
  caller,
  body,
  idempotencyKey,
  ...deps
}: Deps & { caller: Principal; body: ProductOrderCreate; idempotencyKey: string | undefined }): Promise<{
  productOrder: ProductOrder;
  created: boolean;
}> {
  const item = body.productOrderItem[0]!;
  const party = body.relatedParty?.find((p) => p.role === 'customer')?.partyOrPartyRole;
  const key = idempotencyKey ? `tmf622:${idempotencyKey}` : undefined;
  const requestHash = requestFingerprint(body);
  // The answer is checked against what the read routes answer before the creation counts: if it
  // cannot be given, the creation is undone (instance and row) and nothing of the request remains.
  const answer = async (id: string) => {
    try {
      return ProductOrderSchema.parse(await getProductOrder({ caller, id, progress: deps.progress }));
    } catch (e) {
      deps.log?.error({ err: e, businessKey: id }, 'a new product order could not be answered; undoing it');
      await discardCreated({ db: deps.db, engine: deps.engine, id, log: deps.log }).catch((undo: unknown) =>
        deps.log?.error({ err: undo, businessKey: id }, 'undoing a product order failed; it stays as created'),
      );
      throw e;
    }
  };
  // A new install keeps its key on the order, a change in tmf_request: a key already used by the
  // other kind was used for another request.
  const scopedKey = scopedIdempotencyKey(caller, key);
  if (item.action === 'add') {
    const [change] = scopedKey ? await deps.db.select().from(tmfRequests).where(eq(tmfRequests.idempotencyKey, scopedKey)) : [];
    if (change) throw idempotencyKeyReused(change.resourceId);
    const product = await offering(deps.db, item.productOffering?.id, '/productOrderItem/0/productOffering/id');
    const where = addressOf(item, ['installationAddress', 'installation']);
    if (!where)
      throw tmf622Errors.invalid(
        'Give the installation address as a GeographicAddress place with role installationAddress.',
        '/productOrderItem/0/product/place',
      );
    const grid = char(item, 'grid');
    if (!grid || !GRID.test(grid))
      throw tmf622Errors.invalid(
        'Give the service grid as the product characteristic "grid", e.g. URC-TS-01.',
        '/productOrderItem/0/product/productCharacteristic',
      );
    if (!body.notificationContact) throw tmf622Errors.invalid("Give the customer's phone as notificationContact.", '/notificationContact');
    const level = char(item, 'customerLevel') ?? 'local-c';
    if (!['group', 'province', 'local-a', 'local-b', 'local-c'].includes(level))
      throw tmf622Errors.invalid(
        'customerLevel is one of group, province, local-a, local-b, local-c.',
        '/productOrderItem/0/product/productCharacteristic',
      );
    const name = party?.name ?? (caller.role === 'customer' ? caller.name : undefined);
    if (!name) throw tmf622Errors.invalid('Name the customer in relatedParty (role customer).', '/relatedParty');
    if (party) owningCustomer(caller, party.id, RELATED_PARTY);
    const { order, created } = await createOrder({
      caller,
      body: {
        ...(party ? { customerId: party.id } : {}),
        customer: { name, phone: body.notificationContact, level: level as 'local-c' },
        address: where,
        grid,
        product,
      },
      idempotencyKey: key,
      requestHash,
      gridPointer: charPointer(item, 'grid'),
      orders: deps.orders,
      engine: deps.engine,
      engineTimeoutMs: deps.engineTimeoutMs,
      log: deps.log,
    });
    if (!created) return { productOrder: await getProductOrder({ caller, id: order.id, progress: deps.progress }), created };
    return { productOrder: await answer(order.id), created };
  }

  // modify / delete: the product in service is the line its new-install order built.
  const install = scopedKey ? await deps.orders.findByIdempotencyKey(scopedKey) : undefined;
  if (install) throw idempotencyKeyReused(install.id);
  const productId = item.product?.id;
  if (!productId)
    throw tmf622Errors.invalid('Name the product in service (product.id, its new-install order number).', '/productOrderItem/0/product/id');
  const [line] = await deps.db.select().from(orders).where(eq(orders.id, productId.toUpperCase()));
  if (!line || !canSee(caller, line.customerId))
    throw new ApiError(404, 'PRODUCT_NOT_FOUND', 'Product not found', `There is no product ${productId}.`);
  if (party) owningCustomer(caller, party.id, RELATED_PARTY);
  let change: ChangeRequest;
  if (item.action === 'delete') {
    const on = body.requestedCompletionDate ?? body.requestedStartDate;
    change =
      on && Date.parse(on) > Date.now() ? { changeType: 'scheduled-cancellation', cancelOn: on } : { changeType: 'formal-cancellation' };
  } else {
    const current = (line.product as { code: string }).code;
    const newAddress = addressOf(item, ['newAddress', 'installationAddress']);
    const symptom = char(item, 'symptom');
    if (item.productOffering && item.productOffering.id !== current) {
      change = {
        changeType: 'product-change',
        newProduct: await offering(deps.db, item.productOffering.id, '/productOrderItem/0/productOffering/id'),
      };
    } else if (newAddress) {
      const newGrid = char(item, 'grid');
      if (!newGrid || !GRID.test(newGrid))
        throw tmf622Errors.invalid(
          'A relocation names the new grid as the product characteristic "grid".',
          '/productOrderItem/0/product/productCharacteristic',
        );
      if (!(await deps.orders.knowsGrid(newGrid))) throw unknownGrid(newGrid, charPointer(item, 'grid'));
      change = { changeType: 'relocation', newAddress, newGrid };
    } else if (symptom) {
      change = { changeType: 'terminal-repair', symptom };
    } else {
      throw tmf622Errors.invalid(
        'A modify item changes the offering (product change), gives a newAddress place (relocation) or a "symptom" characteristic (terminal repair).',
        '/productOrderItem/0',
      );
    }
  }
  let productOrder: ProductOrder | undefined;
  const { resourceId, created } = await once({
    db: deps.db,
    key: scopedKey,
    requestHash,
    create: async () => {
      const { changeId } = await requestChange({
        orderId: line.id,
        change,
        db: deps.db,
        engine: deps.engine,
        engineTimeoutMs: deps.engineTimeoutMs,
      });
      productOrder = await answer(changeId);
      return changeId;
    },
  });
  return { productOrder: productOrder ?? (await getProductOrder({ caller, id: resourceId, progress: deps.progress })), created };
}

// ── cancelling ───────────────────────────────────────────────────────────────

type CancelRow = typeof cancelProductOrders.$inferSelect;

export function toCancelProductOrder(row: CancelRow, order: SubjectProgress | undefined): CancelProductOrder {
  const state = order ? stateHistory(order).at(-1)!.state : 'acknowledged';
  const reacted = order?.stages.some((s) => s.elementId === 'cancel-requested' || s.elementId === 'line-cancel-requested');
  const taskState: CancelProductOrder['state'] =
    state === 'cancelled'
      ? 'done'
      : state === 'completed' || state === 'failed'
        ? 'terminatedWithError'
        : reacted
          ? 'inProgress'
          : 'acknowledged';
  return {
    '@type': 'CancelProductOrder',
    id: row.id,
    href: cancelHref(row.id),
    state: taskState,
    productOrder: { '@type': 'ProductOrderRef', id: row.orderId, href: orderHref(row.orderId) },
    creationDate: row.createdAt.toISOString(),
    ...(row.reason ? { cancellationReason: row.reason } : {}),
    ...(row.requestedCancellationDate ? { requestedCancellationDate: row.requestedCancellationDate.toISOString() } : {}),
    ...(taskState === 'done' && order?.subject.closedAt ? { effectiveCancellationDate: order.subject.closedAt.toISOString() } : {}),
  };
}

async function cancelView(row: CancelRow, progress: ProgressRepository) {
  const subject = await progress.findSubject(row.orderId);
  return toCancelProductOrder(row, subject ? await progress.progress(subject) : undefined);
}

/** Asks an open new-install order's process to cancel it (its compensation releases the reserved port). */
export async function createCancelProductOrder({
  caller,
  body,
  idempotencyKey,
  ...deps
}: Deps & { caller: Principal; body: CancelProductOrderCreate; idempotencyKey: string | undefined }) {
  const orderId = body.productOrder.id.toUpperCase();
  const subject = await deps.progress.findSubject(orderId);
  if (!subject || !ORDER_PREFIXES.has(subject.kind) || !canSee(caller, subject.customerId))
    throw tmf622Errors.notFound(body.productOrder.id);
  if (subject.kind !== 'order' && subject.kind !== 'line') throw tmf622Errors.notCancellable(orderId);
  const key = scopedIdempotencyKey(caller, idempotencyKey ? `tmf622-cancel:${idempotencyKey}` : undefined);
  const { resourceId, created } = await once({
    db: deps.db,
    key,
    requestHash: requestFingerprint(body),
    create: async () => {
      const [row] = await deps.db
        .insert(cancelProductOrders)
        .values({
          orderId,
          customerId: subject.customerId,
          reason: body.cancellationReason ?? null,
          requestedCancellationDate: body.requestedCancellationDate ? new Date(body.requestedCancellationDate) : null,
        })
        .returning();
      if (!row) throw new Error('insert returned no row');
      try {
        if (subject.kind === 'line') {
          // an enterprise line: the process releases what the branches reserved (compensation)
          await cancelLineOrder({
            lineOrderId: orderId,
            reason: body.cancellationReason,
            db: deps.db,
            engine: deps.engine,
            engineTimeoutMs: deps.engineTimeoutMs,
            log: deps.log,
          });
        } else {
          await cancelOrder({
            caller,
            id: orderId,
            reason: body.cancellationReason,
            orders: deps.orders,
            db: deps.db,
            engine: deps.engine,
            engineTimeoutMs: deps.engineTimeoutMs,
            log: deps.log,
          });
        }
      } catch (e) {
        await deps.db.delete(cancelProductOrders).where(eq(cancelProductOrders.id, row.id));
        throw e;
      }
      return row.id;
    },
  });
  const [row] = await deps.db.select().from(cancelProductOrders).where(eq(cancelProductOrders.id, resourceId));
  return { cancelProductOrder: await cancelView(row!, deps.progress), created };
}

export async function getCancelProductOrder({
  caller,
  id,
  db,
  progress,
}: {
  caller: Principal;
  id: string;
  db: Db;
  progress: ProgressRepository;
}) {
  const [row] = await db.select().from(cancelProductOrders).where(eq(cancelProductOrders.id, id.toUpperCase()));
  if (!row || !canSee(caller, row.customerId)) throw tmf622Errors.cancelNotFound(id);
  return cancelView(row, progress);
}

export async function listCancelProductOrders({
  caller,
  offset,
  limit,
  db,
  progress,
  log,
}: {
  caller: Principal;
  offset: number;
  limit: number;
  db: Db;
  progress: ProgressRepository;
  log?: ListLog;
}) {
  const where = caller.role === 'customer' ? eq(cancelProductOrders.customerId, caller.customerId ?? '-') : undefined;
  const [total] = await db.select({ n: count() }).from(cancelProductOrders).where(where);
  const rows = await db
    .select()
    .from(cancelProductOrders)
    .where(where)
    .orderBy(desc(cancelProductOrders.createdAt), desc(cancelProductOrders.id))
    .offset(offset)
    .limit(limit);
  const items = await Promise.all(rows.map((r) => answerable(CancelProductOrderSchema, r.id, () => cancelView(r, progress), log)));
  return { items: items.filter((c) => c !== undefined), total: total?.n ?? 0 };
}
