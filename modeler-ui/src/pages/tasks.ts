import '@bpmn-io/form-js/dist/assets/form-js.css';
import { Form } from '@bpmn-io/form-js';
import { localizedFormSchema, localizeValidation } from '../forms/localize.ts';
import { decisionOf, withoutDecision } from '../forms/decision.ts';
import * as names from '../names.ts';
import { ApiProblem, api } from '../api.ts';
import { currentUser } from '../auth.ts';
import { fill, h, toast } from '../dom.ts';
import { elementName, formatDue, formatTime, processName, t, tr } from '../i18n.ts';
import type { Route } from '../main.ts';
import { levelBadge, slaBadge } from './widgets.ts';
import { chaseUpBlock } from './chase-ups.ts';
import { evidencePanel } from './evidence.ts';

/** GET /tasks items (api/domain/tasks/schemas.ts TaskSchema). */
export interface Task {
  key: string;
  name: string | null;
  elementId: string;
  processId: string;
  processName: string | null;
  processInstanceKey: string;
  rootProcessInstanceKey: string | null;
  businessKey: string | null;
  customerName: string | null;
  customerLevel: string | null;
  branch: string | null;
  candidateGroups: string[];
  assignee: string | null;
  assigneeName?: string | null;
  completedByName?: string | null;
  formId: string | null;
  priority: number;
  dueDate: string | null;
  slaState: 'on-time' | 'at-risk' | 'breached' | 'none';
  state: 'created' | 'completed' | 'canceled';
  createdAt: string;
  endedAt: string | null;
  completedBy: string | null;
}

interface TaskDetail extends Task {
  form: Record<string, unknown> | null;
  context: Record<string, unknown>;
  submitted: Record<string, unknown> | null;
}

type Tab = 'todo' | 'done' | 'errors';

const PROCESSES = [
  'home-broadband-new-install',
  'home-broadband-change',
  'enterprise-line-new-install',
  'fault-trouble-ticket',
  'complaint',
  'acceptance-handover',
];
const LEVELS = ['group', 'province', 'local-a', 'local-b', 'local-c'];

