import '../styles/customer.css';
import { ApiProblem, api } from '../api.ts';
import { hasRole } from '../auth.ts';
import { fill, h, toast } from '../dom.ts';
import { formatTime, lang, t } from '../i18n.ts';

/**
 * What the customer is to do next, at the top of the tracking page (docs/ui.md): while the install
 * waits for them (StatusView.awaitingCustomer) the 确认 / 有问题 answers (POST /orders/:id/confirm,
 * POST /orders/:id/problem with a note); once the order is closed, why. The panel lives outside
 * the part the page redraws every few seconds, so a note being typed is not wiped by a refresh.
 */

type Words = { zh: string; en: string };
const say = (w: Words | null | undefined) => (w ? w[lang()] : '');

/** StatusView.awaitingCustomer of api/domain/status/schemas.ts. */
export interface AwaitingCustomer {
  step: 'confirm-install';
  label: Words;
  hint: Words;
  since: string;
  autoConfirmAt: string;
  actions: { id: 'confirm' | 'report-problem'; label: Words; href: string }[];
}

export interface NextStepState {
  state: string;
  stateText: string;
  stateReason: string | null;
  closed: boolean;
  awaiting: AwaitingCustomer | null;
}

export function nextStepPanel(id: string, { onAnswered }: { onAnswered: () => void }) {
  const element = h('section', { class: 'next-step', 'data-testid': 'next-step', hidden: true });
  let shownFor = '';
  let busy = false;

  const post = async (path: string, body: unknown, done: string) => {
    if (busy) return;
    busy = true;
    element.querySelectorAll('button').forEach((b) => (b.disabled = true));
    try {
      await api(path, { method: 'POST', body });
      toast(done, 'ok');
      shownFor = '';
      onAnswered();
    } catch (e) {
      toast(e instanceof ApiProblem ? e.message : (e as Error).message, 'error');
      element.querySelectorAll('button').forEach((b) => (b.disabled = false));
    } finally {
      busy = false;
    }
  };

  const askForProblem = (actions: HTMLElement) => {
    const note = h('textarea', {
      name: 'problem-note',
      rows: 3,
      maxlength: 500,
      placeholder: t('problemPlaceholder'),
      'aria-label': t('problemNote'),
    });
    const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
    note.addEventListener('input', () => (error.hidden = true));
    fill(
      actions,
      h(
        'form',
        {
          class: 'problem-form',
          'data-testid': 'problem-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            const text = note.value.trim();
            if (!text) {
              error.textContent = t('problemNoteRequired');
              error.hidden = false;
              note.focus();
              return;
            }
            void post(`/orders/${encodeURIComponent(id)}/problem`, { note: text }, t('problemSent'));
          },
        },
        h('label', {}, t('problemNote'), note),
        error,
        h(
          'div',
          { class: 'next-step-actions' },
          h('button', { type: 'submit', class: 'primary', 'data-action': 'send-problem' }, t('problemSend')),
          h('button', { type: 'button', onclick: () => draw(current!, true) }, t('cancel')),
        ),
      ),
    );
    note.focus();
  };

  let current: NextStepState | undefined;
  const draw = (s: NextStepState, force = false) => {
    current = s;
    // Redraw only when something changed: a customer typing a note keeps it.
    const key = JSON.stringify([s.state, s.stateReason, s.closed, s.awaiting?.since ?? null, lang()]);
    if (key === shownFor && !force) return;
    shownFor = key;
    if (s.closed) {
      element.hidden = false;
      element.className = `next-step next-step-closed state-${s.state}`;
      fill(
        element,
        h('strong', { class: 'next-step-title' }, `${t('closedTitle')}：${s.stateText}`),
        h('p', { 'data-testid': 'closed-reason' }, s.stateReason ?? s.stateText),
      );
      return;
    }
    const waiting = s.awaiting;
    if (!waiting) {
      element.hidden = true;
      fill(element);
      return;
    }
    element.hidden = false;
    element.className = 'next-step next-step-awaiting';
    const actions = h('div', { class: 'next-step-actions' });
    if (hasRole('customer', 'admin')) {
      for (const action of waiting.actions) {
        actions.append(
          h(
            'button',
            {
              type: 'button',
              class: action.id === 'confirm' ? 'primary' : '',
              'data-action': action.id,
              onclick: () =>
                action.id === 'confirm'
                  ? void post(`/orders/${encodeURIComponent(id)}/confirm`, undefined, t('confirmSent'))
                  : askForProblem(actions),
            },
            say(action.label),
          ),
        );
      }
    } else {
      actions.append(h('span', { class: 'muted' }, t('awaitingStaffNote')));
    }
    fill(
      element,
      h('strong', { class: 'next-step-title', 'data-testid': 'awaiting-title' }, say(waiting.label)),
      h('p', {}, say(waiting.hint)),
      h('p', { class: 'muted small' }, t('autoConfirmAt'), ' ', formatTime(waiting.autoConfirmAt)),
      actions,
    );
  };

  return { element, update: draw };
}

/** StatusView.visit: the booked visit and whom to call. */
export interface Visit {
  appointmentAt: string | null;
  crewName: Words | null;
  crewPhone: string | null;
}

export function visitCard(visit: Visit | null | undefined) {
  if (!visit) return null;
  return h(
    'section',
    { class: 'track-card visit', 'data-testid': 'visit' },
    h('h2', {}, t('visitTitle')),
    h(
      'dl',
      { class: 'visit-list' },
      h('dt', {}, t('visitTime')),
      h('dd', { 'data-testid': 'visit-time' }, visit.appointmentAt ? formatTime(visit.appointmentAt) : t('visitNotBooked')),
      visit.crewName ? [h('dt', {}, t('visitCrew')), h('dd', {}, say(visit.crewName))] : null,
      visit.crewPhone
        ? [
            h('dt', {}, t('visitPhone')),
            h('dd', {}, h('a', { href: `tel:${visit.crewPhone}`, 'data-testid': 'crew-phone' }, visit.crewPhone)),
          ]
        : null,
    ),
  );
}
