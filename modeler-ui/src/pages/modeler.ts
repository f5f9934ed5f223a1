import { lintMessage, translateModule } from '../bpmn/translate.ts';
import 'camunda-bpmn-js/dist/assets/camunda-platform-modeler.css';
import BpmnModeler from 'camunda-bpmn-js/lib/camunda-platform/Modeler';
import { ApiProblem, api, apiRaw } from '../api.ts';
import { diff, type Change } from '../bpmn/diff.ts';
import { lint, type Problem } from '../bpmn/lint.ts';
import newProcessTemplate from '../bpmn/new-process.bpmn?raw';
import { fill, h, toast } from '../dom.ts';
import '../styles/process-owner.css';
import { elementName, formatTime, lang, processName, t } from '../i18n.ts';
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
  /** Every file said what its deployed version says: nothing was deployed. */
  unchanged: boolean;
  /** What happened, in the reader's language. */
  message: string;
  processes: { processId: string; version: number; changed: boolean }[];
  decisions: { decisionId: string; version: number; changed: boolean }[];
  forms: { formId: string; version: number; changed: boolean }[];
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
// The same files read at once, for their titles in the sidebar (a few KB each).
const FORM_TEXTS = import.meta.glob('../../../processes/forms/*.form', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;
const DMN_TEXTS = import.meta.glob('../../../processes/*.dmn', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** A form's title in the reader's language: the heading of its first text (`### 订单中心资料审核`), else its id. */
function formTitle(path: string): string {
  try {
    const form = JSON.parse(FORM_TEXTS[path] ?? '{}') as {
      id?: string;
      components?: { type?: string; text?: string; properties?: Record<string, string> }[];
    };
    const intro = form.components?.find((c) => c.type === 'text');
    const text = (lang() === 'en' ? intro?.properties?.['text.en'] : undefined) ?? intro?.text ?? '';
    const heading = /^#+\s*(.+)$/m.exec(text)?.[1]?.trim();
    return heading || form.id || fileName(path);
  } catch {
    return fileName(path);
  }
}

/** A decision table's name (the first decision's, English by its `name.en` property when asked for), else the file name. */
function decisionTitle(path: string): string {
  const xml = DMN_TEXTS[path] ?? '';
  const decision = /<decision\b[^>]*\bname="([^"]+)"[\s\S]*?<\/decision>/.exec(xml);
  const en = decision ? /name="name\.en"\s+value="([^"]+)"/.exec(decision[0])?.[1] : undefined;
  return (lang() === 'en' ? en : undefined) ?? decision?.[1] ?? fileName(path).replace(/\.dmn$/, '');
}
/** `#/modeler/dmn/<id>` and `#/modeler/form/<id>` name the file with or without its extension. */
const withExtension = (id: string, ext: 'dmn' | 'form') => (id.endsWith(`.${ext}`) ? id : `${id}.${ext}`);

interface Editor {
  save(): Promise<string>;
  destroy(): void;
}

export function render(root: HTMLElement, route: Route) {
  const [kind = '', raw = ''] = route.params;
  const id = kind === 'dmn' || kind === 'form' ? (raw ? withExtension(raw, kind) : '') : raw;
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
  else if (kind === 'dmn' && id) {
    bench.classList.add('no-props');
    editor = openDmn({ file: id, toolbar, canvas, props, bottom });
  } else if (kind === 'form' && id) editor = openForm({ file: id, toolbar, canvas, props, bottom });
  else {
    bench.classList.add('idle');
    canvas.append(h('p', { class: 'empty' }, t('selectResource')));
  }
  return () => editor?.destroy();
}

interface ViewBox {
  x: number;
  y: number;
  width: number;
  height: number;
  scale: number;
  inner: { x: number; y: number; width: number; height: number };
  outer: { width: number; height: number };
}

/** The palette's width and a margin, in screen pixels. */
const PALETTE_SPACE = 72;
const MARGIN = 24;

