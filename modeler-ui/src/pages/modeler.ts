import { lintMessage, translateModule } from '../bpmn/translate.ts';
import 'camunda-bpmn-js/dist/assets/camunda-platform-modeler.css';
import BpmnModeler from 'camunda-bpmn-js/lib/camunda-platform/Modeler';
import { ApiProblem, api, apiRaw } from '../api.ts';
import { diff, type Change } from '../bpmn/diff.ts';
import { lint, type Problem } from '../bpmn/lint.ts';
import newProcessTemplate from '../bpmn/new-process.bpmn?raw';
import { fill, h, toast } from '../dom.ts';
import { elementName, formatTime, processName, t } from '../i18n.ts';
import { navigate, type Route } from '../main.ts';

/**
 * The process owners' workbench: BPMN with camunda-bpmn-js' Camunda 7 modeler (the dialect Operaton
 * runs: its properties panel with external task topics, candidate groups, form references, timers,
 * messages, input/output, history time to live; its behaviours), a problems panel (bpmnlint with the
 * server's rules), a diff against the deployed version, and deployment; a new process starts from a
 * Camunda 7 template; DMN with dmn-js and forms with the form-js editor.
 */

/** GET /process-definitions (api/domain/processes/schemas.ts). */
interface ProcessDefinition {
  processId: string;
  name: string | null;
  latestVersion: number;
  versions: { version: number; key: string; resourceName: string; deployedAt: string }[];
  activeInstances: number;
}
interface Deployment {
  processes: { processId: string; version: number }[];
  decisions: { decisionId: string; version: number }[];
  forms: { formId: string; version: number }[];
  warnings: { file: string; elementId?: string; rule: string; message: string }[];
}

// The repository's decisions and forms (processes/): the API lists deployed processes only.
const DMN_FILES = import.meta.glob('../../../processes/*.dmn', { query: '?raw', import: 'default' }) as Record<
  string,
  () => Promise<string>
>;
const FORM_FILES = import.meta.glob('../../../processes/forms/*.form', { query: '?raw', import: 'default' }) as Record<
  string,
  () => Promise<string>
>;
const fileName = (path: string) => path.split('/').at(-1)!;

interface Editor {
  save(): Promise<string>;
  destroy(): void;
}

export function render(root: HTMLElement, route: Route) {
  const [kind = '', id = ''] = route.params;
  const version = Number(route.query.get('version')) || undefined;
  const sidebar = h('nav', { class: 'sidebar', 'aria-label': t('processes') });
  const toolbar = h('div', { class: 'toolbar modeler-toolbar' });
  const canvas = h('div', { class: 'canvas', 'data-testid': 'modeler-canvas' });
  const props = h('aside', { class: 'props', 'data-testid': 'properties-panel' });
  const bottom = h('section', { class: 'bottom', 'aria-label': t('problems') });
  const bench = h('div', { class: 'workbench modeler-bench' }, sidebar, toolbar, h('div', { class: 'canvas-wrap' }, canvas), props, bottom);
  root.append(bench);

  let editor: Editor | null = null;
  void drawSidebar(sidebar, kind, id);

  if (kind === 'bpmn' && id) editor = openBpmn({ processId: id, version, toolbar, canvas, props, bottom });
  else if (kind === 'new') editor = openBpmn({ toolbar, canvas, props, bottom });
  else if (kind === 'dmn' && id) editor = openDmn({ file: id, toolbar, canvas, props, bottom });
  else if (kind === 'form' && id) editor = openForm({ file: id, toolbar, canvas, props, bottom });
  else {
    bench.classList.add('idle');
    canvas.append(h('p', { class: 'empty' }, t('selectResource')));
  }
  return () => editor?.destroy();
}