export function render(root: HTMLElement, route: Route) {
  const user = currentUser()!;
  const state = {
    tab: (route.query.get('tab') as Tab) ?? 'todo',
    group: '',
    process: '',
    customerLevel: '',
    businessKey: '',
    minPriority: '',
    assignee: 'any',
    due: '',
    sort: 'due',
    selected: route.params[0] ?? null,
  };
  let form: Form | null = null;
  /** Which detail load is the latest: an older answer arriving later (a slow row, then a claim) is dropped. */
  let detailLoads = 0;

  const select = (name: keyof typeof state, options: [string, string][]) =>
    h(
      'select',
      {
        name,
        'data-filter': name,
        onchange: (e: Event) => {
          (state as Record<string, unknown>)[name] = (e.target as HTMLSelectElement).value;
          void loadList();
        },
      },
      options.map(([value, label]) => h('option', { value, selected: state[name] === value }, label)),
    );

  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist' },
    (['todo', 'done', 'errors'] as Tab[]).map((tab) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          'data-tab': tab,
          class: tab === state.tab ? 'active' : '',
          onclick: () => {
            state.tab = tab;
            tabs.querySelectorAll('button').forEach((b) => b.classList.toggle('active', b.dataset.tab === tab));
            // the previous tab's task does not stay open beside another list
            state.selected = null;
            detailLoads++;
            form?.destroy();
            form = null;
            delete detail.dataset.taskKey;
            fill(detail, h('p', { class: 'empty' }, t('selectTask')));
            filterBox.hidden = tab !== 'todo';
            void loadList();
          },
        },
        t(`tab_${tab}`),
        h('span', { class: 'count', 'data-count': tab }),
      ),
    ),
  );

  // 单号: find one order's task among many (prefix, case-insensitive)
  let searchTimer: number | undefined;
  const businessKeyInput = h('input', {
    type: 'search',
    name: 'businessKey',
    'data-filter': 'businessKey',
    placeholder: t('filter_businessHint'),
    autocapitalize: 'characters',
    oninput: (e: Event) => {
      state.businessKey = (e.target as HTMLInputElement).value;
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(() => void loadList(), 300);
    },
  });
  const filters = h(
    'div',
    { class: 'filters' },
    h('label', {}, t('filter_business'), businessKeyInput),
    h(
      'label',
      {},
      t('filter_group'),
      select('group', [['', t('all')], ...user.groups.map((g) => [g, names.group(g)] as [string, string])]),
    ),
    h(
      'label',
      {},
      t('filter_process'),
      select('process', [['', t('all')], ...PROCESSES.map((p) => [p, processName(p)] as [string, string])]),
    ),
    h(
      'label',
      {},
      t('filter_level'),
      select('customerLevel', [['', t('all')], ...LEVELS.map((l) => [l, tr(`level_${l}`)] as [string, string])]),
    ),
    h(
      'label',
      {},
      t('filter_priority'),
      select('minPriority', [['', t('all')], ...['90', '80', '70', '60'].map((p) => [p, `≥ ${p}`] as [string, string])]),
    ),
    h(
      'label',
      {},
      t('filter_assignee'),
      select('assignee', [
        ['any', t('assignee_any')],
        ['me', t('assignee_me')],
        ['unassigned', t('assignee_unassigned')],
      ]),
    ),
    h(
      'label',
      {},
      t('filter_due'),
      select('due', [
        ['', t('due_any')],
        ['today', t('due_today')],
        ['overdue', t('due_overdue')],
      ]),
    ),
    h(
      'label',
      {},
      t('sort'),
      select('sort', [
        ['due', t('sort_due')],
        ['priority', t('sort_priority')],
        ['created', t('sort_created')],
      ]),
    ),
  );
  // On a phone the filters fold away, so a crew reaches the list (and the form) without scrolling past them.
  const filterBox = h(
    'details',
    { class: 'filter-box', open: !window.matchMedia('(max-width: 700px)').matches },
    h('summary', {}, t('filtersToggle')),
    filters,
  );
  filterBox.hidden = state.tab !== 'todo';

  const list = h('div', { class: 'table-wrap' });
  const detail = h('section', { class: 'task-detail', 'aria-label': 'task' }, h('p', { class: 'empty' }, t('selectTask')));
  root.append(
    h(
      'div',
      { class: 'split' },
      h(
        'section',
        { class: 'task-list' },
        h('div', { class: 'toolbar' }, tabs, h('span', { class: 'spacer' }), h('span', { class: 'live-dot', title: t('updatedLive') })),
        filterBox,
        list,
      ),
      detail,
    ),
  );

  function listQuery(): Record<string, string> {
    const q: Record<string, string> = { sort: state.sort, assignee: state.assignee };
    if (state.group) q.group = state.group;
    if (state.process) q.process = state.process;
    if (state.customerLevel) q.customerLevel = state.customerLevel;
    if (state.businessKey.trim().length >= 2) q.businessKey = state.businessKey.trim();
    if (state.minPriority) q.minPriority = state.minPriority;
    if (state.due === 'overdue') q.dueBefore = new Date().toISOString();
    if (state.due === 'today') {
      const end = new Date();
      end.setHours(23, 59, 59, 999);
      q.dueBefore = end.toISOString();
    }
    return q;
  }

  async function loadList() {
    try {
      const tasks =
        state.tab === 'todo'
          ? await api<Task[]>('/tasks', { query: listQuery() })
          : state.tab === 'done'
            ? await api<Task[]>('/tasks/done')
            : await api<Task[]>('/tasks/error-orders');
      const count = tabs.querySelector(`[data-count="${state.tab}"]`);
      if (count) count.textContent = String(tasks.length);
      fill(list, taskTable(tasks));
    } catch (e) {
      fill(list, h('div', { class: 'error-box' }, (e as Error).message));
    }
  }

  function taskTable(tasks: Task[]) {
    if (tasks.length === 0) return h('p', { class: 'empty' }, t('noTasks'));
    const done = state.tab === 'done';
    return h(
      'table',
      { class: 'grid', 'data-testid': 'task-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { class: 'num' }, t('col_priority')),
          h('th', {}, t('col_task')),
          h('th', {}, t('col_business')),
          h('th', {}, t('col_customer')),
          h('th', {}, t('col_branch')),
          h('th', {}, done ? t('col_completed') : t('col_due')),
          h('th', {}, t('col_assignee')),
        ),
      ),
      h(
        'tbody',
        {},
        tasks.map((task) =>
          h(
            'tr',
            {
              'data-task-key': task.key,
              'data-element-id': task.elementId,
              'data-business-key': task.businessKey ?? '',
              class: `${task.key === state.selected ? 'selected' : ''} sla-row-${task.slaState}`,
              onclick: () => {
                state.selected = task.key;
                list.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
                list.querySelector(`tr[data-task-key="${task.key}"]`)?.classList.add('selected');
                void loadDetail(task.key).then(() => {
                  // on a phone the detail is below the list: bring the form into view
                  if (window.matchMedia('(max-width: 700px)').matches) detail.scrollIntoView({ behavior: 'smooth', block: 'start' });
                });
              },
            },
            h('td', { class: 'num' }, priorityPill(task.priority)),
            h(
              'td',
              {},
              h('div', { class: 'strong' }, elementName(task.elementId, task.name)),
              h('div', { class: 'sub' }, processName(task.processId, task.processName)),
            ),
            h('td', { class: 'mono' }, task.businessKey ?? '—'),
            h('td', {}, task.customerName ?? '—', ' ', task.customerLevel ? levelBadge(task.customerLevel) : null),
            h('td', {}, task.branch ? names.branch(task.branch) : '—'),
            done
              ? h('td', {}, formatTime(task.endedAt))
              : h('td', {}, h('div', {}, formatDue(task.dueDate)), task.dueDate ? slaBadge(task.slaState) : null),
            h(
              'td',
              {},
              done
                ? (task.completedByName ?? task.assignee ?? '—')
                : task.assignee
                  ? task.assignee === user.username
                    ? h('span', { class: 'badge badge-me' }, t('assignee_me'))
                    : (task.assigneeName ?? task.assignee)
                  : h('span', { class: 'muted' }, t('unassigned')),
            ),
          ),
        ),
      ),
    );
  }

  async function loadDetail(key: string) {
    const load = ++detailLoads;
    // another task: say it is loading; the same task again (after a claim) stays on screen until its new state arrives
    if (detail.dataset.taskKey !== key) {
      form?.destroy();
      form = null;
      delete detail.dataset.taskKey;
      fill(detail, h('p', { class: 'muted' }, t('loading')));
    }
    let task: TaskDetail;
    try {
      task = await api<TaskDetail>(`/tasks/${key}`);
    } catch (e) {
      if (load === detailLoads) fill(detail, h('div', { class: 'error-box' }, (e as Error).message));
      return;
    }
    if (load !== detailLoads) return;
    form?.destroy();
    form = null;
    detail.dataset.taskKey = key;
    const mine = task.assignee === user.username;
    const open = task.state === 'created';
    const formHost = h('div', { class: 'form-host', 'data-testid': 'task-form' });
    // photos and documents of the task's line or order: uploaded by whoever works it, rejected by a reviewer
    const evidence = evidencePanel(key, { editable: open && mine });
    const actions = h('div', { class: 'actions' });
    if (open && !task.assignee)
      actions.append(h('button', { type: 'button', class: 'primary', 'data-action': 'claim', onclick: () => act('claim') }, t('claim')));
    // a form that asks for a decision (审核通过 / 驳回) is answered with two buttons, not a box left unticked
    const decision = decisionOf(task.form);
    const asking = open && mine ? decision : null;
    if (open && mine) {
      actions.append(h('button', { type: 'button', 'data-action': 'unclaim', onclick: () => act('unclaim') }, t('unclaim')));
      if (asking) {
        actions.append(
          h('button', { type: 'button', class: 'danger', 'data-action': 'reject', onclick: () => void complete(false) }, asking.no),
          h('button', { type: 'button', class: 'primary', 'data-action': 'approve', onclick: () => void complete(true) }, asking.yes),
        );
      } else {
        actions.append(
          h('button', { type: 'button', class: 'primary', 'data-action': 'complete', onclick: () => void complete() }, t('complete')),
        );
      }
    }
    const submittedDecision = !open && decision ? task.submitted?.[decision.key] : undefined;

    fill(
      detail,
      h(
        'header',
        { class: 'detail-head' },
        h(
          'div',
          {},
          h('h2', {}, elementName(task.elementId, task.name)),
          h(
            'div',
            { class: 'sub' },
            processName(task.processId, task.processName),
            ' · ',
            h('span', { class: 'mono' }, task.businessKey ?? task.processInstanceKey),
          ),
        ),
        h('div', { class: 'head-badges' }, task.dueDate ? slaBadge(task.slaState) : null, priorityPill(task.priority)),
      ),
      h(
        'dl',
        { class: 'facts' },
        fact(t('col_customer'), [task.customerName ?? '—', ' ', task.customerLevel ? levelBadge(task.customerLevel) : null]),
        fact(t('col_branch'), task.branch ? names.branch(task.branch) : '—'),
        open
          ? fact(t('col_due'), task.dueDate ? `${formatTime(task.dueDate)}（${formatDue(task.dueDate)}）` : '—')
          : fact(t('col_completed'), formatTime(task.endedAt)),
        open ? null : fact(t('completedByLabel'), task.completedByName ?? task.completedBy ?? '—'),
        typeof submittedDecision === 'boolean'
          ? fact(
              t('decisionLabel'),
              h(
                'span',
                { class: `badge ${submittedDecision ? 'badge-ok' : 'badge-bad'}`, 'data-testid': 'decision' },
                submittedDecision ? decision!.yes : decision!.no,
              ),
            )
          : null,
        fact(t('filter_group'), task.candidateGroups.map(names.group).join('、')),
        fact(t('col_assignee'), task.assigneeName ?? task.assignee ?? t('unassigned')),
        fact(t('col_created'), formatTime(task.createdAt)),
      ),
      chaseUpBlock(task),
      contextBlock(task.context),
      h(
        'div',
        { class: 'form-title' },
        h('h3', {}, !task.form ? t('noForm') : open ? t('formTitle') : t('submittedTitle')),
        open && !mine ? h('span', { class: 'hint' }, t('claimFirst')) : null,
      ),
      formHost,
      evidence.element,
      actions,
      h(
        'a',
        { class: 'link small', href: `#/instances/${task.rootProcessInstanceKey ?? task.processInstanceKey}` },
        t('openInstance'),
        ' →',
      ),
    );

    if (task.form) {
      const shown = new Form({ container: formHost });
      form = shown;
      localizeValidation(shown);
      // a completed task shows what was submitted, over the business context it was done in
      const schema = asking ? withoutDecision(task.form, asking) : task.form;
      await shown.importSchema(localizedFormSchema(schema), { ...task.context, ...(task.submitted ?? {}) });
      if (!open || !mine) shown.setProperty('readOnly', true);
    } else {
      formHost.append(h('p', { class: 'muted' }, t('noForm')));
    }

    async function act(action: 'claim' | 'unclaim') {
      try {
        await api(`/tasks/${key}/${action}`, { method: 'POST' });
        toast(t(action === 'claim' ? 'claimed' : 'unclaimed'), 'ok');
        await Promise.all([loadList(), loadDetail(key)]);
      } catch (e) {
        toast((e as Error).message, 'error');
      }
    }

    /** Completes the task; `answer` is the decision's button (yes or no) when the form asks for one. */
    async function complete(answer?: boolean) {
      const decided = asking && answer !== undefined ? { [asking.key]: answer } : {};
      if (!form) {
        await send(decided);
        return;
      }
      const { data, errors } = form.submit();
      if (Object.keys(errors).length > 0) {
        toast(t('formInvalid'), 'error');
        return;
      }
      const variables = { ...editableData(task.form ?? {}, data), ...decided };
      if (asking && answer === false && asking.noteKey && !String(variables[asking.noteKey] ?? '').trim()) {
        toast(`${t('decisionNoteRequired')}${asking.noteLabel ?? asking.noteKey}`, 'error');
        formHost
          .querySelector<HTMLElement>(`[name="${CSS.escape(asking.noteKey)}"], #${CSS.escape(`fjs-form-${asking.noteKey}`)}`)
          ?.focus();
        return;
      }
      await send(variables);
    }

    async function send(variables: Record<string, unknown>) {
      try {
        await api(`/tasks/${key}/complete`, { method: 'POST', body: { variables } });
        toast(t('completed'), 'ok');
        form?.destroy();
        form = null;
        state.selected = null;
        detailLoads++;
        delete detail.dataset.taskKey;
        fill(detail, h('p', { class: 'empty done-msg', 'data-testid': 'task-completed' }, '✓ ', t('completed')));
        await loadList();
      } catch (e) {
        const problem = e as ApiProblem;
        const fields = Array.isArray(problem.body?.errors)
          ? (problem.body.errors as { pointer?: string; message?: string }[]).map((x) => `${x.pointer ?? ''} ${x.message ?? ''}`).join('; ')
          : '';
        toast(`${problem.message} ${fields}`, 'error');
      }
    }
  }

  void loadList();
  if (state.selected) void loadDetail(state.selected);
  const timer = window.setInterval(() => {
    if (!document.hidden) void loadList();
  }, 5000);
  return () => {
    window.clearInterval(timer);
    form?.destroy();
  };
}

