import { HOME_BROADBAND_PROCESS_ID, MESSAGES, type OrderVariables } from '../../../contracts/home-broadband.ts';
import { publishMessageOnce, withEngineTimeout, type ZeebeClient } from '../../../engine/camunda.ts';
import { errors } from '../../errors.ts';
import { canSee, owningCustomer, scopedIdempotencyKey } from '../auth/access.ts';
import type { Principal } from '../auth/schemas.ts';
import type { OrderRepository, OrderRow, StageRow } from './repository.ts';
import type { CreateOrderBody, Order } from './schemas.ts';

/** Accepts a home-broadband new-install order and starts its process; a retried request (same Idempotency-Key) returns the first order. */
export async function createOrder({
  caller,
  body,
  idempotencyKey: requestedKey,
  orders,
  zeebe,
  engineTimeoutMs,
}: {
  caller: Principal;
  body: CreateOrderBody;
  idempotencyKey: string | undefined;
  orders: OrderRepository;
  zeebe: ZeebeClient;
  engineTimeoutMs: number;
}): Promise<{ order: Order; created: boolean }> {
  const customerId = owningCustomer(caller, body.customerId);
  const idempotencyKey = scopedIdempotencyKey(caller, requestedKey);
  if (idempotencyKey) {
    const existing = await orders.findByIdempotencyKey(idempotencyKey);
    if (existing) return { order: await toOrder(existing, orders), created: false };
  }
  const start = async (orderId: string) => {
    const variables: OrderVariables = { orderId, customer: body.customer, address: body.address, grid: body.grid, product: body.product };
    const started = await withEngineTimeout(
      zeebe.createProcessInstance({ bpmnProcessId: HOME_BROADBAND_PROCESS_ID, variables }),
      engineTimeoutMs,
      'starting the order process',
    );
    return started.processInstanceKey;
  };
  try {
    const row = await orders.insertAndStart(body, customerId, idempotencyKey, start);
    return { order: await toOrder(row, orders), created: true };
  } catch (e) {
    // The same Idempotency-Key raced in twice: the other request created the order.
    const err = e as { code?: string; cause?: { code?: string } };
    const duplicate = idempotencyKey && (err.code === '23505' || err.cause?.code === '23505');
    const existing = duplicate ? await orders.findByIdempotencyKey(idempotencyKey) : undefined;
    if (existing) return { order: await toOrder(existing, orders), created: false };
    throw e;
  }
}

const FINAL_STATES = new Set(['completed', 'failed', 'cancelled']);

/**
 * Sends a message to an open order's process, correlated by the order id. The message id makes a
 * repeated request a no-op while the first is still buffered; the time to live buffers it until
 * the process waits for it.
 */
async function messageOpenOrder({
  caller,
  id,
  name,
  timeToLive,
  variables,
  what,
  orders,
  zeebe,
  engineTimeoutMs,
}: {
  caller: Principal;
  id: string;
  name: string;
  timeToLive: number;
  variables: Record<string, string>;
  what: string;
  orders: OrderRepository;
  zeebe: ZeebeClient;
  engineTimeoutMs: number;
}): Promise<Order> {
  const row = await orders.find(id);
  if (!row || !canSee(caller, row.customerId)) throw errors.orderNotFound(id);
  if (FINAL_STATES.has(row.state)) throw errors.orderClosed(id, row.state);
  await publishMessageOnce(zeebe, { name, correlationKey: id, messageId: `${name}:${id}`, timeToLive, variables }, engineTimeoutMs, what);
  return toOrder(row, orders);
}

type OrderCommand = { caller: Principal; id: string; orders: OrderRepository; zeebe: ZeebeClient; engineTimeoutMs: number };

/** A customer's cancellation: the process's event subprocess releases what was reserved and closes the order. */
export function cancelOrder({ reason, ...command }: OrderCommand & { reason: string | undefined }): Promise<Order> {
  return messageOpenOrder({
    ...command,
    name: MESSAGES.orderCancelled,
    timeToLive: 3_600_000,
    variables: { cancellationReason: reason ?? 'Cancelled by the customer' },
    what: 'publishing the cancellation',
  });
}

/** The customer confirms the install; buffered until the process waits for it (up to 3 days). */
export function confirmOrder(command: OrderCommand): Promise<Order> {
  return messageOpenOrder({
    ...command,
    name: MESSAGES.customerConfirmed,
    timeToLive: 3 * 24 * 3_600_000,
    variables: { customerConfirmedAt: new Date().toISOString() },
    what: 'publishing the confirmation',
  });
}

export async function getOrder({ caller, id, orders }: { caller: Principal; id: string; orders: OrderRepository }): Promise<Order> {
  const row = await orders.find(id);
  if (!row || !canSee(caller, row.customerId)) throw errors.orderNotFound(id);
  return toOrder(row, orders);
}

function toStage(s: StageRow) {
  return {
    elementId: s.elementId,
    name: s.name,
    type: s.elementType,
    state: s.state as 'active' | 'completed' | 'terminated',
    startedAt: s.startedAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
  };
}

async function toOrder(row: OrderRow, orders: OrderRepository): Promise<Order> {
  const [stages, processState] = row.processInstanceKey
    ? await Promise.all([orders.stages(row.processInstanceKey), orders.processState(row.processInstanceKey)])
    : [[], undefined];
  const timeline = stages.map(toStage);
  return {
    id: row.id,
    kind: row.kind,
    customerId: row.customerId,
    state: row.state as Order['state'],
    stateReason: row.stateReason,
    customer: { name: row.customerName, phone: row.customerPhone, level: row.customerLevel },
    address: row.address,
    grid: row.grid,
    product: row.product as Order['product'],
    processInstanceKey: row.processInstanceKey,
    processState: processState ?? null,
    currentStages: timeline.filter((s) => s.state === 'active'),
    timeline,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}
