import { branchOfGrid } from '../../../contracts/organisation.ts';
import type { BusinessCalendar } from '../../../calendar/business-calendar.ts';
import { movedDeadline, PostgresSlaPauseStore } from '../../../workers/adapters/sla-pause-store.ts';
import { ApiError } from '../../errors.ts';
import type { Principal } from '../auth/schemas.ts';
import { installDueAt } from '../status/progress.ts';
import type { SlaPauseRepository } from './repository.ts';
import type { DecideCustomerWaitBody, EndCustomerWaitBody, StartCustomerWaitBody } from './schemas.ts';
import { toCustomerWait } from './use-cases.ts';

/**
 * Customer-caused waits (客户原因) on home-broadband install orders (docs/sla-pauses.md). The install
 * SLA is no BPMN timer but a limit computed from the order's creation (docs/decisions.md "Install
 * SLA"), so there is nothing in the process to interrupt: the crew's appointment or install task
 * stays open, and the API pauses and moves the computed due with the tickets' arithmetic
 * (`movedDeadline`) and limit rule (`PostgresSlaPauseStore.end`). Times are the API's clock.
 */
const INSTALL = 'home-broadband-new-install';

export const installWaitErrors = {
  orderNotFound: (id: string) =>
    new ApiError(
      404,
      'ORDER_NOT_FOUND',
      'Order not found',
      `没有装机订单 ${id}（或不属于您的班组与分公司）。 There is no install order ${id} for your groups and branch.`,
    ),
  notInInstall: (id: string) =>
    new ApiError(
      409,
      'ORDER_NOT_IN_INSTALL',
      'Order is not between dispatch and activation',
      `订单 ${id} 当前不在预约或上门装机环节，不能登记客户原因暂停。 Order ${id} is neither at the appointment nor at the on-site install: a customer-caused wait can only be recorded there.`,
    ),
  alreadyPaused: (id: string) =>
    new ApiError(
      409,
      'CUSTOMER_WAIT_OPEN',
      'A customer-caused wait is already open',
      `订单 ${id} 已有未结束的客户原因暂停。 Order ${id} already has an open customer-caused wait.`,
    ),
  notPaused: (id: string) =>
    new ApiError(
      409,
      'ORDER_NOT_PAUSED',
      'Order is not paused',
      `订单 ${id} 没有进行中的客户原因暂停。 Order ${id} has no customer-caused wait going on.`,
    ),
  nothingToDecide: (id: string) =>
    new ApiError(
      409,
      'NO_PAUSE_AWAITING_CONFIRMATION',
      'No pause awaits the response center',
      `订单 ${id} 没有待客响中心确认的暂停。 No pause of order ${id} awaits the response center's decision.`,
    ),
};

export interface InstallWaitDeps {
  caller: Principal;
  id: string;
  repo: SlaPauseRepository;
  store: PostgresSlaPauseStore;
  calendar: () => Promise<BusinessCalendar>;
  now: () => Date;
}

/**
 * The install order, if the caller may record waits on it: admins any; the install crew it was
 * dispatched to, or the order center (and, for decisions, the response center) of its branch.
 * Anything else is not revealed (404).
 */
async function workableOrder(caller: Principal, id: string, repo: SlaPauseRepository, centers: string[]) {
  const order = await repo.order(id.toUpperCase());
  if (!order?.processInstanceKey || order.kind !== INSTALL) throw installWaitErrors.orderNotFound(id);
  if (caller.role === 'admin') return { order, processInstanceKey: order.processInstanceKey };
  const crew = await repo.installCrewGroup(order.processInstanceKey);
  const groups = crew ? [crew, ...centers] : centers;
  if (!caller.groups.some((g) => groups.includes(g))) throw installWaitErrors.orderNotFound(id);
  const branch = branchOfGrid(order.grid);
  if (caller.branch && branch && caller.branch !== branch) throw installWaitErrors.orderNotFound(id);
  return { order, processInstanceKey: order.processInstanceKey };
}

const RECORDERS = ['order-center'];
const READERS = ['order-center', 'customer-response-center'];

