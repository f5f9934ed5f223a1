import type { StageRow, SubjectProgress } from './repository.ts';

/**
 * The home-broadband install's wait for its customer (the event-based gateway `await-confirmation`
 * after a passed quality check): the customer confirms, reports a problem (back to the crew for
 * rectification and a new check), or after 2 days counts as confirmed. Gateways are not stages in
 * the read model, so the wait is read from what surrounds it: a completed quality check that passed,
 * followed by nothing yet, or by the catch event that ended the wait.
 */
export const CONFIRMATION_PROCESS = 'home-broadband-new-install';
/** The events that end the wait (processes/home-broadband-new-install.bpmn). */
export const CONFIRMATION_ANSWERS: ReadonlySet<string> = new Set(['customer-confirmed', 'auto-confirmed', 'customer-reported-problem']);
/** The gateway's timer: no answer in 2 days counts as confirmed. */
export const AUTO_CONFIRM_MS = 2 * 24 * 3_600_000;
/** An order's stored final states. */
const CLOSED: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

export interface ConfirmationWait {
  /** The quality check that passed and opened the wait. */
  since: Date;
  /** Ended by the customer's (or the timer's) answer; null while it goes on. */
  until: Date | null;
  /** The catch event that ended it. */
  answer: string | null;
  /** How many quality checks ran up to this wait (1 the first time, 2 after one rectification, …). */
  round: number;
}

/** Every wait for the customer's confirmation so far, oldest first; the last has until null while the order waits. */
export function confirmationWaits(p: SubjectProgress): ConfirmationWait[] {
  if (p.subject.process !== CONFIRMATION_PROCESS) return [];
  const stages = p.stages;
  const waits: ConfirmationWait[] = [];
  let round = 0;
  stages.forEach((check, i) => {
    if (check.elementId !== 'quality-check') return;
    round += 1;
    if (check.state !== 'completed' || !check.endedAt) return;
    const after = stages.filter((s, j) => j !== i && s.startedAt.getTime() >= check.endedAt!.getTime());
    const next = after.reduce<StageRow | undefined>((first, s) => (!first || s.startedAt < first.startedAt ? s : first), undefined);
    if (next) {
      if (CONFIRMATION_ANSWERS.has(next.elementId)) {
        waits.push({ since: check.endedAt, until: next.startedAt, answer: next.elementId, round });
      }
      return;
    }
    // Nothing after the last check yet: it waits if the check passed and the order is still open.
    const open = !CLOSED.has(p.subject.storedState);
    if (open && p.variables.qualityPassed === true) waits.push({ since: check.endedAt, until: null, answer: null, round });
  });
  return waits;
}

/** The wait going on now, if the order waits for its customer. */
export function currentConfirmationWait(p: SubjectProgress): ConfirmationWait | undefined {
  const last = confirmationWaits(p).at(-1);
  return last && last.until === null ? last : undefined;
}
