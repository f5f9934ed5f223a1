import type { Language } from '../i18n/language.ts';
import { reasonIn } from '../i18n/reasons.ts';
import { HOME_BROADBAND_PROCESS_ID, MESSAGES, type OrderVariables } from '../../../contracts/home-broadband.ts';
import type { Db } from '../../../db/client.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { ApiError, errors } from '../../errors.ts';
import { canSee, owningCustomer, scopedIdempotencyKey } from '../auth/access.ts';
import type { Principal } from '../auth/schemas.ts';
import type { MessageState } from '../messages/repository.ts';
import { sendMessage } from '../messages/use-cases.ts';
import { discardInstance, startProcess } from '../record-and-start.ts';
import { conflicts, idempotencyKeyReused, requestFingerprint } from '../tmf/idempotency.ts';
import { currentConfirmationWait } from '../status/confirmation.ts';
import type { ProgressRepository } from '../status/repository.ts';
import type { OrderRepository, OrderRow, StageRow } from './repository.ts';
import type { CreateOrderBody, Order } from './schemas.ts';

/** A grid the resource inventory does not know: no crew serves it and no port can be reserved there. */
export const unknownGrid = (grid: string, pointer: string) =>
  new ApiError(
    400,
    'UNKNOWN_GRID',
    '未知网格 / Unknown grid',
    `资源系统中没有网格 ${grid}，请填写地址所在的网格。 The resource inventory has no grid ${grid}; give the grid of the address.`,
    [{ pointer, in: 'body', message: `资源系统中没有此网格 / no such grid in the resource inventory: ${grid}` }],
  );

/**
 * Accepts a home-broadband new-install order and starts its process; a retried request (same
 * Idempotency-Key, same request) returns the first order, another request with that key is refused
 * (422). `requestHash` fingerprints the request as the client sent it (default: this body);
 * `gridPointer` names the grid where the client gave it.
 */
export async function createOrder({
  caller,
  body,
  idempotencyKey: requestedKey,
  requestHash = requestFingerprint(body),
  gridPointer = '/grid',
  orders,
  engine,
  engineTimeoutMs,
  log,
}: {
  caller: Principal;
  body: CreateOrderBody;
  idempotencyKey: string | undefined;
  requestHash?: string;
  gridPointer?: string;
  orders: OrderRepository;
  engine: OperatonClient;
  engineTimeoutMs?: number;
  log?: Parameters<typeof discardInstance>[2];
}): Promise<{ order: Order; created: boolean }> {
  const customerId = owningCustomer(caller, body.customerId);
  const idempotencyKey = scopedIdempotencyKey(caller, requestedKey);
  const replay = async (existing: OrderRow) => {
    if (conflicts(existing.requestHash, requestHash)) throw idempotencyKeyReused(existing.id);
    return { order: await toOrder(existing, orders), created: false };
  };
  if (idempotencyKey) {
    const existing = await orders.findByIdempotencyKey(idempotencyKey);
    if (existing) return replay(existing);
  }
  if (!(await orders.knowsGrid(body.grid))) throw unknownGrid(body.grid, gridPointer);
  const start = (orderId: string) => {
    const variables: OrderVariables = { orderId, customer: body.customer, address: body.address, grid: body.grid, product: body.product };
    return startProcess({
      engine,
      bpmnProcessId: HOME_BROADBAND_PROCESS_ID,
      businessKey: orderId,
      variables: { ...variables },
      engineTimeoutMs,
    });
  };
  try {
    const row = await orders.insertAndStart(body, customerId, idempotencyKey, start, requestHash, (key) =>
      discardInstance(engine, key, log),
    );
    return { order: await toOrder(row, orders), created: true };
  } catch (e) {
    // The same Idempotency-Key raced in twice: the other request created the order.
    const err = e as { code?: string; cause?: { code?: string } };
    const duplicate = idempotencyKey && (err.code === '23505' || err.cause?.code === '23505');
    const existing = duplicate ? await orders.findByIdempotencyKey(idempotencyKey) : undefined;
    if (existing) return replay(existing);
    throw e;
  }
}

const FINAL_STATES = new Set(['completed', 'failed', 'cancelled']);

type OrderCommand = {
  caller: Principal;
  id: string;
  orders: OrderRepository;
  db: Db;
  engine: OperatonClient;
  engineTimeoutMs?: number;
  log?: { warn(context: object, message: string): void };
};

