import { CUSTOMER_WAIT_REASONS, type CustomerWaitReason } from '../../../contracts/sla-pause.ts';
import { confirmationWaits } from './confirmation.ts';
import { STAGE_LABELS, stageLabel, type Label } from './labels.ts';
import type { StageRow, SubjectKind, SubjectProgress } from './repository.ts';

/**
 * How a business object's progress reads from outside: its state history (TMF state names), its
 * milestones, its SLA and its jeopardies, all derived from the read model (the BPMN stages the
 * projector recorded, the escalations the SLA timers fired, the stored state). Pure functions, so
 * the TMF routes, the hub dispatcher and the status page say the same thing.
 */
export type State =
  'acknowledged' | 'inProgress' | 'pending' | 'held' | 'pendingCancellation' | 'resolved' | 'completed' | 'closed' | 'failed' | 'cancelled';

export interface StateChange {
  state: State;
  at: Date;
  reason: string;
}

/**
 * Stages that put an object into a state while they are active: an error-order correction holds
 * it, a wait for the customer makes it pending; the ticket is resolved once recovery is being
 * confirmed. `back` is the state when the stage ends (null: the state stays until another changes it).
 */
const STAGE_STATES: Record<string, { state: State; back: State | null; reason: string }> = {
  'fix-error-order': { state: 'held', back: 'inProgress', reason: 'The order data is being corrected by the order center' },
  'fix-error-ticket': { state: 'held', back: 'inProgress', reason: 'The ticket data is being checked by the response center' },
  'fix-error-complaint': { state: 'held', back: 'inProgress', reason: 'The complaint data is being checked' },
  'fix-error-change': { state: 'held', back: 'inProgress', reason: 'The change data is being corrected by the order center' },
  'fix-error-line': { state: 'held', back: 'inProgress', reason: 'The order data is being corrected by the order center' },
  'wait-cancel-date': { state: 'pending', back: 'inProgress', reason: 'Waiting for the requested cancellation date' },
  'customer-acceptance': { state: 'pending', back: 'inProgress', reason: 'Waiting for the customer to accept the line' },
  'confirm-recovery': { state: 'resolved', back: null, reason: 'Repaired; the recovery is being confirmed' },
  'dispatch-repair': { state: 'inProgress', back: null, reason: 'A repair is being dispatched' },
  'reply-customer': { state: 'resolved', back: null, reason: 'Handled; the customer is being replied to' },
};

const START_TYPES = new Set(['START_EVENT']);
const FINAL: ReadonlySet<State> = new Set(['completed', 'closed', 'failed', 'cancelled']);

/** The final state the workers stored, in TMF words; undefined while the object is open. */
export function finalState(kind: SubjectKind, stored: string): State | undefined {
  if (kind === 'change') return ({ done: 'completed', refused: 'failed', cancelled: 'cancelled' } as const)[stored as 'done'];
  if (kind === 'ticket' || kind === 'complaint') {
    if (stored === 'closed' || stored === 'cancelled') return stored;
    return undefined;
  }
  return stored === 'completed' || stored === 'failed' || stored === 'cancelled' ? stored : undefined;
}

const FINAL_REASONS: Record<string, string> = {
  completed: 'Done',
  closed: 'Closed',
  failed: 'Closed without completion',
  cancelled: 'Cancelled',
};

/** Every state the object went through, oldest first; the last is the current one. */
export function stateHistory(p: SubjectProgress): StateChange[] {
  const { subject } = p;
  const changes: StateChange[] = [{ state: 'acknowledged', at: subject.createdAt, reason: 'Received' }];
  const work = p.stages.filter((s) => !START_TYPES.has(s.elementType));
  const first = work[0];
  if (first) changes.push({ state: 'inProgress', at: first.startedAt, reason: 'Work started' });
  for (const s of p.stages) {
    const rule = STAGE_STATES[s.elementId];
    if (!rule) continue;
    changes.push({ state: rule.state, at: s.startedAt, reason: rule.reason });
    if (s.endedAt && rule.back) changes.push({ state: rule.back, at: s.endedAt, reason: 'Work resumed' });
  }
  // An install waiting for its customer's confirmation is pending until they answer (or the 2 days pass).
  for (const w of confirmationWaits(p)) {
    changes.push({ state: 'pending', at: w.since, reason: 'Waiting for the customer to confirm the install' });
    if (w.until) changes.push({ state: 'inProgress', at: w.until, reason: 'Work resumed' });
  }
  // A customer-caused wait makes a ticket pending (TMF621: waiting on the customer) until it ends.
  for (const w of customerWaits(p)) {
    const label = CUSTOMER_WAIT_REASONS[w.reason as CustomerWaitReason];
    changes.push({ state: 'pending', at: w.startedAt, reason: `客户原因暂停：${label.zh} / Paused for the customer: ${label.en}` });
    if (w.endedAt)
      changes.push({ state: 'inProgress', at: w.endedAt, reason: '客户原因等待结束，继续处理 / The wait is over: work resumed' });
  }
  for (const c of p.cancellationRequests) {
    changes.push({ state: 'pendingCancellation', at: c.createdAt, reason: c.reason ?? 'Cancellation requested' });
  }
  // Sort by time (stable: ties keep the order above), then drop repeats.
  const ordered = changes.map((c, i) => ({ c, i })).sort((a, b) => a.c.at.getTime() - b.c.at.getTime() || a.i - b.i);
  const history: StateChange[] = [];
  for (const { c } of ordered) if (history.at(-1)?.state !== c.state) history.push(c);
  const final = finalState(subject.kind, subject.storedState);
  if (final && FINAL.has(final)) {
    const at = subject.closedAt ?? history.at(-1)?.at ?? subject.createdAt;
    history.push({ state: final, at, reason: subject.stateReason ?? FINAL_REASONS[final] ?? final });
  }
  return history;
}

