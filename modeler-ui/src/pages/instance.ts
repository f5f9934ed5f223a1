import { localizedXml } from '../bpmn/localize.ts';
import { ApiProblem, api } from '../api.ts';
import { hasRole } from '../auth.ts';
import progressModule, { type ElementState, type ProgressOverlays } from '../bpmn/progress-overlays.ts';
import { createViewer, type Viewer } from '../bpmn/viewer.ts';
import { fill, h, toast } from '../dom.ts';
import { elementName, formatDue, formatDuration, formatTime, processName, t, tr } from '../i18n.ts';
import { navigate, type Route } from '../main.ts';
import { slaBadge } from './widgets.ts';

/** GET /process-instances/:key (api/domain/processes/schemas.ts InstanceDetailSchema). */
interface InstanceDetail {
  key: string;
  processId: string;
  version: number;
  businessKey: string | null;
  state: 'active' | 'completed' | 'terminated';
  parentKey: string | null;
  rootKey: string | null;
  processDefinitionKey: string;
  startedAt: string;
  endedAt: string | null;
  activeIncidents: number;
  elements: ElementState[];
  takenFlows: string[];
  calledInstances: { elementId: string; key: string; processId: string; state: string }[];
  incidents: { key: string; elementId: string; errorType: string; errorMessage: string | null; state: string; createdAt: string }[];
}
interface InstanceSummary {
  key: string;
  processId: string;
  businessKey: string | null;
  state: string;
  parentKey: string | null;
  startedAt: string;
  activeIncidents: number;
}

/** Where Operaton's Cockpit shows this instance and its process version (api/plugins/operators-console.ts serves it). */
const COCKPIT = '/operaton/app/cockpit/default/#';

function consoleLinks(d: InstanceDetail): HTMLElement {
  const definitionId = `${d.processId}:${d.version}:${d.processDefinitionKey}`;
  const link = (href: string, label: string) => h('li', {}, h('a', { href, target: '_blank', rel: 'noopener' }, label));
  return h(
    'section',
    { class: 'side-section console-links' },
    h('h3', {}, t('console')),
    h(
      'ul',
      {},
      link(`${COCKPIT}/process-instance/${d.key}/runtime`, t('consoleInstance')),
      link(`${COCKPIT}/process-definition/${encodeURIComponent(definitionId)}/runtime?detailsTab=incidents-tab`, t('consoleDefinition')),
    ),
    h('p', { class: 'muted small' }, t('consoleHint')),
  );
}

export function render(root: HTMLElement, route: Route) {
  const key = route.params[0] ?? '';
  const input = h('input', { name: 'instance', value: key, placeholder: t('instanceHint'), 'aria-label': t('instanceKey') });
  root.append(
    h(
      'form',
      {
        class: 'search-bar',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void open(input.value.trim());
        },
      },
      h('strong', {}, t('instanceTitle')),
      input,
      h('button', { type: 'submit', class: 'primary' }, t('search')),
      h('span', { class: 'spacer' }),
      legend(),
    ),
  );
  const body = h('div', { class: 'workbench instance-bench' });
  root.append(body);

  async function open(value: string) {
    if (!value) return;
    if (/^\d+$/.test(value)) return navigate(`#/instances/${value}`);
    try {
      const found = await api<InstanceSummary[]>('/process-instances', { query: { businessKey: value.toUpperCase(), limit: 5 } });
      const top = found.find((i) => !i.parentKey) ?? found[0];
      if (!top) toast(t('notFound'), 'error');
      else navigate(`#/instances/${top.key}`);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  }

  if (!key) {
    void recentList(body);
    return;
  }
  return instanceView(body, key);
}

function legend() {
  return h(
    'div',
    { class: 'legend' },
    h('span', {}, h('i', { class: 'lg-completed' }), t('legend_completed')),
    h('span', {}, h('i', { class: 'lg-active' }), t('legend_active')),
    h('span', {}, h('i', { class: 'lg-risk' }), tr('sla_at-risk')),
    h('span', {}, h('i', { class: 'lg-incident' }), t('legend_incident')),
    h('span', {}, h('i', { class: 'lg-taken' }), t('legend_taken')),
  );
}

