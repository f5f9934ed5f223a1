import '../styles/chase-ups.css';
import { ApiProblem, api } from '../api.ts';
import { currentUser } from '../auth.ts';
import { fill, h } from '../dom.ts';
import { formatTime, lang, t } from '../i18n.ts';

/**
 * Chase-ups (催单) in the browser: the tracking page's button with the customer's past chase-ups and
 * what the response center did about them, and the block the clerk holding a task sees
 * (POST / GET /status/:id/chase-ups; Task.chaseUps of GET /tasks/:key). docs/chase-ups.md.
 */

type Words = { zh: string; en: string };
const say = (w: Words | null | undefined) => (w ? w[lang()] : '');

/** ChaseUp of api/domain/chase-ups/schemas.ts. */
interface ChaseUp {
  id: string;
  channel: string;
  channelLabel: Words;
  note: string | null;
  requestedBy: { name: string; role: 'customer' | 'customer-manager' | 'admin' };
  at: string;
  sequenceInStep: number;
  escalation: { level: 'branch' | 'region'; label: Words } | null;
  handling: { outcome: string; outcomeLabel: Words; note: string; at: string } | null;
  repeatPresses: number;
}
interface ChaseUpList {
  total: number;
  inCurrentStep: number;
  open: boolean;
  chaseUps: ChaseUp[];
}

/** Task.chaseUps (ChaseUpSummary). */
export interface ChaseUpSummary {
  count: number;
  sinceTaskCreated: number;
  latest: {
    id: string;
    at: string;
    by: string;
    role: 'customer' | 'customer-manager' | 'admin';
    channel: string;
    note: string | null;
    escalationLevel: 'branch' | 'region' | null;
  } | null;
}

const CLOSED = new Set(['completed', 'closed', 'failed', 'cancelled']);

/** Customers chase their own; a customer manager (clerk in that group) on their behalf; admins. */
function mayChase(): boolean {
  const user = currentUser();
  if (!user) return false;
  return user.role === 'customer' || user.role === 'admin' || (user.role === 'clerk' && user.groups.includes('customer-manager'));
}

/**
 * The tracking page's 催单 panel for one order or ticket: the button while it is open, the answer
 * to a press, and the chase-ups so far. `update(state)` is called with each refresh of the page.
 */
export function chaseUpPanel(id: string) {
  const message = h('p', { class: 'chase-msg', 'data-testid': 'chase-up-message', 'aria-live': 'polite' });
  const note = h('input', { name: 'chase-note', maxlength: 500, placeholder: t('chaseNotePlaceholder'), 'aria-label': t('chaseNote') });
  const button = h(
    'button',
    { type: 'button', class: 'primary chase-button', 'data-testid': 'chase-up-button', onclick: () => void press() },
    t('chaseUp'),
  );
  const form = h('div', { class: 'chase-form' }, note, button);
  const list = h('ul', { class: 'chase-list', 'data-testid': 'chase-up-list' });
  const element = h(
    'section',
    { class: 'track-card chase-card', 'data-testid': 'chase-up-panel', hidden: true },
    h('h2', {}, t('chaseTitle')),
    h('p', { class: 'hint' }, t('chaseHint')),
    form,
    message,
    list,
  );
  let open = false;
  let busy = false;

  async function reload() {
    try {
      const data = await api<ChaseUpList>(`/status/${encodeURIComponent(id)}/chase-ups`);
      open = data.open;
      element.hidden = !data.open && data.total === 0;
      form.hidden = !data.open || !mayChase();
      fill(list, data.chaseUps.map(item));
    } catch (e) {
      if (!(e instanceof ApiProblem && e.status === 404)) fill(message, (e as Error).message);
      element.hidden = true;
    }
  }

  async function press() {
    if (busy || !open) return;
    busy = true;
    button.setAttribute('disabled', '');
    try {
      const body: Record<string, string> = { channel: currentUser()?.role === 'clerk' ? 'customer-manager' : 'tracking-page' };
      if (note.value.trim()) body.note = note.value.trim();
      const res = await fetchChaseUp(id, body);
      message.className = `chase-msg ${res.chaseUp.escalation ? 'chase-escalated' : 'chase-ok'}`;
      message.dataset.outcome = res.created ? (res.chaseUp.escalation ? 'escalated' : 'recorded') : 'repeat';
      fill(
        message,
        res.created ? t('chaseRecorded') : t('chaseRepeat'),
        res.chaseUp.escalation ? ` ${say(res.chaseUp.escalation.label)}` : '',
      );
      note.value = '';
      await reload();
    } catch (e) {
      message.className = 'chase-msg chase-error';
      fill(message, e instanceof ApiProblem && e.code === 'CHASE_UP_CLOSED' ? t('chaseClosed') : (e as Error).message);
    } finally {
      busy = false;
      button.removeAttribute('disabled');
    }
  }

  return {
    element,
    /** Called with the page's state on each refresh: the panel follows (a closed order has no button). */
    update(state: string) {
      if (CLOSED.has(state)) form.hidden = true;
      void reload();
    },
  };
}

