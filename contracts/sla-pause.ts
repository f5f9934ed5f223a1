import { z } from 'zod';

/**
 * The string contracts of SLA pauses for customer-caused waits (客户原因) between
 * processes/fault-trouble-ticket.bpmn, the API and the workers (docs/sla-pauses.md).
 */

/** Staff record that the customer keeps the repair waiting: interrupts the on-site repair, its SLA timers with it. */
export const CUSTOMER_WAIT_STARTED = 'customer-wait-started';
/** The wait is over (new appointment, customer reachable): the clock resumes with the remaining working time. */
export const CUSTOMER_WAIT_ENDED = 'customer-wait-ended';
/** The task whose SLA clock a customer-caused wait pauses. */
export const PAUSABLE_TASK = 'repair-onsite';
/**
 * Home-broadband install orders: a wait can be recorded between dispatch and activation, while one of
 * these tasks of the install crew is open (the install SLA is computed, not a timer: docs/sla-pauses.md).
 */
export const PAUSABLE_INSTALL_TASKS = ['make-appointment', 'install-onsite'] as const;

/** The reminder to the branch's response center when a wait stays open 48 h: no SLA miss of the ticket. */
export const LONG_WAIT_ESCALATION = 'escalate-long-customer-wait';

/** Above these a pause counts only once the response center confirms it (so it cannot hide a breach). */
export const PAUSE_LIMITS = { pausesWithoutConfirmation: 2, pausedWorkingHoursWithoutConfirmation: 48 } as const;

/** The fixed list of customer-caused reasons, in the customer's and staff's words. */
export const CUSTOMER_WAIT_REASONS = {
  'customer-not-home': { zh: '客户不在家', en: 'Customer not at home' },
  'customer-rescheduled': { zh: '客户要求改约', en: 'Customer asked to reschedule' },
  'site-not-accessible': { zh: '现场无法进入', en: 'Site not accessible' },
  'customer-equipment': { zh: '客户设备问题', en: "Problem with the customer's own equipment" },
  'customer-unreachable': { zh: '客户联系不上', en: 'Customer cannot be reached' },
  'property-approval': { zh: '等待物业或业主同意', en: "Waiting for the property manager's or owner's approval" },
} as const satisfies Record<string, { zh: string; en: string }>;

export type CustomerWaitReason = keyof typeof CUSTOMER_WAIT_REASONS;
export const CUSTOMER_WAIT_REASON_CODES = Object.keys(CUSTOMER_WAIT_REASONS) as [CustomerWaitReason, ...CustomerWaitReason[]];
export const CustomerWaitReasonSchema = z.enum(CUSTOMER_WAIT_REASON_CODES).describe(
  Object.entries(CUSTOMER_WAIT_REASONS)
    .map(([code, l]) => `${code}: ${l.zh} / ${l.en}`)
    .join('; '),
);

/**
 * requested: recorded by staff, not yet taken by the process; active: the clock is paused;
 * awaiting-confirmation: the wait is over, above the limit, the response center decides;
 * counted: the clock resumed with the due time moved; refused: the response center refused, the due time stands.
 */
export const SLA_PAUSE_STATES = ['requested', 'active', 'awaiting-confirmation', 'counted', 'refused'] as const;
export type SlaPauseState = (typeof SLA_PAUSE_STATES)[number];
export const OPEN_PAUSE_STATES: readonly SlaPauseState[] = ['requested', 'active', 'awaiting-confirmation'];

export const SLA_PAUSE_STATE_LABELS: Record<SlaPauseState, { zh: string; en: string }> = {
  requested: { zh: '暂停已登记', en: 'Pause recorded' },
  active: { zh: '计时暂停中（客户原因）', en: 'Clock paused (customer-caused)' },
  'awaiting-confirmation': { zh: '暂停待客响中心确认', en: 'Pause awaiting the response center' },
  counted: { zh: '已扣除暂停时间', en: 'Paused time excluded' },
  refused: { zh: '暂停未获确认，时限不变', en: 'Pause not confirmed; the deadline stands' },
};