/** The customer-caused waits whose clock has paused (recorded but not yet taken by the process are left out). */
export function customerWaits(p: SubjectProgress) {
  return (p.slaPauses ?? []).flatMap((w) => (w.startedAt ? [{ ...w, startedAt: w.startedAt }] : []));
}

/** The SLA clock is paused now: a wait goes on, or its end awaits the response center's decision. */
export function slaPaused(p: SubjectProgress): boolean {
  return customerWaits(p).some((w) => w.state === 'active' || w.state === 'awaiting-confirmation');
}

export function currentState(p: SubjectProgress): State {
  return stateHistory(p).at(-1)?.state ?? 'acknowledged';
}

export interface Milestone {
  id: string;
  label: Label;
  status: 'Yet-To-Reach' | 'Completed' | 'Violated';
  at: Date | null;
}

/** The milestones of each process: the stages whose completion a customer cares about. */
const MILESTONES: Record<string, { id: string; elements: string[]; label: Label }[]> = {
  'home-broadband-new-install': [
    { id: 'order-approved', elements: ['review-order'], label: { zh: '订单审核通过', en: 'Order approved' } },
    { id: 'resources-reserved', elements: ['check-resources'], label: { zh: '资源已预占', en: 'Network port reserved' } },
    { id: 'visit-booked', elements: ['make-appointment'], label: { zh: '已预约上门', en: 'Visit booked' } },
    { id: 'installed', elements: ['install-onsite'], label: { zh: '安装完成', en: 'Installed' } },
    { id: 'service-activated', elements: ['activate-service'], label: { zh: '业务已开通', en: 'Service activated' } },
    { id: 'install-confirmed', elements: ['customer-confirmed', 'auto-confirmed'], label: { zh: '装机已确认', en: 'Install confirmed' } },
    { id: 'order-completed', elements: ['archive-order'], label: { zh: '订单完成', en: 'Order completed' } },
  ],
  'home-broadband-change': [
    { id: 'change-checked', elements: ['verify-change'], label: { zh: '变更资料核查通过', en: 'Change checked' } },
    { id: 'work-done', elements: ['relocation-work', 'repair-work', 'release-line'], label: { zh: '现场工作完成', en: 'Work done' } },
    {
      id: 'billing-changed',
      elements: ['billing-new-product', 'billing-relocation', 'billing-stop'],
      label: { zh: '计费已变更', en: 'Billing changed' },
    },
    { id: 'change-completed', elements: ['close-change'], label: { zh: '变更完成', en: 'Change completed' } },
  ],
  'enterprise-line-new-install': [
    { id: 'surveyed', elements: ['survey'], label: { zh: '勘察完成', en: 'Site surveyed' } },
    { id: 'designed', elements: ['design'], label: { zh: '方案设计完成', en: 'Solution designed' } },
    { id: 'order-accepted', elements: ['accept-line-order'], label: { zh: '订单已受理', en: 'Order accepted' } },
    { id: 'built', elements: ['branch-work'], label: { zh: '施工完成', en: 'Line built' } },
    { id: 'tested', elements: ['activation-test'], label: { zh: '开通测试通过', en: 'Activation tested' } },
    { id: 'accepted-by-customer', elements: ['customer-acceptance'], label: { zh: '客户验收', en: 'Accepted by the customer' } },
    { id: 'handed-over', elements: ['handover-maintenance'], label: { zh: '已交维', en: 'Handed over to maintenance' } },
    { id: 'billing-started', elements: ['start-line-billing'], label: { zh: '已起租', en: 'Billing started' } },
  ],
  fault: [
    { id: 'diagnosed', elements: ['prediagnose-fault'], label: { zh: '预判断完成', en: 'Pre-diagnosed' } },
    { id: 'dispatched', elements: ['dispatch-repair'], label: { zh: '已派单', en: 'Repair dispatched' } },
    { id: 'crew-accepted', elements: ['accept-repair'], label: { zh: '班组已接单', en: 'Crew accepted' } },
    { id: 'repaired', elements: ['repair-onsite', 'resolve-online'], label: { zh: '已修复', en: 'Repaired' } },
    { id: 'recovery-confirmed', elements: ['confirm-recovery'], label: { zh: '已确认恢复', en: 'Recovery confirmed' } },
    { id: 'ticket-closed', elements: ['close-ticket'], label: { zh: '工单已关闭', en: 'Ticket closed' } },
  ],
  complaint: [
    { id: 'complaint-handled', elements: ['handle-complaint'], label: { zh: '投诉已处理', en: 'Complaint handled' } },
    { id: 'visited', elements: ['complaint-field-visit'], label: { zh: '已上门', en: 'Visited' } },
    { id: 'replied', elements: ['reply-customer'], label: { zh: '已答复', en: 'Replied' } },
    { id: 'complaint-closed', elements: ['close-complaint'], label: { zh: '投诉已关闭', en: 'Complaint closed' } },
  ],
};

