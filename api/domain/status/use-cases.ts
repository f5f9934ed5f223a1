import type { Language } from '../i18n/language.ts';
import { reasonIn } from '../i18n/reasons.ts';
import { ApiError } from '../../errors.ts';
import { canSee } from '../auth/access.ts';
import type { Principal } from '../auth/schemas.ts';
import { ESCALATION_LABELS, ESCALATION_REASON_FOR_CUSTOMERS, KIND_LABELS, STATE_LABELS, stageLabel } from './labels.ts';
import { groupName } from '../../../contracts/names.ts';
import { CUSTOMER_WAIT_REASONS, SLA_PAUSE_STATE_LABELS, type CustomerWaitReason } from '../../../contracts/sla-pause.ts';
import { customerWaits, jeopardies, milestones, sla, stateHistory, visibleStages } from './progress.ts';
import { AUTO_CONFIRM_MS, currentConfirmationWait } from './confirmation.ts';
import type { ProgressRepository, SubjectProgress } from './repository.ts';
import type { StatusView } from './schemas.ts';

export const subjectNotFound = (id: string) =>
  new ApiError(
    404,
    'NOT_FOUND',
    '未找到 / Not found',
    `没有单号为 ${id} 的订单、工单或投诉。 There is no order, ticket or complaint ${id}.`,
  );

const BPMN_PROCESS: Record<string, string> = { fault: 'fault-trouble-ticket' };

/** The plain status of an order, change, line order, ticket or complaint: for people, in two languages. */
export async function getStatus({
  caller,
  id,
  progress: repo,
  now = new Date(),
  lang = 'zh',
}: {
  caller: Principal;
  id: string;
  progress: ProgressRepository;
  now?: Date;
  /** The language of stateReason (the labels come in both). */
  lang?: Language;
}): Promise<StatusView> {
  const subject = await repo.findSubject(id.toUpperCase());
  if (!subject || !canSee(caller, subject.customerId)) throw subjectNotFound(id);
  const p = await repo.progress(subject);
  const history = stateHistory(p);
  const current = history.at(-1)!;
  const stages = visibleStages(p.stages);
  const limit = sla(p);
  const done = ['completed', 'closed', 'failed', 'cancelled'].includes(current.state);
  let eta: Date | null = null;
  let etaBasis: StatusView['etaBasis'] = 'none';
  if (!done) {
    const typical = await repo.medianDurationMs(BPMN_PROCESS[subject.process] ?? subject.process);
    const estimate = typical === null ? null : new Date(subject.createdAt.getTime() + typical);
    if (estimate && estimate.getTime() > now.getTime()) [eta, etaBasis] = [estimate, 'typical-duration'];
    else if (limit && limit.dueAt.getTime() > now.getTime()) [eta, etaBasis] = [limit.dueAt, 'sla'];
  }
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const waiting = done ? undefined : currentConfirmationWait(p);
  const currentStages = stages
    .filter((s) => s.state === 'active')
    .map((s) => ({ elementId: s.elementId, label: s.label, since: s.startedAt.toISOString() }));
  // The event-based gateway is no stage of the read model: the wait for the customer is one for people.
  if (waiting)
    currentStages.push({ elementId: 'await-confirmation', label: stageLabel('await-confirmation', null), since: iso(waiting.since)! });
  return {
    id: subject.id,
    kind: subject.kind,
    kindLabel: KIND_LABELS[subject.process] ?? { zh: subject.process, en: subject.process },
    state: current.state,
    stateLabel: STATE_LABELS[current.state] ?? { zh: current.state, en: current.state },
    stateReason: reasonIn(lang, subject.stateReason ?? (current.state === 'acknowledged' ? null : current.reason)),
    createdAt: subject.createdAt.toISOString(),
    closedAt: iso(subject.closedAt),
    currentStages,
    timeline: stages.map((s) => ({ ...s, startedAt: s.startedAt.toISOString(), endedAt: iso(s.endedAt) })),
    milestones: milestones(p, now).map((m) => ({ ...m, at: iso(m.at) })),
    sla: limit && {
      label: limit.label,
      dueAt: limit.dueAt.toISOString(),
      basis: limit.basis,
      met: limit.met,
      breached: limit.met === false || (limit.met === null && !done && !limit.paused && limit.dueAt.getTime() < now.getTime()),
      paused: limit.paused ?? false,
      pausedWorkingMinutes: limit.pausedWorkingMinutes ?? 0,
    },
    eta: iso(eta),
    etaBasis,
    escalations: jeopardies(p).map((j) => ({
      level: j.level,
      label: ESCALATION_LABELS[j.level]!,
      reason: ESCALATION_REASON_FOR_CUSTOMERS[lang],
      at: j.at.toISOString(),
    })),
    // The customer sees why and how long the clock paused; the crew's note stays with staff.
    customerWaits: customerWaits(p).flatMap((w) =>
      w.state === 'requested'
        ? []
        : [
            {
              reason: w.reason,
              reasonLabel: CUSTOMER_WAIT_REASONS[w.reason as CustomerWaitReason],
              state: w.state as 'active' | 'awaiting-confirmation' | 'counted' | 'refused',
              stateLabel: SLA_PAUSE_STATE_LABELS[w.state as 'active'],
              startedAt: w.startedAt.toISOString(),
              endedAt: iso(w.endedAt),
              appointmentAt: iso(w.appointmentAt),
              pausedWorkingMinutes: w.pausedWorkingMs === null ? null : Math.round(w.pausedWorkingMs / 60_000),
            },
          ],
    ),
    awaitingCustomer: waiting
      ? {
          step: 'confirm-install',
          label: stageLabel('await-confirmation', null),
          hint: {
            zh: '装机已完成并通过质检。请确认网络正常；如有问题请告诉我们，装维人员会上门整改。',
            en: 'The install is done and passed the quality check. Confirm it works, or tell us what is wrong and the crew will fix it.',
          },
          since: waiting.since.toISOString(),
          autoConfirmAt: new Date(waiting.since.getTime() + AUTO_CONFIRM_MS).toISOString(),
          actions: [
            { id: 'confirm', label: { zh: '确认', en: 'Confirm' }, method: 'POST', href: `/orders/${subject.id}/confirm` },
            {
              id: 'report-problem',
              label: { zh: '有问题', en: 'Report a problem' },
              method: 'POST',
              href: `/orders/${subject.id}/problem`,
            },
          ],
        }
      : null,
    visit: await visitOf(p, repo),
  };
}