/** The crew or the order center records a wait: the install clock pauses now, at the due it had. */
export async function startInstallWait(deps: InstallWaitDeps & { body: StartCustomerWaitBody }) {
  const { caller, id, repo, body, now } = deps;
  const { order, processInstanceKey } = await workableOrder(caller, id, repo, RECORDERS);
  if (['completed', 'failed', 'cancelled'].includes(order.state)) throw installWaitErrors.notInInstall(order.id);
  if (await repo.openOfOrder(order.id)) throw installWaitErrors.alreadyPaused(order.id);
  if (!(await repo.installOpen(processInstanceKey))) throw installWaitErrors.notInInstall(order.id);
  const row = await repo.insertActiveForOrder({
    orderId: order.id,
    processInstanceKey,
    reason: body.reason,
    note: body.note,
    evidenceRef: body.evidenceRef ?? null,
    recordedBy: caller.username,
    startedAt: now(),
    dueBefore: installDueAt(order.createdAt, order.customerLevel, await repo.ofOrder(order.id)),
  });
  if (!row) throw installWaitErrors.alreadyPaused(order.id);
  return toCustomerWait(row);
}

/**
 * The wait is over: its working time is measured on the business calendar; within the limit the due
 * moves by it at once, above it (more than 2 pauses or 48 working hours) the response center decides.
 */
export async function endInstallWait(deps: InstallWaitDeps & { body: EndCustomerWaitBody }) {
  const { caller, id, repo, store, calendar, body, now } = deps;
  const { order } = await workableOrder(caller, id, repo, RECORDERS);
  const open = await repo.openOfOrder(order.id);
  if (!open || open.state !== 'active' || !open.startedAt || !open.dueBefore) throw installWaitErrors.notPaused(order.id);
  const endedAt = now();
  await repo.noteEnd(open.id, {
    endOutcome: body.outcome,
    appointmentAt: body.appointmentAt ? new Date(body.appointmentAt) : null,
    endNote: body.note ?? null,
    endedBy: caller.username,
  });
  const cal = await calendar();
  const ended = await store.end(open.id, endedAt, cal);
  if (!ended.confirmationRequired) {
    await repo.settle(open.id, 'active', {
      state: 'counted',
      decidedAt: endedAt,
      dueAfter: movedDeadline(cal, open.dueBefore, open.startedAt, endedAt),
    });
  }
  return toCustomerWait((await repo.find(open.id)) ?? open);
}

/**
 * The response center decides on a wait above the limit: confirmed, the due moves by the paused
 * working time counted from the wait's end (deciding late gains nothing); refused, the due stands.
 */
export async function decideInstallWait(deps: InstallWaitDeps & { body: DecideCustomerWaitBody }) {
  const { caller, id, repo, calendar, body, now } = deps;
  const { order } = await workableOrder(caller, id, repo, ['customer-response-center']);
  if (caller.role !== 'admin' && !caller.groups.includes('customer-response-center')) throw installWaitErrors.orderNotFound(id);
  const open = await repo.openOfOrder(order.id);
  if (!open || open.state !== 'awaiting-confirmation' || !open.startedAt || !open.endedAt || !open.dueBefore)
    throw installWaitErrors.nothingToDecide(order.id);
  const dueAfter = body.confirmed ? movedDeadline(await calendar(), open.dueBefore, open.startedAt, open.endedAt) : open.dueBefore;
  const settled = await repo.settle(open.id, 'awaiting-confirmation', {
    state: body.confirmed ? 'counted' : 'refused',
    decidedAt: now(),
    dueAfter,
    decidedBy: caller.username,
    decisionNote: body.note ?? null,
  });
  if (!settled) throw installWaitErrors.nothingToDecide(order.id);
  return toCustomerWait(settled);
}

export async function listInstallWaits({ caller, id, repo }: { caller: Principal; id: string; repo: SlaPauseRepository }) {
  const order = await repo.order(id.toUpperCase());
  // Leaders and process owners read every order; clerks those of their groups and branch.
  if (caller.role === 'clerk') await workableOrder(caller, id, repo, READERS);
  else if (!order || order.kind !== INSTALL) throw installWaitErrors.orderNotFound(id);
  return (await repo.ofOrder(id.toUpperCase())).map(toCustomerWait);
}