/** The milestone an SLA is about: missing it past the due time makes it Violated. */
const SLA_MILESTONE: Record<string, string> = {
  'home-broadband-new-install': 'service-activated',
  'home-broadband-change': 'change-completed',
  fault: 'repaired',
  complaint: 'replied',
};

export function milestones(p: SubjectProgress, now: Date): Milestone[] {
  const due = sla(p)?.dueAt;
  const list = MILESTONES[p.subject.process] ?? [];
  // The worker records the final state just before its stage's completion is projected: a completed object has reached its last milestone.
  const closed = finalState(p.subject.kind, p.subject.storedState) === 'completed' ? p.subject.closedAt : null;
  return list.map((m, i) => {
    const reached = p.stages.find((s) => m.elements.includes(s.elementId) && s.state === 'completed');
    const done = reached ?? (closed && i === list.length - 1 ? { endedAt: closed } : undefined);
    const violated = !done && due && !slaPaused(p) && SLA_MILESTONE[p.subject.process] === m.id && due.getTime() < now.getTime();
    return {
      id: m.id,
      label: m.label,
      status: done ? 'Completed' : violated ? 'Violated' : 'Yet-To-Reach',
      at: done?.endedAt ?? null,
    };
  });
}

export interface Sla {
  label: Label;
  dueAt: Date;
  /** Where the limit comes from. */
  basis: string;
  met: boolean | null;
  /** Customer-caused waits: the clock is paused now; the working time paused so far that moved the deadline. */
  paused?: boolean;
  pausedWorkingMinutes?: number;
}

/**
 * Install and change limits by customer level follow the operators' tiers for bandwidth services
 * (DOMAIN.md §4: ≤ 20 h group, ≤ 24 h province, ≤ 48 h local); a fault's limit is the one the
 * repair-deadline decision gave its process (repairDueAt); a complaint's comes from the complaint
 * guide (resolution hours per category); a scheduled cancellation is due on its date.
 */
const LEVEL_HOURS: Record<string, number> = { group: 20, province: 24, 'local-a': 48, 'local-b': 48, 'local-c': 48 };
const HOUR = 3_600_000;

/**
 * An install order's activation due: its limit from creation, moved by each customer-caused wait the
 * API settled (the last one's due after it: each moved the due it found). A refused wait leaves it.
 */
export function installDueAt(
  createdAt: Date,
  customerLevel: string,
  pauses: readonly { state: string; dueAfter: Date | null }[] = [],
): Date {
  const settled = pauses.filter((w) => (w.state === 'counted' || w.state === 'refused') && w.dueAfter).at(-1);
  return settled?.dueAfter ?? new Date(createdAt.getTime() + (LEVEL_HOURS[customerLevel] ?? 48) * HOUR);
}