async function drawSidebar(sidebar: HTMLElement, kind: string, id: string) {
  let processes: ProcessDefinition[] = [];
  try {
    processes = await api<ProcessDefinition[]>('/process-definitions');
  } catch (e) {
    sidebar.append(h('div', { class: 'error-box' }, (e as Error).message));
  }
  const item = (href: string, active: boolean, label: string, sub: string, attrs: Record<string, string> = {}) =>
    h('li', {}, h('a', { href, class: active ? 'active' : '', ...attrs }, label, h('span', { class: 'sub' }, sub)));
  fill(
    sidebar,
    h('h3', {}, t('processes')),
    h(
      'ul',
      {},
      item('#/modeler/new', kind === 'new', `+ ${t('newProcess')}`, 'BPMN · Operaton', { 'data-action': 'new-process' }),
      processes.map((p) =>
        item(
          `#/modeler/bpmn/${p.processId}`,
          kind === 'bpmn' && id === p.processId,
          processName(p.processId, p.name),
          `v${p.latestVersion} · ${p.processId}`,
          {
            'data-process': p.processId,
          },
        ),
      ),
    ),
    h('h3', {}, t('decisions')),
    h(
      'ul',
      {},
      Object.keys(DMN_FILES).map((path) =>
        item(`#/modeler/dmn/${fileName(path)}`, kind === 'dmn' && id === fileName(path), fileName(path).replace(/\.dmn$/, ''), 'DMN'),
      ),
    ),
    h('h3', {}, t('forms')),
    h(
      'ul',
      {},
      Object.keys(FORM_FILES).map((path) =>
        item(
          `#/modeler/form/${fileName(path)}`,
          kind === 'form' && id === fileName(path),
          fileName(path).replace(/\.form$/, ''),
          'form-js',
        ),
      ),
    ),
  );
}

interface OpenArgs {
  toolbar: HTMLElement;
  canvas: HTMLElement;
  props: HTMLElement;
  bottom: HTMLElement;
}

async function deploy(
  resources: { name: string; content: string }[],
  button: HTMLButtonElement,
  problemsHost?: (problems: Problem[]) => void,
): Promise<Deployment | null> {
  button.disabled = true;
  button.textContent = t('deploying');
  try {
    const result = await api<Deployment>('/deployments', { method: 'POST', body: { resources } });
    const deployed = [
      ...result.processes.map((p) => `${p.processId} v${p.version}`),
      ...result.decisions.map((d) => `${d.decisionId} v${d.version}`),
      ...result.forms.map((f) => `${f.formId} v${f.version}`),
    ];
    toast(`${t('deployedVersion')} ${deployed.join(', ')}`, 'ok');
    return result;
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 422) {
      toast(t('deployRefused'), 'error');
      const errors = (Array.isArray(e.body.errors) ? e.body.errors : []) as { message?: string; pointer?: string }[];
      problemsHost?.(
        errors.map((x) => ({
          rule: 'server',
          severity: 'error',
          message: x.message ?? String(x),
          elementId: /^([\w-]+): /.exec(x.message ?? '')?.[1],
        })),
      );
    } else toast((e as Error).message, 'error');
    return null;
  } finally {
    button.disabled = false;
    button.textContent = t('deploy');
  }
}

function downloadButton(name: string, save: () => Promise<string>) {
  return h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        const url = URL.createObjectURL(new Blob([await save()], { type: 'application/octet-stream' }));
        const a = h('a', { href: url, download: name });
        a.click();
        URL.revokeObjectURL(url);
      },
    },
    t('download'),
  );
}

/** A new process in the Camunda 7 dialect (history time to live set, as the engine requires), with an id of its own. */
function newProcessXml(): string {
  const processId = `process-${Date.now().toString(36)}`;
  return newProcessTemplate.replaceAll('{{processId}}', processId);
}