/**
 * A customer's message to an open order's process (api/domain/messages): recorded once per order
 * and message name (a repeat is the same message), delivered at once if the process waits for it,
 * else by the relay as soon as it does. A closed order refuses it (409).
 */
async function messageOpenOrder({
  caller,
  id,
  name,
  variables,
  orders,
  db,
  engine,
  engineTimeoutMs,
  log,
  check,
}: OrderCommand & {
  name: string;
  variables: Record<string, string>;
  /** Refuses the message for this order (throws), or names the round it is recorded for (`name#round`). */
  check?: (row: OrderRow) => Promise<number | undefined>;
}): Promise<{ order: Order; message: MessageState }> {
  const row = await orders.find(id);
  if (!row || !canSee(caller, row.customerId)) throw errors.orderNotFound(id);
  if (FINAL_STATES.has(row.state)) throw errors.orderClosed(id, row.state);
  const round = await check?.(row);
  const sent = await sendMessage({
    db,
    engine,
    businessKey: id,
    messageName: round === undefined ? name : `${name}#${round}`,
    variables,
    processInstanceKey: row.processInstanceKey,
    engineTimeoutMs,
    log,
  });
  return { order: await toOrder(row, orders), message: sent.state };
}

/** A customer's cancellation: the process's event subprocess releases what was reserved and closes the order. */
export function cancelOrder({ reason, ...command }: OrderCommand & { reason: string | undefined }) {
  return messageOpenOrder({
    ...command,
    name: MESSAGES.orderCancelled,
    variables: { cancellationReason: reason ?? 'Cancelled by the customer' },
  });
}

/** The customer confirms the install; delivered when the process waits for it (it may be sent before). */
export function confirmOrder(command: OrderCommand) {
  return messageOpenOrder({
    ...command,
    name: MESSAGES.customerConfirmed,
    variables: { customerConfirmedAt: new Date().toISOString() },
  });
}

/** The order does not wait for its customer's answer now (not installed and checked yet, or answered already). */
export const notAwaitingConfirmation = (id: string) =>
  new ApiError(
    409,
    'NOT_AWAITING_CONFIRMATION',
    '订单当前无需您确认 / The order is not waiting for your confirmation',
    `订单 ${id} 当前不在等待您确认装机，装机完成并通过质检后才能反映问题。 Order ${id} is not waiting for your confirmation: a problem can be reported once the install is done and checked.`,
  );

/**
 * The customer reports a problem with the install instead of confirming it: the crew rectifies it
 * (the note on its form), the quality check runs again, then the customer is asked again. Only while
 * the order waits for the answer (409 otherwise); one message per wait, so pressing twice reports once.
 */
export function reportProblem({
  note,
  progress,
  ...command
}: OrderCommand & { note: string; progress: Pick<ProgressRepository, 'findSubject' | 'progress' | 'forget'> }) {
  return messageOpenOrder({
    ...command,
    name: MESSAGES.customerReportedProblem,
    variables: { customerProblemNote: note, customerProblemReportedAt: new Date().toISOString() },
    check: async () => {
      progress.forget(command.id);
      const subject = await progress.findSubject(command.id);
      const wait = subject && currentConfirmationWait(await progress.progress(subject));
      if (!wait) throw notAwaitingConfirmation(command.id);
      return wait.round;
    },
  });
}

export async function getOrder({
  caller,
  id,
  orders,
  lang = 'zh',
}: {
  caller: Principal;
  id: string;
  orders: OrderRepository;
  lang?: Language;
}): Promise<Order> {
  const row = await orders.find(id);
  if (!row || !canSee(caller, row.customerId)) throw errors.orderNotFound(id);
  return toOrder(row, orders, lang);
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

async function toOrder(row: OrderRow, orders: OrderRepository, lang: Language = 'zh'): Promise<Order> {
  // The instance's state first, then its stages: an instance read as ended has every stage of it in
  // the read model (the projector writes both in one transaction). Read at once, on two connections,
  // a projection committed between the two reads showed a completed instance without its end event.
  const processState = row.processInstanceKey ? await orders.processState(row.processInstanceKey) : undefined;
  const stages = row.processInstanceKey ? await orders.stages(row.processInstanceKey) : [];
  const timeline = stages.map(toStage);
  return {
    id: row.id,
    kind: row.kind,
    customerId: row.customerId,
    state: row.state as Order['state'],
    stateReason: reasonIn(lang, row.stateReason),
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
