import {
  CUSTOMER_WAIT_ENDED,
  CUSTOMER_WAIT_REASONS,
  CUSTOMER_WAIT_STARTED,
  SLA_PAUSE_STATE_LABELS,
  type CustomerWaitReason,
  type SlaPauseState,
} from '../../../contracts/sla-pause.ts';
import { branchOfGrid } from '../../../contracts/organisation.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { ApiError } from '../../errors.ts';
import type { Principal } from '../auth/schemas.ts';
import { engineCommand } from '../engine-command.ts';
import type { SlaPauseRepository, SlaPauseRow } from './repository.ts';
import type { CustomerWait, EndCustomerWaitBody, StartCustomerWaitBody } from './schemas.ts';

/** Groups that may record a customer-caused wait on any ticket of their branch, besides the crew it was dispatched to. */
const CENTERS = ['monitoring-center', 'customer-response-center'];

export const slaPauseErrors = {
  ticketNotFound: (id: string) =>
    new ApiError(
      404,
      'TICKET_NOT_FOUND',
      'Ticket not found',
      `没有故障单 ${id}（或不属于您的班组与分公司）。 There is no trouble ticket ${id} for your groups and branch.`,
    ),
  notInRepair: (id: string) =>
    new ApiError(
      409,
      'TICKET_NOT_IN_REPAIR',
      'Ticket is not being repaired on site',
      `故障单 ${id} 当前不在上门维修环节，不能登记客户原因暂停。 Ticket ${id} is not at the on-site repair: a customer-caused wait can only be recorded there.`,
    ),
  alreadyPaused: (id: string) =>
    new ApiError(
      409,
      'CUSTOMER_WAIT_OPEN',
      'A customer-caused wait is already open',
      `故障单 ${id} 已有未结束的客户原因暂停。 Ticket ${id} already has an open customer-caused wait.`,
    ),
  notPaused: (id: string) =>
    new ApiError(
      409,
      'TICKET_NOT_PAUSED',
      'Ticket is not paused',
      `故障单 ${id} 没有进行中的客户原因暂停。 Ticket ${id} has no customer-caused wait going on.`,
    ),
  stillStarting: (id: string) =>
    new ApiError(
      409,
      'CUSTOMER_WAIT_STARTING',
      'The pause is still being recorded',
      `故障单 ${id} 的暂停正在登记，请稍后再试。 The pause of ticket ${id} is still being recorded by the process; try again in a moment.`,
    ),
};

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toCustomerWait(row: SlaPauseRow): CustomerWait {
  const reason = row.reason as CustomerWaitReason;
  const state = row.state as SlaPauseState;
  return {
    id: row.id,
    ticketId: row.ticketId,
    orderId: row.orderId,
    reason,
    reasonLabel: CUSTOMER_WAIT_REASONS[reason],
    note: row.note,
    evidenceRef: row.evidenceRef,
    state,
    stateLabel: SLA_PAUSE_STATE_LABELS[state],
    recordedBy: row.recordedBy,
    requestedAt: row.requestedAt.toISOString(),
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    endOutcome: row.endOutcome as CustomerWait['endOutcome'],
    appointmentAt: iso(row.appointmentAt),
    endNote: row.endNote,
    endedBy: row.endedBy,
    pausedWorkingMinutes: row.pausedWorkingMs === null ? null : Math.round(row.pausedWorkingMs / 60_000),
    confirmationRequired: row.confirmationRequired,
    dueBefore: iso(row.dueBefore),
    dueAfter: iso(row.dueAfter),
    decidedBy: row.decidedBy,
    decisionNote: row.decisionNote,
  };
}

/**
 * The ticket, if the caller may record waits on it: admins any; a clerk of the crew it was
 * dispatched to, or of the monitoring / response center, in the ticket's branch (or with none).
 * Anything else is not revealed (404), as tasks of other groups are not.
 */
async function workableTicket(caller: Principal, id: string, repo: SlaPauseRepository) {
  const ticket = await repo.ticket(id.toUpperCase());
  if (!ticket?.processInstanceKey) throw slaPauseErrors.ticketNotFound(id);
  if (caller.role === 'admin') return { ticket, processInstanceKey: ticket.processInstanceKey };
  const crew = await repo.crewGroup(ticket.processInstanceKey);
  const groups = crew ? [crew, ...CENTERS] : CENTERS;
  if (!caller.groups.some((g) => groups.includes(g))) throw slaPauseErrors.ticketNotFound(id);
  const diagnosis = ticket.diagnosis as { line?: { grid?: string } } | null;
  const branch = branchOfGrid(diagnosis?.line?.grid);
  if (caller.branch && branch && caller.branch !== branch) throw slaPauseErrors.ticketNotFound(id);
  return { ticket, processInstanceKey: ticket.processInstanceKey };
}