async function recentList(body: HTMLElement) {
  body.className = 'pad';
  try {
    const list = await api<InstanceSummary[]>('/process-instances', { query: { state: 'active', limit: 50 } });
    fill(
      body,
      h(
        'table',
        { class: 'grid card-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('instanceKey')),
            h('th', {}, t('process')),
            h('th', {}, t('col_business')),
            h('th', {}, t('started')),
            h('th', {}, t('incidents')),
          ),
        ),
        h(
          'tbody',
          {},
          list
            .filter((i) => !i.parentKey)
            .map((i) =>
              h(
                'tr',
                { onclick: () => navigate(`#/instances/${i.key}`) },
                h('td', { class: 'mono' }, i.key),
                h('td', {}, processName(i.processId)),
                h('td', { class: 'mono' }, i.businessKey ?? '—'),
                h('td', {}, formatTime(i.startedAt)),
                h('td', {}, i.activeIncidents ? h('span', { class: 'tag bad' }, String(i.activeIncidents)) : '—'),
              ),
            ),
        ),
      ),
    );
  } catch (e) {
    fill(body, h('div', { class: 'error-box' }, (e as Error).message));
  }
}

function instanceView(body: HTMLElement, key: string) {
  const canvasHost = h('div', { class: 'canvas', 'data-testid': 'instance-canvas' });
  const side = h('aside', { class: 'props instance-side' });
  const crumbs = h('div', { class: 'toolbar crumbs' });
  body.append(h('div', { class: 'sidebar instance-nav' }), crumbs, h('div', { class: 'canvas-wrap' }, canvasHost), side);
  body.classList.add('no-left');

  let viewer: Viewer | null = null;
  let shownDefinition = '';
  let timer: number | undefined;
  let stopped = false;

  async function refresh() {
    let detail: InstanceDetail;
    try {
      detail = await api<InstanceDetail>(`/process-instances/${key}`);
    } catch (e) {
      fill(side, h('div', { class: 'error-box' }, e instanceof ApiProblem && e.status === 404 ? t('notFound') : (e as Error).message));
      schedule();
      return;
    }
    if (detail.processDefinitionKey !== shownDefinition) {
      const xml = await api<string>(`/process-definitions/${encodeURIComponent(detail.processId)}/xml`, {
        query: { version: detail.version },
        text: true,
      });
      viewer?.destroy();
      viewer = createViewer(canvasHost, [progressModule]);
      await viewer.importXML(localizedXml(xml));
      (viewer.get('canvas') as { zoom(v: string): void }).zoom('fit-viewport');
      shownDefinition = detail.processDefinitionKey;
      // Double-click a call activity: open the instance it called.
      (viewer.get('eventBus') as { on(e: string, f: (ev: { element: { id: string; type: string } }) => void): void }).on(
        'element.dblclick',
        (ev) => {
          const called = current?.calledInstances.filter((c) => c.elementId === ev.element.id).at(-1);
          if (called) navigate(`#/instances/${called.key}`);
        },
      );
    }
    current = detail;
    (viewer!.get('progressOverlays') as ProgressOverlays).show(detail.elements, detail.takenFlows);
    canvasHost.dataset.state = detail.state;
    drawSide(detail);
    schedule();
  }
  let current: InstanceDetail | null = null;

  function schedule() {
    if (!stopped && current?.state !== 'completed' && current?.state !== 'terminated') timer = window.setTimeout(refresh, 2000);
  }

  function drawSide(d: InstanceDetail) {
    // names of the elements as the API gave them (in the reader's language), for incidents and called instances
    const nameOf = (id: string) => d.elements.find((e) => e.elementId === id)?.name ?? null;
    fill(
      crumbs,
      d.parentKey ? h('a', { href: `#/instances/${d.parentKey}` }, '↑ ', t('parentInstance')) : null,
      h('strong', {}, processName(d.processId)),
      h('span', { class: 'muted' }, `v${d.version}`),
      h('span', { class: 'mono' }, d.businessKey ?? ''),
      h(
        'span',
        { class: `state-pill state-${d.state === 'active' ? 'inProgress' : d.state}` },
        tr(`state_${d.state === 'active' ? 'inProgress' : d.state}`),
      ),
      h('span', { class: 'spacer' }),
      d.state === 'active' ? h('span', { class: 'live-dot', title: t('updatedLive') }) : null,
    );
    const active = d.elements.filter((e) => e.active > 0);
    fill(
      side,
      h(
        'section',
        { class: 'side-section' },
        h('h3', {}, t('instanceTitle')),
        h(
          'dl',
          { class: 'facts' },
          fact(t('instanceKey'), h('span', { class: 'mono' }, d.key)),
          fact(t('process'), `${processName(d.processId)} · v${d.version}`),
          fact(t('col_business'), d.businessKey ?? '—'),
          fact(t('started'), formatTime(d.startedAt)),
          fact(t('ended'), formatTime(d.endedAt)),
        ),
      ),
      h(
        'section',
        { class: 'side-section' },
        h('h3', {}, t('activeElements'), ' ', h('span', { class: 'tag' }, String(active.length))),
        h(
          'ul',
          { class: 'active-list', 'data-testid': 'active-elements' },
          active.map((e) =>
            h(
              'li',
              { 'data-element-id': e.elementId },
              h('span', {}, elementName(e.elementId, e.name)),
              h(
                'span',
                {},
                e.activeSince ? formatDuration(Date.now() - new Date(e.activeSince).getTime()) : '',
                ' ',
                e.dueDate ? slaBadge(e.slaState) : null,
                e.dueDate ? h('small', { class: 'muted' }, ' ', formatDue(e.dueDate)) : null,
              ),
            ),
          ),
        ),
      ),
      d.calledInstances.length
        ? h(
            'section',
            { class: 'side-section' },
            h('h3', {}, t('calledInstances')),
            h(
              'ul',
              { class: 'active-list' },
              d.calledInstances.map((c) =>
                h(
                  'li',
                  {},
                  h('a', { href: `#/instances/${c.key}` }, processName(c.processId)),
                  h(
                    'span',
                    { class: 'muted' },
                    elementName(c.elementId, nameOf(c.elementId)),
                    ' · ',
                    tr(`state_${c.state === 'active' ? 'inProgress' : c.state}`, c.state),
                  ),
                ),
              ),
            ),
          )
        : null,
      h(
        'section',
        { class: 'side-section' },
        h('h3', {}, t('incidents'), ' ', h('span', { class: d.activeIncidents ? 'tag bad' : 'tag' }, String(d.activeIncidents))),
        d.incidents.filter((i) => i.state === 'active').length === 0
          ? h('p', { class: 'muted' }, t('noIncidents'))
          : d.incidents
              .filter((i) => i.state === 'active')
              .map((i) =>
                h(
                  'div',
                  { class: 'incident' },
                  h(
                    'div',
                    {},
                    h('strong', {}, elementName(i.elementId, nameOf(i.elementId))),
                    ' ',
                    h('small', { class: 'muted', title: i.errorType }, tr(`incident_${i.errorType}`, i.errorType)),
                  ),
                  h('div', { class: 'small' }, i.errorMessage ?? ''),
                  hasRole('process-owner', 'admin')
                    ? h(
                        'button',
                        {
                          type: 'button',
                          onclick: async () => {
                            try {
                              await api(`/incidents/${i.key}/resolve`, { method: 'POST', body: {} });
                              toast(t('resolved'), 'ok');
                              void refresh();
                            } catch (e) {
                              toast((e as Error).message, 'error');
                            }
                          },
                        },
                        t('resolve'),
                      )
                    : null,
                ),
              ),
      ),
      hasRole('process-owner', 'admin') ? consoleLinks(d) : null,
      d.state === 'active' && hasRole('process-owner', 'admin')
        ? h(
            'section',
            { class: 'side-section' },
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: async () => {
                  if (!confirm(t('confirmCancel'))) return;
                  try {
                    await api(`/process-instances/${d.key}/cancel`, { method: 'POST' });
                    void refresh();
                  } catch (e) {
                    toast((e as Error).message, 'error');
                  }
                },
              },
              t('cancelInstance'),
            ),
          )
        : null,
    );
  }

  void refresh();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    viewer?.destroy();
  };
}

function fact(label: string, value: Node | string) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}