/** The executable process a BPMN document defines (the one deployed under its id). */
function definedProcessId(definitions: { rootElements?: { $type: string; id?: string; isExecutable?: boolean }[] }) {
  const processes = (definitions.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process');
  return (processes.find((p) => p.isExecutable) ?? processes[0])?.id;
}

/** Opens a deployed process (a version of it), or a new one from the template when `processId` is absent. */
function openBpmn({ processId, version, toolbar, canvas, props, bottom }: OpenArgs & { processId?: string; version?: number }): Editor {
  const modeler = new BpmnModeler({ container: canvas, propertiesPanel: { parent: props }, additionalModules: [translateModule] } as never);
  const elementRegistry = modeler.get('elementRegistry') as { get(id: string): unknown };
  const canvasApi = modeler.get('canvas') as {
    addMarker(id: string, m: string): void;
    removeMarker(id: string, m: string): void;
    zoom(v: string): void;
  };
  const selection = modeler.get('selection') as { select(el: unknown): void };
  const moddle = modeler.get('moddle') as { fromXML(xml: string): Promise<{ rootElement: never }>; create(type: string): unknown };
  let definitions: ProcessDefinition | undefined;
  let deployedXml = '';
  let shownVersion = 0;
  let problems: Problem[] = [];
  let changes: Change[] = [];
  let diffOn = false;
  let dirty = false;
  let bottomTab: 'problems' | 'diff' = 'problems';

  const versionSelect = h('select', {
    name: 'version',
    'data-testid': 'version-select',
    onchange: () => navigate(`#/modeler/bpmn/${processId}?version=${versionSelect.value}`),
  });
  const dirtyMark = h('span', { class: 'tag warn', hidden: true }, t('unsaved'));
  const diffButton = h('button', { type: 'button', 'data-action': 'diff', onclick: () => toggleDiff() }, t('diff'));
  const deployButton = h(
    'button',
    { type: 'button', class: 'primary', 'data-action': 'deploy', onclick: () => void doDeploy() },
    t('deploy'),
  );
  // A .bpmn file from the process owner's disk replaces the diagram (checked and diffed like any edit).
  const fileInput = h('input', {
    type: 'file',
    accept: '.bpmn,.xml',
    hidden: true,
    'data-testid': 'open-file',
    onchange: () => void openFile(),
  });
  const title = h('strong', {}, processId ? processName(processId) : t('newProcess'));
  fill(
    toolbar,
    title,
    processId ? h('label', { class: 'inline' }, t('version'), versionSelect) : h('span', { class: 'tag' }, t('notDeployed')),
    dirtyMark,
    h('span', { class: 'spacer' }),
    h('button', { type: 'button', 'data-action': 'open-file', onclick: () => fileInput.click() }, t('openFile')),
    fileInput,
    diffButton,
    downloadButton(`${processId ?? 'new-process'}.bpmn`, save),
    deployButton,
  );

  /** A problem's element as people know it: its name (its id beside it, for the modeler's search). */
  function problemElementName(id: string | undefined) {
    if (!id) return '—';
    const bo = (elementRegistry.get(id) as { businessObject?: { name?: string } } | undefined)?.businessObject;
    return bo?.name ? [bo.name, ' ', h('small', { class: 'mono muted' }, id)] : h('span', { class: 'mono' }, id);
  }

  async function save() {
    return (await modeler.saveXML({ format: true })).xml ?? '';
  }

  async function load() {
    if (!processId) {
      // Nothing deployed yet: every element of the new process shows as added in the diff.
      await modeler.importXML(newProcessXml());
      canvasApi.zoom('fit-viewport');
      canvas.dataset.version = '0';
      await refreshChecks();
      return;
    }
    const all = await api<ProcessDefinition[]>('/process-definitions');
    definitions = all.find((p) => p.processId === processId);
    const res = await apiRaw(`/process-definitions/${encodeURIComponent(processId)}/xml`, version ? { version } : {});
    deployedXml = await res.text();
    shownVersion = Number(res.headers.get('x-process-version')) || version || definitions?.latestVersion || 0;
    fill(
      versionSelect,
      [...(definitions?.versions ?? [])]
        .sort((a, b) => b.version - a.version)
        .map((v) =>
          h(
            'option',
            { value: v.version, selected: v.version === shownVersion },
            `v${v.version}${v.version === definitions?.latestVersion ? ` (${t('latest')})` : ''} · ${formatTime(v.deployedAt)}`,
          ),
        ),
    );
    await modeler.importXML(deployedXml);
    canvasApi.zoom('fit-viewport');
    dirty = false;
    dirtyMark.hidden = true;
    canvas.dataset.version = String(shownVersion);
    await refreshChecks();
  }

  async function openFile() {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    try {
      await modeler.importXML(await file.text());
    } catch (e) {
      toast(`${file.name}: ${(e as Error).message}`, 'error');
      return;
    }
    canvasApi.zoom('fit-viewport');
    dirty = true;
    dirtyMark.hidden = false;
    await refreshChecks();
  }

  async function refreshChecks() {
    const edited = (modeler as unknown as { getDefinitions(): never }).getDefinitions();
    problems = await lint(edited).catch((e: Error) => [{ rule: 'lint', severity: 'error' as const, message: e.message }]);
    const deployed = deployedXml ? (await moddle.fromXML(deployedXml)).rootElement : (moddle.create('bpmn:Definitions') as never);
    changes = diff(deployed, edited);
    for (const id of Object.keys((elementRegistry as unknown as { _elements: Record<string, unknown> })._elements ?? {})) {
      canvasApi.removeMarker(id, 'diff-added');
      canvasApi.removeMarker(id, 'diff-changed');
      canvasApi.removeMarker(id, 'lint-error');
    }
    for (const p of problems)
      if (p.elementId && p.severity === 'error' && elementRegistry.get(p.elementId)) canvasApi.addMarker(p.elementId, 'lint-error');
    if (diffOn) for (const c of changes) if (c.kind !== 'removed' && elementRegistry.get(c.id)) canvasApi.addMarker(c.id, `diff-${c.kind}`);
    drawBottom();
  }

  function toggleDiff() {
    diffOn = !diffOn;
    bottomTab = diffOn ? 'diff' : 'problems';
    diffButton.classList.toggle('active', diffOn);
    void refreshChecks();
  }

  function selectElement(id?: string) {
    const el = id ? elementRegistry.get(id) : undefined;
    if (el) selection.select(el);
  }

  function drawBottom() {
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.length - errors;
    const tab = (name: 'problems' | 'diff', label: Node[]) =>
      h(
        'button',
        {
          type: 'button',
          class: bottomTab === name ? 'active' : '',
          'data-bottom-tab': name,
          onclick: () => {
            bottomTab = name;
            drawBottom();
          },
        },
        ...label,
      );
    const head = h(
      'div',
      { class: 'panel-head tabs' },
      tab('problems', [
        document.createTextNode(t('problems')),
        h('span', { class: errors ? 'tag bad' : 'tag ok', 'data-testid': 'error-count' }, String(errors)),
        h('span', { class: 'tag warn' }, String(warnings)),
      ]),
      tab('diff', [document.createTextNode(t('diff')), h('span', { class: 'tag', 'data-testid': 'change-count' }, String(changes.length))]),
    );
    const body =
      bottomTab === 'problems'
        ? problems.length === 0
          ? h('p', { class: 'muted pad' }, t('noProblems'))
          : h(
              'ul',
              { class: 'problems', 'data-testid': 'problems' },
              problems.map((p) =>
                h(
                  'li',
                  { onclick: () => selectElement(p.elementId), 'data-rule': p.rule },
                  h('span', { class: `sev-${p.severity}` }, p.severity === 'error' ? `● ${t('sevError')}` : `▲ ${t('sevWarning')}`),
                  h('span', {}, problemElementName(p.elementId)),
                  h('span', {}, lintMessage(p.message), ' ', h('small', { class: 'muted' }, p.rule)),
                ),
              ),
            )
        : changes.length === 0
          ? h('p', { class: 'muted pad' }, t('diffNone'))
          : h(
              'ul',
              { class: 'problems', 'data-testid': 'changes' },
              changes.map((c) =>
                h(
                  'li',
                  { onclick: () => selectElement(c.id), 'data-change': c.kind, 'data-element-id': c.id },
                  h(
                    'span',
                    { class: c.kind === 'removed' ? 'sev-error' : c.kind === 'added' ? 'diff-added-text' : 'sev-warning' },
                    t(c.kind === 'added' ? 'diffAdded' : c.kind === 'removed' ? 'diffRemoved' : 'diffChanged'),
                  ),
                  h('span', { class: 'mono' }, c.id),
                  h(
                    'span',
                    {},
                    elementName(c.id, c.name),
                    ' ',
                    h('small', { class: 'muted' }, c.type.replace('bpmn:', ''), c.properties ? ` · ${c.properties.join(', ')}` : ''),
                  ),
                ),
              ),
            );
    fill(bottom, head, body);
  }

  async function doDeploy() {
    // Deployed under the id the process has now (a new one may have been renamed, or a file opened).
    const deployedId = definedProcessId((modeler as unknown as { getDefinitions(): never }).getDefinitions()) ?? processId ?? 'new-process';
    const resourceName =
      (deployedId === processId ? definitions?.versions.find((v) => v.version === shownVersion)?.resourceName : undefined) ??
      `${deployedId}.bpmn`;
    const result = await deploy([{ name: resourceName, content: await save() }], deployButton, (serverProblems) => {
      problems = serverProblems;
      bottomTab = 'problems';
      drawBottom();
    });
    const deployed = result?.processes.find((p) => p.processId === deployedId);
    if (!deployed) return;
    // The read model learns of the new version from the engine's history events a moment later.
    for (let i = 0; i < 50; i++) {
      const all = await api<ProcessDefinition[]>('/process-definitions').catch(() => []);
      if ((all.find((p) => p.processId === deployedId)?.latestVersion ?? 0) >= deployed.version) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    navigate(`#/modeler/bpmn/${deployedId}?version=${deployed.version}`);
  }

  let timer: number | undefined;
  (modeler.get('eventBus') as { on(e: string, f: () => void): void }).on('commandStack.changed', () => {
    dirty = true;
    dirtyMark.hidden = !dirty;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void refreshChecks(), 300);
  });

  load().catch((e) => fill(canvas, h('div', { class: 'error-box pad' }, (e as Error).message)));
  return { save, destroy: () => (window.clearTimeout(timer), modeler.destroy()) };
}

function openDmn({ file, toolbar, canvas, props, bottom }: OpenArgs & { file: string }): Editor {
  props.hidden = true;
  bottom.hidden = true;
  canvas.classList.add('dmn-canvas');
  let modeler: import('dmn-js/lib/Modeler').default | null = null;
  const deployButton = h('button', { type: 'button', class: 'primary', 'data-action': 'deploy' }, t('deploy'));
  const save = async () => (await modeler!.saveXML({ format: true })).xml;
  fill(
    toolbar,
    h('strong', {}, file),
    h('span', { class: 'tag' }, 'DMN'),
    h('span', { class: 'spacer' }),
    downloadButton(file, save),
    deployButton,
  );
  deployButton.addEventListener('click', async () => void deploy([{ name: file, content: await save() }], deployButton));
  void (async () => {
    await import('./dmn-styles.ts');
    const { default: DmnModeler } = await import('dmn-js/lib/Modeler');
    const loader = Object.entries(DMN_FILES).find(([path]) => fileName(path) === file)?.[1];
    if (!loader) return fill(canvas, h('p', { class: 'empty' }, t('notFound')));
    modeler = new DmnModeler({ container: canvas });
    await modeler.importXML(await loader());
    // A file with one decision table opens on it, not on the requirements diagram.
    const tables = modeler.getViews().filter((v) => v.type === 'decisionTable');
    if (tables.length === 1) await modeler.open(tables[0]);
  })().catch((e) => fill(canvas, h('div', { class: 'error-box pad' }, (e as Error).message)));
  return { save, destroy: () => modeler?.destroy() };
}

function openForm({ file, toolbar, canvas, props, bottom }: OpenArgs & { file: string }): Editor {
  bottom.hidden = true;
  let editor: import('@bpmn-io/form-js').FormEditor | null = null;
  const deployButton = h('button', { type: 'button', class: 'primary', 'data-action': 'deploy' }, t('deploy'));
  const save = async () => JSON.stringify(editor!.saveSchema(), null, 2);
  fill(
    toolbar,
    h('strong', {}, file),
    h('span', { class: 'tag' }, 'form-js'),
    h('span', { class: 'spacer' }),
    downloadButton(file, save),
    deployButton,
  );
  deployButton.addEventListener('click', async () => void deploy([{ name: file, content: await save() }], deployButton));
  void (async () => {
    await import('./form-editor-styles.ts');
    const { FormEditor } = await import('@bpmn-io/form-js');
    const loader = Object.entries(FORM_FILES).find(([path]) => fileName(path) === file)?.[1];
    if (!loader) return fill(canvas, h('p', { class: 'empty' }, t('notFound')));
    editor = new FormEditor({ container: canvas, propertiesPanel: { parent: props } } as never);
    await editor.importSchema(JSON.parse(await loader()));
  })().catch((e) => fill(canvas, h('div', { class: 'error-box pad' }, (e as Error).message)));
  return { save, destroy: () => editor?.destroy() };
}