export function sla(p: SubjectProgress): Sla | null {
  const { subject, variables } = p;
  const reached = (elements: string[]) => p.stages.find((s) => elements.includes(s.elementId) && s.state === 'completed')?.endedAt;
  const verdict = (dueAt: Date, doneAt: Date | null | undefined) => (doneAt ? doneAt.getTime() <= dueAt.getTime() : null);
  const levelHours = LEVEL_HOURS[subject.customerLevel] ?? 48;
  switch (subject.process) {
    case 'home-broadband-new-install': {
      const dueAt = installDueAt(subject.createdAt, subject.customerLevel, p.slaPauses);
      const counted = customerWaits(p)
        .filter((w) => w.state === 'counted')
        .reduce((sum, w) => sum + (w.pausedWorkingMs ?? 0), 0);
      return {
        label: { zh: `开通时限 ${levelHours} 小时`, en: `Activation within ${levelHours} h` },
        dueAt,
        basis:
          counted > 0
            ? `customer level ${subject.customerLevel}, moved by customer-caused waits`
            : `customer level ${subject.customerLevel}`,
        met: verdict(dueAt, reached(['activate-service'])),
        paused: slaPaused(p),
        pausedWorkingMinutes: Math.round(counted / 60_000),
      };
    }
    case 'home-broadband-change': {
      const details = subject.row.kind === 'change' ? (subject.row.value.details as { changeType?: string; cancelOn?: string }) : {};
      const dueAt =
        details.changeType === 'scheduled-cancellation' && details.cancelOn
          ? new Date(details.cancelOn)
          : new Date(subject.createdAt.getTime() + levelHours * HOUR);
      const basis =
        details.changeType === 'scheduled-cancellation' ? 'the requested cancellation date' : `customer level ${subject.customerLevel}`;
      return {
        label: { zh: '变更办理时限', en: 'Change due' },
        dueAt,
        basis,
        met: verdict(dueAt, reached(['close-change'])),
      };
    }
    case 'fault': {
      // FEEL date-times serialise with their zone id, e.g. 2026-11-24T10:00:00+08:00[Asia/Shanghai].
      const due = typeof variables.repairDueAt === 'string' ? new Date(variables.repairDueAt.replace(/\[.*\]$/, '')) : null;
      if (!due || Number.isNaN(due.getTime())) return null;
      // The decision's hours, read back from when it was taken (its result variable is local to the task).
      const decided = p.stages.find((s) => s.elementId === 'repair-deadline');
      // A pause moved repairDueAt: the limit in hours is the one before the first pause.
      const waits = customerWaits(p);
      const original = waits.find((w) => w.dueBefore)?.dueBefore ?? due;
      const hours = decided ? Math.round((original.getTime() - (decided.endedAt ?? decided.startedAt).getTime()) / HOUR) : null;
      const counted = waits.filter((w) => w.state === 'counted').reduce((sum, w) => sum + (w.pausedWorkingMs ?? 0), 0);
      return {
        label:
          hours === null ? { zh: '修复时限', en: 'Repair deadline' } : { zh: `修复时限 ${hours} 小时`, en: `Repair within ${hours} h` },
        dueAt: due,
        basis:
          counted > 0
            ? 'repair-deadline decision (customer level and service), moved by customer-caused waits'
            : 'repair-deadline decision (customer level and service)',
        met: verdict(due, reached(['repair-onsite', 'resolve-online'])),
        paused: slaPaused(p),
        pausedWorkingMinutes: Math.round(counted / 60_000),
      };
    }
    case 'complaint': {
      const guide = variables.guide as { resolutionHours?: number } | undefined;
      if (typeof guide?.resolutionHours !== 'number') return null;
      const dueAt = new Date(subject.createdAt.getTime() + guide.resolutionHours * HOUR);
      return {
        label: { zh: `处理时限 ${guide.resolutionHours} 小时`, en: `Resolution within ${guide.resolutionHours} h` },
        dueAt,
        basis: 'complaint guide (category)',
        met: verdict(dueAt, reached(['reply-customer'])),
      };
    }
    default:
      return null;
  }
}

export interface Jeopardy {
  id: string;
  level: 'county' | 'branch' | 'region';
  at: Date;
  elementId: string;
  /** TMF jeopardyType: the higher the escalation, the graver. */
  type: 'Normal' | 'Hazard' | 'Critical';
}

const JEOPARDY_TYPES = { county: 'Normal', branch: 'Hazard', region: 'Critical' } as const;

/** Each SLA escalation fired by a timer is a jeopardy the customer may be told about. */
export function jeopardies(p: SubjectProgress): Jeopardy[] {
  return p.escalations.map((e) => {
    const level = (e.level in JEOPARDY_TYPES ? e.level : 'branch') as Jeopardy['level'];
    return { id: String(e.id), level, at: e.createdAt, elementId: e.elementId, type: JEOPARDY_TYPES[level] };
  });
}

export interface StageView {
  elementId: string;
  label: Label;
  state: 'active' | 'completed' | 'terminated';
  startedAt: Date;
  endedAt: Date | null;
}

/** Stages worth showing to people: not the escalation branches nor the SLA timers behind them (jeopardies say those). */
export function visibleStages(stages: StageRow[]): StageView[] {
  return stages
    .filter((s) => !s.elementId.startsWith('escalate') && (s.elementType !== 'BOUNDARY_EVENT' || s.elementId in STAGE_LABELS))
    .map((s) => ({
      elementId: s.elementId,
      label: stageLabel(s.elementId, s.name, s.nameEn),
      state: s.state as StageView['state'],
      startedAt: s.startedAt,
      endedAt: s.endedAt,
    }));
}

export function isFinal(state: State): boolean {
  return FINAL.has(state);
}