interface Command {
  caller: Principal;
  id: string;
  repo: SlaPauseRepository;
  engine: OperatonClient;
  engineTimeoutMs?: number;
}

/**
 * A crew or clerk records a customer-caused wait: the pause is stored (one open per ticket), then
 * `customer-wait-started` interrupts the on-site repair and its SLA timers. Staff record what is
 * happening now, so nothing is kept for later: if the repair is not waiting on site, the record is
 * removed again and the answer is 409.
 */
export async function startCustomerWait({ caller, id, repo, engine, engineTimeoutMs, body }: Command & { body: StartCustomerWaitBody }) {
  const { ticket, processInstanceKey } = await workableTicket(caller, id, repo);
  if (ticket.state === 'closed' || ticket.state === 'cancelled') throw slaPauseErrors.notInRepair(ticket.id);
  if (await repo.open(ticket.id)) throw slaPauseErrors.alreadyPaused(ticket.id);
  if (!(await repo.repairOpen(processInstanceKey))) throw slaPauseErrors.notInRepair(ticket.id);
  const row = await repo.insertRequested({
    ticketId: ticket.id,
    processInstanceKey,
    reason: body.reason,
    note: body.note,
    evidenceRef: body.evidenceRef ?? null,
    recordedBy: caller.username,
  });
  if (!row) throw slaPauseErrors.alreadyPaused(ticket.id);
  let answer: 'correlated' | 'no-match';
  try {
    answer = await engineCommand(
      `recording a customer-caused wait on ${ticket.id}`,
      () =>
        engine.correlateMessage({
          messageName: CUSTOMER_WAIT_STARTED,
          businessKey: ticket.id,
          processInstanceId: processInstanceKey,
          // what the response center's confirmation form shows
          processVariables: {
            slaPauseId: row.id,
            customerWaitReason: `${CUSTOMER_WAIT_REASONS[body.reason].zh} / ${CUSTOMER_WAIT_REASONS[body.reason].en}`,
            customerWaitNote: body.note,
          },
        }),
      { timeoutMs: engineTimeoutMs },
    );
  } catch (e) {
    // Not correlated as far as we know: the record goes (a correlation that did happen finds its row gone and fails visibly).
    await repo.remove(row.id);
    throw e;
  }
  if (answer === 'no-match') {
    await repo.remove(row.id);
    throw slaPauseErrors.notInRepair(ticket.id);
  }
  return toCustomerWait((await repo.find(row.id)) ?? row);
}

/** The wait is over (a new appointment, or the customer can be reached): `customer-wait-ended` resumes the clock. */
export async function endCustomerWait({ caller, id, repo, engine, engineTimeoutMs, body }: Command & { body: EndCustomerWaitBody }) {
  const { ticket, processInstanceKey } = await workableTicket(caller, id, repo);
  const open = await repo.open(ticket.id);
  if (!open || open.state === 'awaiting-confirmation') throw slaPauseErrors.notPaused(ticket.id);
  if (open.state === 'requested') throw slaPauseErrors.stillStarting(ticket.id);
  const answer = await engineCommand(
    `ending the customer-caused wait on ${ticket.id}`,
    () =>
      engine.correlateMessage({
        messageName: CUSTOMER_WAIT_ENDED,
        businessKey: ticket.id,
        processInstanceId: processInstanceKey,
        processVariables: { customerWaitOutcome: body.outcome },
      }),
    { timeoutMs: engineTimeoutMs },
  );
  if (answer === 'no-match') throw slaPauseErrors.stillStarting(ticket.id);
  await repo.noteEnd(open.id, {
    endOutcome: body.outcome,
    appointmentAt: body.appointmentAt ? new Date(body.appointmentAt) : null,
    endNote: body.note ?? null,
    endedBy: caller.username,
  });
  return toCustomerWait((await repo.find(open.id)) ?? open);
}

export async function listCustomerWaits({ caller, id, repo }: { caller: Principal; id: string; repo: SlaPauseRepository }) {
  const ticket = await repo.ticket(id.toUpperCase());
  // Leaders and process owners read every ticket; clerks those of their groups and branch.
  if (caller.role === 'clerk') await workableTicket(caller, id, repo);
  else if (!ticket) throw slaPauseErrors.ticketNotFound(id);
  return (await repo.ofTicket(id.toUpperCase())).map(toCustomerWait);
}
