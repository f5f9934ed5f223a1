import { STAGE_LABELS } from '../../../api/domain/status/labels.ts';
import { ApiProblem, api } from '../api.ts';
import { fill, h } from '../dom.ts';
import { elementName, formatDuration, formatTime, lang, t, tr } from '../i18n.ts';
import { navigate, type Route } from '../main.ts';
import { chaseUpPanel } from './chase-ups.ts';
import { hasRole } from '../auth.ts';
import { noticesPanel } from './notices-panel.ts';
import { nextStepPanel, visitCard, type AwaitingCustomer, type Visit } from './next-step.ts';

/**
 * Order / ticket tracking for customers, phone first: a stage stepper in plain words, the
 * timeline, the SLA due time and the ETA. Reads GET /status/:id (plain words from the API); while
 * that route is missing it falls back to GET /orders/:id and the stage names of the UI.
 */

type Words = string | { zh?: string; en?: string } | null | undefined;
interface StageLike {
  elementId?: string;
  name?: string | null;
  label?: Words;
  labels?: Words;
  plainWords?: Words;
  title?: Words;
  state?: string;
  startedAt?: string | null;
  since?: string | null;
  endedAt?: string | null;
  at?: string | null;
}
interface StatusLike {
  id?: string;
  kind?: string;
  process?: string;
  state?: string;
  stateLabel?: Words;
  stateReason?: string | null;
  awaitingCustomer?: AwaitingCustomer | null;
  visit?: Visit | null;
  title?: Words;
  currentStages?: StageLike[];
  steps?: StageLike[];
  stages?: StageLike[];
  timeline?: StageLike[];
  slaDueAt?: string | null;
  dueAt?: string | null;
  sla?: { dueAt?: string | null; state?: string; paused?: boolean } | null;
  /** Customer-caused waits that paused the clock (docs/sla-pauses.md). */
  customerWaits?: {
    reasonLabel: Words;
    stateLabel: Words;
    startedAt: string;
    endedAt: string | null;
    appointmentAt: string | null;
    pausedWorkingMinutes: number | null;
  }[];
  eta?: string | null;
  expectedAt?: string | null;
  createdAt?: string;
}

export interface Progress {
  id: string;
  state: string;
  stateText: string;
  /** Why it is where it is (a closed order's reason), in the reader's language. */
  stateReason: string | null;
  /** Closed (completed, failed, cancelled, closed): nothing more will happen. */
  closed: boolean;
  awaiting: AwaitingCustomer | null;
  visit: Visit | null;
  /** skipped: a step a closed order never reached (not needed any more). */
  steps: { key: string; text: string; state: 'done' | 'active' | 'todo' | 'skipped'; at: string | null }[];
  timeline: { text: string; at: string; endedAt: string | null; active: boolean }[];
  slaDueAt: string | null;
  eta: string | null;
  /** The clock is paused for a customer-caused wait; the waits so far. */
  paused: boolean;
  waits: { reason: string; state: string; at: string; endedAt: string | null; appointmentAt: string | null; minutes: number | null }[];
}

/** The main path each kind of order goes, as customers would name its steps (alternatives share a step). */
const PLANS: Record<string, string[][]> = {
  HB: [
    ['order-received', 'intake-order'],
    ['review-order', 'fix-error-order'],
    ['check-resources'],
    ['route-install-crew', 'make-appointment'],
    ['install-onsite'],
    ['activate-service'],
    ['quality-check', 'rectify-install'],
    ['await-confirmation', 'customer-reported-problem', 'customer-confirmed', 'auto-confirmed'],
    ['revisit'],
    ['archive-order', 'order-archived'],
  ],
  FT: [
    ['fault-reported'],
    ['prediagnose-fault', 'repair-deadline', 'fix-error-ticket'],
    ['resolve-online', 'dispatch-repair', 'accept-repair'],
    ['repair-onsite'],
    ['confirm-recovery'],
    ['revisit-fault'],
    ['close-ticket', 'ticket-closed'],
  ],
  CP: [
    ['complaint-received'],
    ['complaint-guide'],
    ['handle-complaint', 'fix-error-complaint', 'generate-dispatch', 'route-visit-crew', 'complaint-field-visit'],
    ['reply-customer'],
    ['close-complaint', 'complaint-closed'],
  ],
};

const CLOSED_STATES = new Set(['completed', 'closed', 'failed', 'cancelled']);

function words(w: Words): string | undefined {
  if (!w) return undefined;
  if (typeof w === 'string') return w;
  return w[lang()] ?? w.zh ?? w.en;
}

function stageText(s: StageLike): string {
  return words(s.plainWords) ?? words(s.label) ?? words(s.labels) ?? words(s.title) ?? elementName(s.elementId ?? '', s.name);
}