/** A home-broadband install's booked visit and crew: the appointment form's time, the routing decision's crew and its duty phone. */
async function visitOf(p: SubjectProgress, repo: ProgressRepository): Promise<StatusView['visit']> {
  if (p.subject.kind !== 'order') return null;
  const dispatch = p.variables.dispatch as { crewGroup?: unknown; crewName?: unknown } | undefined;
  const appointmentAt = visitTime(p.variables.appointmentAt);
  const crewGroup = typeof dispatch?.crewGroup === 'string' ? dispatch.crewGroup : null;
  if (!appointmentAt && !crewGroup) return null;
  const contact = crewGroup ? await repo.dutyContact(crewGroup) : undefined;
  return {
    appointmentAt: appointmentAt?.toISOString() ?? null,
    crewName: crewNameOf(crewGroup, dispatch?.crewName),
    crewPhone: contact?.phone ?? null,
  };
}

/** The crew by its group's name; an unknown group (no name in contracts/names.ts) by the routing decision's. */
function crewNameOf(crewGroup: string | null, decided: unknown): { zh: string; en: string } | null {
  const named = crewGroup ? groupName(crewGroup) : undefined;
  if (named && named.zh !== crewGroup) return named;
  if (typeof decided === 'string') return { zh: decided, en: decided };
  return named ?? null;
}

/** A form's date-time without a zone ('2026-11-25T15:00') is Beijing wall time; FEEL's '…+08:00[Asia/Shanghai]' and instants convert. */
export function visitTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim().replace(/\[.*\]$/, '');
  const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?$/.exec(text);
  const date = new Date(local ? `${local[1]}T${local[2]}${local[3] ?? ':00'}+08:00` : text);
  return Number.isNaN(date.getTime()) ? null : date;
}
