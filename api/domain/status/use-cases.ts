import type { Language } from '../i18n/language.ts';
import { reasonIn } from '../i18n/reasons.ts';
import { ApiError } from '../../errors.ts';
import { canSee } from '../auth/access.ts';
import type { Principal } from '../auth/schemas.ts';
import { ESCALATION_LABELS, KIND_LABELS, STATE_LABELS } from './labels.ts';
import { CUSTOMER_WAIT_REASONS, SLA_PAUSE_STATE_LABELS, type CustomerWaitReason } from '../../../contracts/sla-pause.ts';
import { customerWaits, jeopardies, milestones, sla, stateHistory, visibleStages } from './progress.ts';
import type { ProgressRepository } from './repository.ts';
import type { StatusView } from './schemas.ts';

export const subjectNotFound = (id: string) => new ApiError(404, 'NOT_FOUND', 'Not found', `There is no order, ticket or complaint ${id}.`);

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
  return {
    id: subject.id,
    kind: subject.kind,
    kindLabel: KIND_LABELS[subject.process] ?? { zh: subject.process, en: subject.process },
    state: current.state,
    stateLabel: STATE_LABELS[current.state] ?? { zh: current.state, en: current.state },
    stateReason: reasonIn(lang, subject.stateReason ?? (current.state === 'acknowledged' ? null : current.reason)),
    createdAt: subject.createdAt.toISOString(),
    closedAt: iso(subject.closedAt),
    currentStages: stages
      .filter((s) => s.state === 'active')
      .map((s) => ({ elementId: s.elementId, label: s.label, since: s.startedAt.toISOString() })),
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
      reason: j.reason,
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
  };
}