export function normalise(raw: StatusLike, id: string): Progress {
  const timelineRaw = raw.timeline ?? raw.stages ?? [];
  const current = raw.currentStages ?? timelineRaw.filter((s) => s.state === 'active');
  const timeline = timelineRaw
    .map((s) => ({ text: stageText(s), at: s.startedAt ?? s.at ?? '', endedAt: s.endedAt ?? null, active: s.state === 'active' }))
    .filter((s) => s.at);
  let steps: Progress['steps'];
  if (raw.steps && raw.steps.length > 0) {
    steps = raw.steps.map((s, i) => ({
      key: s.elementId ?? String(i),
      text: stageText(s),
      state: s.state === 'completed' || s.state === 'done' ? 'done' : s.state === 'active' || s.state === 'current' ? 'active' : 'todo',
      at: s.endedAt ?? s.startedAt ?? null,
    }));
  } else {
    const plan = PLANS[id.slice(0, 2).toUpperCase()] ?? [];
    const seen = new Map(timelineRaw.map((s) => [s.elementId, s]));
    const labelOf = (elementId: string) => {
      const known = [...current, ...timelineRaw].find((s) => s.elementId === elementId);
      // a step not reached yet: the customers' words for it (the API's stage labels), in the reader's language
      return known ? stageText(known) : (STAGE_LABELS[elementId]?.[lang()] ?? elementName(elementId));
    };
    const activeIds = new Set(current.map((s) => s.elementId));
    steps = plan.map((ids) => {
      const first = ids[0]!;
      const activeId = ids.find((x) => activeIds.has(x));
      const doneId = [...ids].reverse().find((x) => seen.has(x));
      const shown = activeId ?? doneId ?? first;
      return {
        key: first,
        text: labelOf(shown),
        state: activeId ? 'active' : doneId ? 'done' : 'todo',
        at: activeId
          ? (seen.get(activeId)?.startedAt ?? null)
          : doneId
            ? (seen.get(doneId)?.endedAt ?? seen.get(doneId)?.startedAt ?? null)
            : null,
      };
    });
    // A step before the active one that the order skipped still counts as behind it.
    const lastReached = steps.map((s) => s.state !== 'todo').lastIndexOf(true);
    steps.forEach((s, i) => {
      if (i < lastReached && s.state === 'todo') s.state = 'done';
    });
    if (raw.state === 'completed') steps.forEach((s) => (s.state = 'done'));
  }
  const state = raw.state ?? 'inProgress';
  const closed = CLOSED_STATES.has(state);
  // A closed order goes no further: the steps it never reached are not waiting for anyone.
  if (closed) steps.forEach((s) => (s.state === 'todo' || s.state === 'active') && (s.state = 'skipped'));
  return {
    id: raw.id ?? id,
    state,
    stateReason: raw.stateReason ?? null,
    closed,
    awaiting: closed ? null : (raw.awaitingCustomer ?? null),
    visit: raw.visit ?? null,
    stateText: words(raw.stateLabel) ?? tr(`state_${state}`, state),
    steps,
    timeline,
    slaDueAt: raw.slaDueAt ?? raw.dueAt ?? raw.sla?.dueAt ?? null,
    eta: raw.eta ?? raw.expectedAt ?? null,
    paused: raw.sla?.paused === true,
    waits: (raw.customerWaits ?? []).map((w) => ({
      reason: words(w.reasonLabel) ?? '',
      state: words(w.stateLabel) ?? '',
      at: w.startedAt,
      endedAt: w.endedAt,
      appointmentAt: w.appointmentAt,
      minutes: w.pausedWorkingMinutes,
    })),
  };
}

async function fetchProgress(id: string): Promise<Progress> {
  try {
    return normalise(await api<StatusLike>(`/status/${encodeURIComponent(id)}`), id);
  } catch (e) {
    // GET /status/:id is new: an API without it answers 404 with no problem code of ours.
    if (e instanceof ApiProblem && e.status === 404 && id.toUpperCase().startsWith('HB') && !e.code) {
      return normalise(await api<StatusLike>(`/orders/${encodeURIComponent(id)}`), id);
    }
    throw e;
  }
}

const RECENT = 'tlp.recent-tracking';
function recent(): string[] {
  try {
    return JSON.parse(localStorage.getItem(RECENT) ?? '[]') as string[];
  } catch {
    return [];
  }
}
function remember(id: string) {
  localStorage.setItem(RECENT, JSON.stringify([id, ...recent().filter((x) => x !== id)].slice(0, 5)));
}