/** POST /status/:id/chase-ups: a new chase-up (201) has no repeat presses yet; a repeat (200) answers the one it was folded into. */
async function fetchChaseUp(id: string, body: Record<string, string>): Promise<{ created: boolean; chaseUp: ChaseUp }> {
  const chaseUp = await api<ChaseUp>(`/status/${encodeURIComponent(id)}/chase-ups`, { method: 'POST', body });
  return { created: chaseUp.repeatPresses === 0, chaseUp };
}

function item(c: ChaseUp) {
  return h(
    'li',
    { 'data-chase-up': c.id, class: c.escalation ? `escalated-${c.escalation.level}` : '' },
    h('time', {}, formatTime(c.at)),
    h(
      'span',
      {},
      `${c.requestedBy.name} · ${say(c.channelLabel)}`,
      c.repeatPresses > 0 ? h('small', { class: 'muted' }, ` (${t('chasePresses')} ${c.repeatPresses + 1})`) : null,
    ),
    c.note ? h('q', {}, c.note) : null,
    c.escalation ? h('span', { class: `badge chase-level-${c.escalation.level}` }, say(c.escalation.label)) : null,
    c.handling
      ? h('div', { class: 'chase-handling', 'data-testid': 'chase-up-handling' }, `${say(c.handling.outcomeLabel)}：${c.handling.note}`)
      : null,
  );
}

/** What the clerk holding a task sees of the customer's chase-ups on its order or ticket (nothing when none). */
export function chaseUpBlock(task: object) {
  const s = (task as { chaseUps?: ChaseUpSummary }).chaseUps;
  if (!s || s.count === 0) return null;
  const latest = s.latest;
  const role = latest
    ? latest.role === 'customer-manager'
      ? t('chaseByManager')
      : latest.role === 'customer'
        ? t('chaseByCustomer')
        : ''
    : '';
  return h(
    'div',
    { class: `chase-block${latest?.escalationLevel ? ' escalated' : ''}`, 'data-testid': 'task-chase-ups', role: 'note' },
    h(
      'strong',
      {},
      lang() === 'zh'
        ? `客户催单 ${s.count} 次（本任务期间 ${s.sinceTaskCreated} 次）`
        : `Chased ${s.count} × (${s.sinceTaskCreated} while this task was open)`,
    ),
    latest
      ? h(
          'div',
          { class: 'sub' },
          `${t('chaseLatest')}：${formatTime(latest.at)} · ${latest.by}${role ? `（${role}）` : ''}`,
          latest.note ? h('q', {}, latest.note) : null,
          latest.escalationLevel
            ? h('span', { class: `badge chase-level-${latest.escalationLevel}` }, t(`chaseLevel_${latest.escalationLevel}`))
            : null,
        )
      : null,
  );
}

/** GET /kpis/chase-ups (ChaseUpKpis). */
interface BranchChaseUps {
  branch: string;
  branchName: Words;
  subjects: number;
  chasedSubjects: number;
  rate: number | null;
  chaseUps: number;
  presses: number;
  escalatedToBranch: number;
  escalatedToRegion: number;
}

/** The dashboard's chase-up rate (催单率) per branch for its period and branch filter; refreshed every 30 s. */
export function chaseUpRateSection({ days, branch }: { days: () => number; branch: () => string }) {
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  const element = h('section', { class: 'chart-card wide', 'data-testid': 'chase-up-rate' }, h('h2', {}, t('chaseRateTitle')), body);
  let timer: number | undefined;
  let stopped = false;
  async function load() {
    try {
      const from = new Date(Date.now() - days() * 86_400_000).toISOString();
      const k = await api<{ branches: BranchChaseUps[] }>('/kpis/chase-ups', { query: { from, branch: branch() || undefined } });
      fill(body, k.branches.length ? rateTable(k.branches) : h('p', { class: 'muted' }, t('noData')));
    } catch (e) {
      fill(body, h('div', { class: 'error-box' }, (e as Error).message));
    }
    if (!stopped) timer = window.setTimeout(load, 30_000);
  }
  void load();
  return {
    element,
    stop() {
      stopped = true;
      window.clearTimeout(timer);
    },
  };
}

function rateTable(rows: BranchChaseUps[]) {
  const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
  return h(
    'table',
    { class: 'grid' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, t('col_branch')),
        h('th', { class: 'num' }, t('chaseRateReceived')),
        h('th', { class: 'num' }, t('chaseRateChased')),
        h('th', { class: 'num' }, t('chaseRate')),
        h('th', { class: 'num' }, t('chaseRateCount')),
        h('th', { class: 'num' }, t('chaseLevel_branch')),
        h('th', { class: 'num' }, t('chaseLevel_region')),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          { 'data-branch': r.branch },
          h('td', {}, say(r.branchName)),
          h('td', { class: 'num' }, String(r.subjects)),
          h('td', { class: 'num' }, String(r.chasedSubjects)),
          h('td', { class: 'num', 'data-col': 'rate' }, pct(r.rate)),
          h('td', { class: 'num' }, String(r.chaseUps)),
          h('td', { class: 'num' }, String(r.escalatedToBranch)),
          h('td', { class: 'num' }, String(r.escalatedToRegion)),
        ),
      ),
    ),
  );
}