function fitBesideTools(canvas: { viewbox(box?: { x: number; y: number; width: number; height: number }): ViewBox }) {
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height || !outer.width || !outer.height) return;
  const scale = Math.min((outer.width - PALETTE_SPACE - MARGIN) / inner.width, (outer.height - 2 * MARGIN) / inner.height, 1);
  if (!(scale > 0)) return;
  canvas.viewbox({
    x: inner.x - PALETTE_SPACE / scale,
    y: inner.y - MARGIN / scale,
    width: outer.width / scale,
    height: outer.height / scale,
  });
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
        item(`#/modeler/dmn/${fileName(path)}`, kind === 'dmn' && id === fileName(path), decisionTitle(path), `DMN · ${fileName(path)}`),
      ),
    ),
    h('h3', {}, t('forms')),
    h(
      'ul',
      {},
      Object.keys(FORM_FILES).map((path) =>
        item(`#/modeler/form/${fileName(path)}`, kind === 'form' && id === fileName(path), formTitle(path), fileName(path)),
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
    if (result.unchanged) toast(result.message, 'info');
    else {
      const deployed = [
        ...result.processes.filter((p) => p.changed).map((p) => `${processName(p.processId)} v${p.version}`),
        ...result.decisions.filter((d) => d.changed).map((d) => `${d.decisionId} v${d.version}`),
        ...result.forms.filter((f) => f.changed).map((f) => `${f.formId} v${f.version}`),
      ];
      toast(`${t('deployedVersion')} ${deployed.join(', ')}`, 'ok');
    }
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

/**
 * Asks before deploying: what the deployment would change (the diff against the deployed version,
 * or a note that nothing changed, in which case no new version is made). Resolves true to deploy.
 */
function confirmDeploy({ title, summary, body }: { title: string; summary: string; body?: Node }): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    const dialog = h(
      'dialog',
      { class: 'deploy-confirm', 'data-testid': 'deploy-confirm', 'aria-label': t('deployConfirmTitle') },
      h('h2', {}, t('deployConfirmTitle'), ' · ', title),
      h('p', { 'data-testid': 'deploy-summary' }, summary),
      body ?? '',
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', 'data-action': 'cancel-deploy', onclick: () => done(false) }, t('cancel')),
        h('button', { type: 'button', class: 'primary', 'data-action': 'confirm-deploy', onclick: () => done(true) }, t('deployConfirm')),
      ),
    );
    dialog.addEventListener('cancel', (e) => (e.preventDefault(), done(false)));
    document.body.append(dialog);
    dialog.showModal();
  });
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
  const modeler = new BpmnModeler({
    container: canvas,
    propertiesPanel: { parent: props },
    additionalModules: [translateModule],
    // The Camunda modeler moves the whole diagram towards the origin on every save: an untouched model
    // opened here then differed from the version deployed (the badge said "未部署的修改", a deploy made a
    // new version). A process owner's layout stays where they put it.
    alignToOrigin: { alignOnSave: false },
  } as never);
  const elementRegistry = modeler.get('elementRegistry') as { get(id: string): unknown };
  const canvasApi = modeler.get('canvas') as {
    addMarker(id: string, m: string): void;
    removeMarker(id: string, m: string): void;
    zoom(v: string): void;
    viewbox(box?: { x: number; y: number; width: number; height: number }): ViewBox;
  };
  const selection = modeler.get('selection') as { select(el: unknown): void };
  /** The whole diagram on screen, beside the palette (fit-viewport alone puts its left edge under the tools). */
  const fit = () => fitBesideTools(canvasApi);
  const moddle = modeler.get('moddle') as { fromXML(xml: string): Promise<{ rootElement: never }>; create(type: string): unknown };
  let definitions: ProcessDefinition | undefined;
  let deployedXml = '';
  let shownVersion = 0;
  let problems: Problem[] = [];
  let changes: Change[] = [];
  let diffOn = false;
  /** The XML as the modeler writes the version it opened: the model differs from it or it does not. */
  let baseline = '';
  let bottomTab: 'problems' | 'diff' = 'problems';

  const versionSelect = h('select', {
    name: 'version',
    'data-testid': 'version-select',
    onchange: () => navigate(`#/modeler/bpmn/${processId}?version=${versionSelect.value}`),
  });
  const dirtyMark = h('span', { class: 'tag warn', hidden: true, 'data-testid': 'undeployed-changes' }, t('unsaved'));
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

  /** The badge says what is true: the model differs from the version opened (an undo back to it clears it). */
  async function refreshDirty() {
    const differs = !processId || (await save()) !== baseline;
    dirtyMark.hidden = !differs || !processId;
    canvas.dataset.dirty = String(differs);
  }

  async function load() {
    if (!processId) {
      // Nothing deployed yet: every element of the new process shows as added in the diff.
      await modeler.importXML(newProcessXml());
      fit();
      canvas.dataset.version = '0';
      canvas.dataset.dirty = 'true';
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
    fit();
    baseline = await save();
    await refreshDirty();
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
    fit();
    await refreshDirty();
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

  /** The changes as the confirmation lists them: kind, name (id beside it), changed properties. */
  function changeList() {
    return h(
      'ul',
      { class: 'deploy-changes', 'data-testid': 'deploy-changes' },
      changes.map((c) =>
        h(
          'li',
          { 'data-change': c.kind, 'data-element-id': c.id },
          h(
            'span',
            { class: c.kind === 'removed' ? 'sev-error' : c.kind === 'added' ? 'diff-added-text' : 'sev-warning' },
            t(c.kind === 'added' ? 'diffAdded' : c.kind === 'removed' ? 'diffRemoved' : 'diffChanged'),
          ),
          ' ',
          elementName(c.id, c.name),
          ' ',
          h('small', { class: 'mono muted' }, c.id),
          c.properties ? h('small', { class: 'muted' }, ` · ${c.properties.join(', ')}`) : '',
        ),
      ),
    );
  }

  async function doDeploy() {
    // Deployed under the id the process has now (a new one may have been renamed, or a file opened).
    const deployedId = definedProcessId((modeler as unknown as { getDefinitions(): never }).getDefinitions()) ?? processId ?? 'new-process';
    const resourceName =
      (deployedId === processId ? definitions?.versions.find((v) => v.version === shownVersion)?.resourceName : undefined) ??
      `${deployedId}.bpmn`;
    await refreshChecks();
    const content = await save();
    const same = !!processId && deployedId === processId && content === baseline;
    const errors = problems.filter((p) => p.severity === 'error').length;
    const summary = same
      ? t('deployUnchanged')
      : changes.length === 0
        ? t('deployLayoutOnly')
        : `${t('deployChanges')} ${changes.length}${errors ? ` · ${t('problems')} ${errors}` : ''}`;
    const ok = await confirmDeploy({
      title: `${processName(deployedId)} (${shownVersion ? `v${shownVersion}` : t('notDeployed')})`,
      summary,
      body: changes.length ? changeList() : undefined,
    });
    if (!ok) return;
    const result = await deploy([{ name: resourceName, content }], deployButton, (serverProblems) => {
      problems = serverProblems;
      bottomTab = 'problems';
      drawBottom();
    });
    const deployed = result?.processes.find((p) => p.processId === deployedId);
    // Nothing new: the version shown is the one running, and the model says what it says.
    if (!deployed || !deployed.changed) {
      if (deployed && result?.unchanged) {
        baseline = content;
        await refreshDirty();
      }
      return;
    }
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
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void refreshDirty().then(refreshChecks), 300);
  });

  load().catch((e) => fill(canvas, h('div', { class: 'error-box pad' }, (e as Error).message)));
  return { save, destroy: () => (window.clearTimeout(timer), modeler.destroy()) };
}