export function render(root: HTMLElement, route: Route) {
  const id = route.params[0]?.trim().toUpperCase() ?? '';
  const input = h('input', {
    name: 'number',
    value: id,
    placeholder: 'HB20261122000001',
    inputmode: 'latin',
    autocapitalize: 'characters',
    'aria-label': t('trackNumber'),
  });
  const result = h('div', { class: 'track-result', 'aria-live': 'polite' });
  root.classList.add('track-page');
  root.append(
    h(
      'section',
      { class: 'track-card' },
      h('h1', {}, t('trackTitle')),
      h(
        'form',
        {
          class: 'track-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            const value = input.value.trim().toUpperCase();
            if (value) navigate(`#/track/${encodeURIComponent(value)}`);
          },
        },
        input,
        h('button', { type: 'submit', class: 'primary' }, t('search')),
      ),
      h('p', { class: 'hint' }, t('trackHint')),
      !id && recent().length
        ? h(
            'div',
            { class: 'recent' },
            h('span', { class: 'muted' }, t('recent'), '：'),
            recent().map((r) => h('a', { href: `#/track/${r}`, class: 'chip mono' }, r)),
          )
        : null,
    ),
    result,
  );
  if (!id) return;
  // 催单: the button and the chase-ups so far, above the progress (pages/chase-ups.ts).
  const chase = chaseUpPanel(id);
  result.before(chase.element);
  // Staff see the SMS sent about it under its timeline (pages/notices-panel.ts).
  const notices = hasRole('clerk', 'process-owner', 'leader', 'admin') ? noticesPanel(id) : undefined;
  if (notices) root.append(notices.element);

  let timer: number | undefined;
  let stopped = false;
  // What the customer is to do now (confirm / report a problem), or why a closed order closed: on top.
  const next = nextStepPanel(id, { onAnswered: () => void refresh() });
  chase.element.before(next.element);
  const load = async () => {
    let closed: boolean;
    try {
      const progress = await fetchProgress(id);
      remember(id);
      fill(result, view(progress));
      next.update(progress);
      chase.update(progress.state);
      void notices?.reload();
      closed = progress.closed;
    } catch (e) {
      fill(result, h('div', { class: 'error-box' }, e instanceof ApiProblem && e.status === 404 ? t('notFound') : (e as Error).message));
      return;
    }
    // A closed order changes no more: polling stops with the live dot.
    if (!stopped && !closed) timer = window.setTimeout(load, 3000);
  };
  const refresh = async () => {
    window.clearTimeout(timer);
    await load();
  };
  void load();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

function view(p: Progress) {
  const active = p.steps.filter((s) => s.state === 'active');
  const overdue =
    !p.paused &&
    p.slaDueAt &&
    new Date(p.slaDueAt).getTime() < Date.now() &&
    !['completed', 'closed', 'cancelled', 'failed'].includes(p.state);
  return h(
    'div',
    { 'data-testid': 'tracking', 'data-state': p.state },
    h(
      'section',
      { class: 'track-card summary' },
      h(
        'div',
        { class: 'summary-top' },
        h('span', { class: 'mono big' }, p.id),
        h('span', { class: `state-pill state-${p.state}` }, p.stateText),
        p.closed ? null : h('span', { class: 'live-dot', title: t('updatedLive'), 'data-testid': 'live-dot' }),
      ),
      h(
        'div',
        { class: 'current', 'data-testid': 'current-stage' },
        h('span', { class: 'muted' }, t('currentStage')),
        h('strong', {}, active.map((s) => s.text).join('、') || p.stateText),
      ),
      h(
        'div',
        { class: 'due-row' },
        h('div', {}, h('span', { class: 'muted' }, t('slaDue')), h('strong', { class: overdue ? 'breached' : '' }, formatTime(p.slaDueAt))),
        h('div', {}, h('span', { class: 'muted' }, t('eta')), h('strong', {}, formatTime(p.eta))),
      ),
    ),
    p.waits.length > 0
      ? h(
          'section',
          { class: 'track-card', 'data-testid': 'customer-waits' },
          h('h2', {}, p.paused ? t('waitsPaused') : t('waitsTitle')),
          h(
            'ul',
            { class: 'timeline' },
            p.waits.map((w) =>
              h(
                'li',
                { class: w.endedAt ? '' : 'active' },
                h('time', {}, formatTime(w.at)),
                h('span', {}, `${w.reason} · ${w.state}`),
                w.appointmentAt ? h('small', { class: 'muted' }, `${t('waitsAppointment')} ${formatTime(w.appointmentAt)}`) : null,
                w.minutes !== null ? h('small', { class: 'muted' }, `${t('waitsPausedFor')} ${formatDuration(w.minutes * 60_000)}`) : null,
              ),
            ),
          ),
        )
      : null,
    visitCard(p.visit),
    h(
      'ol',
      { class: 'stepper', 'data-testid': 'stepper' },
      p.steps.map((s, i) =>
        h(
          'li',
          { class: `step step-${s.state}`, 'data-step': s.key, 'data-state': s.state },
          h('span', { class: 'dot' }, s.state === 'done' ? '✓' : s.state === 'skipped' ? '–' : String(i + 1)),
          h('span', { class: 'step-text' }, s.text),
          h(
            'span',
            { class: 'step-at' },
            s.state === 'todo'
              ? t('stepTodo')
              : s.state === 'skipped'
                ? t('stepSkipped')
                : s.state === 'active'
                  ? t('stepActive')
                  : formatTime(s.at),
          ),
        ),
      ),
    ),
    h(
      'section',
      { class: 'track-card' },
      h('h2', {}, t('timeline')),
      h(
        'ul',
        { class: 'timeline' },
        [...p.timeline]
          .reverse()
          .map((e) =>
            h(
              'li',
              { class: e.active ? 'active' : '' },
              h('time', {}, formatTime(e.at)),
              h('span', {}, e.text),
              e.active ? h('small', { class: 'muted' }, formatDuration(Date.now() - new Date(e.at).getTime())) : null,
            ),
          ),
      ),
    ),
  );
}
