import '../styles/chase-ups.css';
import { api } from '../api.ts';
import { fill, h } from '../dom.ts';
import { formatTime, lang, t } from '../i18n.ts';

/**
 * The dashboard's live complaint statistics (the complaint guide's call-type statistics): today's
 * and this week's complaints by category and branch, with the guide's standard steps. Polls
 * GET /kpis/complaint-stats (a complaint counts the moment it is recorded). docs/chase-ups.md.
 */

type Words = { zh: string; en: string };
interface Counts {
  today: number;
  week: number;
}
interface ComplaintStats {
  generatedAt: string;
  total: Counts;
  categories: (Counts & {
    category: string;
    name: Words;
    guided: number;
    fieldVisits: number;
    closed: number;
    standardSteps: Words[];
    resolutionHours: number | null;
  })[];
  branches: (Counts & { branch: string; name: Words })[];
  byCategoryAndBranch: (Counts & { category: string; branch: string })[];
}

const POLL_MS = 10_000;

/** The section and its stop(): mounted by the dashboard, stopped when the page is left. */
export function complaintStatsSection({ branch }: { branch?: () => string } = {}) {
  const body = h('div', { class: 'complaint-stats-body' }, h('p', { class: 'muted' }, t('loading')));
  const stamp = h('span', { class: 'muted small', 'data-testid': 'complaint-stats-updated' });
  const element = h(
    'section',
    { class: 'chart-card wide complaint-stats', 'data-testid': 'complaint-stats' },
    h('h2', {}, t('complaintStatsTitle'), ' ', h('span', { class: 'live-dot', title: t('updatedLive') }), ' ', stamp),
    body,
  );
  let timer: number | undefined;
  let stopped = false;

  async function load() {
    try {
      const stats = await api<ComplaintStats>('/kpis/complaint-stats', { query: { branch: branch?.() || undefined } });
      fill(body, view(stats));
      fill(stamp, `${t('complaintStatsAt')} ${formatTime(stats.generatedAt)}`);
    } catch (e) {
      fill(body, h('div', { class: 'error-box' }, (e as Error).message));
    }
    if (!stopped) timer = window.setTimeout(load, POLL_MS);
  }
  void load();
  return {
    element,
    /** Loads at once (e.g. after the branch filter changed), then keeps polling. */
    reload() {
      window.clearTimeout(timer);
      void load();
    },
    stop() {
      stopped = true;
      window.clearTimeout(timer);
    },
  };
}

function view(s: ComplaintStats) {
  const say = (w: Words) => w[lang()];
  const branches = s.branches.map((b) => b.branch);
  const cell = (category: string, branch: string) => s.byCategoryAndBranch.find((c) => c.category === category && c.branch === branch);
  return [
    h(
      'div',
      { class: 'kpi-row' },
      h(
        'div',
        { class: 'kpi' },
        h('div', { class: 'label' }, t('complaintsToday')),
        h('div', { class: 'value', 'data-testid': 'complaints-today' }, String(s.total.today)),
      ),
      h(
        'div',
        { class: 'kpi' },
        h('div', { class: 'label' }, t('complaintsWeek')),
        h('div', { class: 'value', 'data-testid': 'complaints-week' }, String(s.total.week)),
      ),
    ),
    h(
      'table',
      { class: 'grid complaint-table', 'data-testid': 'complaint-categories' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('complaintCategory')),
          h('th', { class: 'num' }, t('complaintColToday')),
          h('th', { class: 'num' }, t('complaintColWeek')),
          branches.map((b) => h('th', { class: 'num' }, say(s.branches.find((x) => x.branch === b)!.name))),
          h('th', { class: 'num' }, t('complaintGuided')),
          h('th', { class: 'num' }, t('complaintVisits')),
          h('th', {}, t('complaintSteps')),
        ),
      ),
      h(
        'tbody',
        {},
        s.categories.map((c) =>
          h(
            'tr',
            { 'data-category': c.category },
            h('td', {}, say(c.name)),
            h('td', { class: 'num', 'data-col': 'today' }, String(c.today)),
            h('td', { class: 'num', 'data-col': 'week' }, String(c.week)),
            branches.map((b) => {
              const n = cell(c.category, b);
              return h('td', { class: 'num', 'data-branch': b }, n ? `${n.today} / ${n.week}` : '—');
            }),
            h('td', { class: 'num' }, String(c.guided)),
            h('td', { class: 'num' }, String(c.fieldVisits)),
            h(
              'td',
              {},
              c.standardSteps.length
                ? h(
                    'details',
                    {},
                    h(
                      'summary',
                      {},
                      `${c.standardSteps.length} ${t('complaintStepsCount')}${c.resolutionHours ? ` · ${c.resolutionHours} h` : ''}`,
                    ),
                    h(
                      'ol',
                      { class: 'steps' },
                      c.standardSteps.map((step) => h('li', {}, say(step))),
                    ),
                  )
                : h('span', { class: 'muted' }, '—'),
            ),
          ),
        ),
      ),
    ),
    branches.length ? h('p', { class: 'hint' }, t('complaintCellHint')) : null,
  ];
}