/** A decision or form file: asked first (edited since opened or not), then deployed; the server tells whether it was new. */
async function confirmAndDeploy(file: string, save: () => Promise<string>, baseline: string, button: HTMLButtonElement) {
  const content = await save();
  const ok = await confirmDeploy({ title: file, summary: content === baseline ? t('deployUnchangedFile') : t('deployEditedFile') });
  if (ok) await deploy([{ name: file, content }], button);
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
  let baseline = '';
  deployButton.addEventListener('click', () => void confirmAndDeploy(file, save, baseline, deployButton));
  void (async () => {
    await import('./dmn-styles.ts');
    const { default: DmnModeler } = await import('dmn-js/lib/Modeler');
    const loader = Object.entries(DMN_FILES).find(([path]) => fileName(path) === file)?.[1];
    if (!loader) return fill(canvas, h('p', { class: 'empty' }, t('notFound')));
    // (per view: dmn-js replaces a common additionalModules with each view's own)
    modeler = new DmnModeler({
      container: canvas,
      drd: { additionalModules: [translateModule] },
      decisionTable: { additionalModules: [translateModule] },
      literalExpression: { additionalModules: [translateModule] },
      boxedExpression: { additionalModules: [translateModule] },
    } as never);
    await modeler.importXML(await loader());
    // A file with one decision table opens on it, not on the requirements diagram.
    const tables = modeler.getViews().filter((v) => v.type === 'decisionTable');
    if (tables.length === 1) await modeler.open(tables[0]);
    baseline = await save();
    canvas.dataset.loaded = 'true';
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
  let baseline = '';
  deployButton.addEventListener('click', () => void confirmAndDeploy(file, save, baseline, deployButton));
  void (async () => {
    await import('./form-editor-styles.ts');
    const { FormEditor } = await import('@bpmn-io/form-js');
    const loader = Object.entries(FORM_FILES).find(([path]) => fileName(path) === file)?.[1];
    if (!loader) return fill(canvas, h('p', { class: 'empty' }, t('notFound')));
    editor = new FormEditor({ container: canvas, propertiesPanel: { parent: props } } as never);
    await editor.importSchema(JSON.parse(await loader()));
    baseline = await save();
    canvas.dataset.loaded = 'true';
  })().catch((e) => fill(canvas, h('div', { class: 'error-box pad' }, (e as Error).message)));
  return { save, destroy: () => editor?.destroy() };
}