interface FormComponent {
  key?: string;
  readonly?: boolean | string;
  disabled?: boolean;
  components?: FormComponent[];
}

/**
 * Only what the clerk could edit goes back to the process: a read-only field such as
 * `customer.name` would otherwise replace the whole `customer` variable with a one-field object.
 */
export function editableData(schema: Record<string, unknown>, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (components: FormComponent[] = []) => {
    for (const c of components) {
      if (c.components) walk(c.components);
      if (!c.key || c.readonly === true || c.disabled) continue;
      const path = c.key.split('.');
      let value: unknown = data;
      for (const part of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
      if (value === undefined) continue;
      let target = out;
      path.slice(0, -1).forEach((part) => (target = (target[part] ??= {}) as Record<string, unknown>));
      target[path.at(-1)!] = value;
    }
  };
  walk(schema.components as FormComponent[]);
  return out;
}

function priorityPill(priority: number) {
  const level = priority >= 75 ? 'high' : priority >= 50 ? 'mid' : 'low';
  return h('span', { class: `prio prio-${level}`, title: String(priority) }, String(priority));
}

function fact(label: string, value: Node | string | (Node | string | null)[]) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, ...(Array.isArray(value) ? value : [value])));
}

/** The business variables as a compact definition list (objects one level deep). */
function contextBlock(context: Record<string, unknown>) {
  const entries = names.contextFields(context ?? {});
  if (entries.length === 0) return null;
  return h(
    'details',
    { class: 'context', open: true },
    h('summary', {}, t('taskContext')),
    h(
      'dl',
      { class: 'facts' },
      entries.map(([label, value]) => fact(label, value)),
    ),
  );
}
