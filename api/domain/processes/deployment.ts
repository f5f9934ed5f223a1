import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { forms } from '../../../db/schema.ts';
import { DefinitionLintError, deployDefinitions, type DefinitionFile } from '../../../definitions/deploy.ts';
import { decisionIdsOf, lintBpmn, lintDmn, repositoryLintContext, type LintContext, type LintProblem } from '../../../definitions/lint.ts';
import { EngineRequestError } from '../../../engine/errors.ts';
import { numericKey, type OperatonClient } from '../../../engine/operaton.ts';
import { ApiError, type Problem } from '../../errors.ts';
import { engineCommand } from '../engine-command.ts';
import type { Language } from '../i18n/language.ts';
import type { DeployBody } from './schemas.ts';
import { sameBpmn, sameDmn, sameForm } from './unchanged.ts';

type FieldError = NonNullable<Problem['errors']>[number];

/**
 * XML that declares a DOCTYPE can define entities: external ones read files or URLs (XXE), nested
 * ones expand exponentially ("billion laughs"). BPMN and DMN never need either, so any DOCTYPE or
 * ENTITY declaration is refused before a parser sees the document.
 */
const DTD = /<!\s*(DOCTYPE|ENTITY)/i;
/**
 * Forms render text and HTML components; nothing uploaded may carry a script: a script element,
 * a javascript: / vbscript: URL (browsers ignore tabs and newlines inside the scheme), or an
 * event-handler attribute in a tag.
 */
const SCRIPT = /<\s*script\b|j[\s]*a[\s]*v[\s]*a[\s]*s[\s]*c[\s]*r[\s]*i[\s]*p[\s]*t[\s]*:|vbscript:|<[^>]*\son[a-z]+\s*=/i;
/** A script element (BPMN script task, camunda:script of a listener or input mapping): the engine would run it. */
const XML_SCRIPT = /<(?:[\w-]+:)?script\b/i;
/** Script and expression languages other than FEEL (a Groovy or JavaScript condition, a JUEL decision table): code the engine runs. */
const NON_FEEL_LANGUAGE = /\b(?:expressionLanguage|language|scriptFormat)\s*=\s*["'](?!feel["']|https?:\/\/www\.omg\.org\/spec\/DMN\/\d+\/FEEL\/?["'])/i;
/**
 * Operaton runs Java where a model names it: a class, a delegate or method expression as a task's
 * or listener's logic, a script resource. Our processes call workers (external tasks) instead.
 */
const ENGINE_CODE = /<[^>]*\s(?:[\w-]+:)?(?:class|delegateExpression|expression|resource|variableMappingClass|variableMappingDelegateExpression)\s*=/i;
/**
 * JUEL expressions (`${…}`: dates, priorities, candidate groups) may call methods, and reach the
 * engine app's Spring beans by name (`${environment.getProperty('spring.datasource.password')}`
 * works: tried on our engine): reflection, the runtime, the engine's own services and the beans a
 * Spring Boot app always has are out of bounds. This is a second line: the engine app should give
 * expressions no beans at all.
 */
const REACHES_JAVA = new RegExp(
  String.raw`\bgetClass\b|\.class\b|\bforName\b|\bgetMethods?\b|\bgetDeclared\w*|\bgetConstructors?\b|\bnewInstance\b|\binvoke\b|\bexec\b|\w*[pP]rocessEngine\w*|\w*[cC]lassLoader\b|\bloadClass\b|\bgetBeans?\b|\b(?:environment|systemProperties|systemEnvironment|applicationContext|dataSource|jdbcTemplate|transactionManager|entityManagerFactory)\b`,
);

/** Whether an expression in the (decoded) text reaches Java; what follows each `${`/`#{` is read generously (quotes may hide a `}`). */
function juelReachesJava(text: string): boolean {
  for (const m of text.matchAll(/[$#]\{[\s\S]{0,2000}/g)) if (REACHES_JAVA.test(m[0])) return true;
  return false;
}
/** XInclude pulls other files or URLs into a document, as external entities do. */
const XINCLUDE = /http:\/\/www\.w3\.org\/2001\/XInclude/i;
/** Far above any real model (ours have a few hundred); linting 100,000 elements takes minutes of the API's time. */
const MAX_ELEMENTS = 20_000;

/** XML text as a reader of it sees it: character references decoded (`&lt;script` is `<script` once rendered). */
function decodeXmlText(xml: string): string {
  return xml
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(Math.min(0x10ffff, parseInt(hex, 16))))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Math.min(0x10ffff, Number(dec))))
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&apos;/gi, "'")
    .replace(/&amp;/gi, '&');
}

/** Every key and string value of a JSON document, as its reader sees them (escapes such as \u003c and \t decoded). */
function jsonStrings(root: unknown): string[] {
  const out: string[] = [];
  // iterative: an uploaded form may nest arrays 100,000 deep
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) for (const v of value) stack.push(v);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        out.push(k);
        stack.push(v);
      }
    }
  }
  return out;
}

/** What a script check must read: XML with its character references decoded, a form's strings parsed and decoded. */
function readableText(kind: string | undefined, content: string): string {
  if (kind === 'form') {
    try {
      // (and HTML character references in them: an html component's srcdoc may hide `&lt;script`)
      return decodeXmlText(jsonStrings(JSON.parse(content)).join('\n'));
    } catch {
      return content;
    }
  }
  return decodeXmlText(content);
}

function formProblems(json: string): string[] {
  let form: unknown;
  try {
    form = JSON.parse(json);
  } catch (e) {
    return [`not JSON: ${(e as Error).message}`];
  }
  const f = form as { id?: unknown; components?: unknown };
  const problems: string[] = [];
  if (typeof form !== 'object' || form === null || Array.isArray(form)) return ['a form is a JSON object'];
  if (typeof f.id !== 'string' || f.id.length === 0) problems.push('the form needs an id (the formId tasks link to)');
  if (!Array.isArray(f.components)) problems.push('the form needs a components array');
  else if (f.components.some((c) => typeof c !== 'object' || c === null || Array.isArray(c) || typeof (c as { type?: unknown }).type !== 'string'))
    problems.push('every form component is an object with a type');
  const depth = jsonDepth(form);
  if (depth > MAX_FORM_DEPTH) problems.push(`nested more than ${MAX_FORM_DEPTH} levels deep: not a form`);
  return problems;
}

/** Forms nest groups and dynamic lists a few levels; the engine's JSON reader must never meet thousands. */
const MAX_FORM_DEPTH = 64;

/** How deeply a parsed JSON document nests (iterative: an upload may nest 100,000 deep). */
function jsonDepth(root: unknown): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_FORM_DEPTH) return deepest;
    for (const v of Array.isArray(value) ? value : Object.values(value)) stack.push({ value: v, depth: depth + 1 });
  }
  return deepest;
}

/** The forms and decisions a process may name: the repository's and those uploaded with it (as deployDefinitions lints). */
async function lintContext(body: DeployBody): Promise<LintContext> {
  const repository = await repositoryLintContext();
  const formIds: string[] = [];
  const decisionIds: string[] = [];
  for (const r of body.resources) {
    if (r.name.endsWith('.dmn')) decisionIds.push(...(await decisionIdsOf(r.content)));
    if (r.name.endsWith('.form')) {
      try {
        const id = (JSON.parse(r.content) as { id?: unknown }).id;
        if (typeof id === 'string') formIds.push(id);
      } catch {
        /* reported by formProblems */
      }
    }
  }
  return {
    topics: repository.topics,
    formIds: [...repository.formIds, ...formIds],
    decisionIds: [...repository.decisionIds, ...decisionIds],
  };
}

/** Every problem of every file, each pointing at its resource; warnings are returned separately. */
export async function checkResources(body: DeployBody) {
  const context = await lintContext(body);
  const errors: FieldError[] = [];
  const warnings: { file: string; elementId?: string; rule: string; message: string }[] = [];
  const names = new Set<string>();
  for (const [i, r] of body.resources.entries()) {
    const at = (message: string): FieldError => ({ pointer: `/resources/${i}/content`, in: 'body', message: `${r.name}: ${message}` });
    if (names.has(r.name)) errors.push({ pointer: `/resources/${i}/name`, in: 'body', message: `${r.name} appears twice` });
    names.add(r.name);
    if (DTD.test(r.content)) {
      errors.push(at('DOCTYPE and ENTITY declarations are not allowed (external entities, entity expansion)'));
      continue;
    }
    const kind = r.name.split('.').pop();
    const readable = readableText(kind, r.content);
    if (SCRIPT.test(r.content) || SCRIPT.test(readable) || (kind !== 'form' && (XML_SCRIPT.test(r.content) || NON_FEEL_LANGUAGE.test(readable)))) {
      errors.push(at('scripts are not allowed in uploaded definitions (conditions and decisions use FEEL or plain expressions)'));
      continue;
    }
    if (kind !== 'form' && ENGINE_CODE.test(readable)) {
      errors.push(at('Java classes, delegate expressions and script resources are not allowed: service tasks are external tasks for our workers'));
      continue;
    }
    if (kind !== 'form' && juelReachesJava(readable)) {
      errors.push(at('expressions may not reach Java reflection, the engine or its beans (getClass, forName, processEngine, environment, dataSource, …)'));
      continue;
    }
    if (kind !== 'form' && XINCLUDE.test(r.content)) {
      errors.push(at('XInclude is not allowed (it reads other files or URLs)'));
      continue;
    }
    if (kind !== 'form' && (r.content.match(/<[A-Za-z]/g)?.length ?? 0) > MAX_ELEMENTS) {
      errors.push(at(`more than ${MAX_ELEMENTS} elements: not a model this platform runs`));
      continue;
    }
    if (kind === 'bpmn' || kind === 'dmn') {
      const problems = kind === 'bpmn' ? await lintBpmn(r.content, undefined, context) : await lintDmn(r.content);
      for (const p of problems) {
        if (p.severity === 'error') errors.push(at(lintMessage(p)));
        else warnings.push({ file: r.name, ...(p.elementId ? { elementId: p.elementId } : {}), rule: p.rule, message: p.message });
      }
    } else {
      for (const m of formProblems(r.content)) errors.push(at(m));
    }
  }
  return { errors, warnings };
}

const lintMessage = (p: LintProblem) => `${p.elementId ? `${p.elementId}: ` : ''}${p.message} (${p.rule})`;

const invalidDefinitions = (errors: FieldError[]) =>
  new ApiError(
    422,
    'INVALID_DEFINITIONS',
    'Definitions refused',
    `${errors.length} problem(s) found; nothing was deployed.`,
    errors,
  );

type DeployedDefinition = { id: string; key: string; version: number; resource?: string | null; deploymentId?: string | null };

/** Ids the engine will know a BPMN file's executable processes by. */
function processIds(xml: string): string[] {
  const ids: string[] = [];
  for (const m of xml.matchAll(/<(?:[\w-]+:)?process\b([^>]*)>/g)) {
    const attributes = m[1] ?? '';
    if (/\bisExecutable\s*=\s*["']false["']/.test(attributes)) continue;
    const id = /\bid\s*=\s*["']([^"']+)["']/.exec(attributes)?.[1];
    if (id) ids.push(id);
  }
  return ids;
}

/** The engine's reason for refusing a deployment, without our client's preamble. */
const engineReason = (e: EngineRequestError) => e.message.replace(/^the engine refused [^:]*: /, '');

/** What a deployment answers about one file's definitions: as deployed now, and whether this deployment made them. */
type ProcessVersion = { processId: string; version: number; key: string; resourceName: string; changed: boolean };
type DecisionVersion = { decisionId: string; version: number; key: string; changed: boolean };
type FormVersion = { formId: string; version: number; key: string; changed: boolean };
type Current =
  | { kind: 'bpmn'; processes: ProcessVersion[]; deploymentId: string | null }
  | { kind: 'dmn'; decisions: DecisionVersion[]; deploymentId: string | null }
  | { kind: 'form'; form: FormVersion };

const UNCHANGED_MESSAGE = {
  zh: '模型与已部署的版本相同，未创建新版本。',
  en: 'The model is the same as the deployed version: no new version was created.',
};
const CHANGED_MESSAGE = {
  zh: (n: number) => `已部署 ${n} 项更改，生成新版本。`,
  en: (n: number) => `${n} changed definition(s) deployed as new versions.`,
};

/**
 * The definitions a file stands for when it says what the latest deployed version says (compared as
 * models, not bytes: unchanged.ts), or null when it is new or differs: only those are deployed.
 */
async function currentVersion(
  engine: OperatonClient,
  db: Db,
  r: DeployBody['resources'][number],
  timeoutMs: number | undefined,
): Promise<Current | null> {
  const kind = r.name.split('.').pop();
  const read = <T>(what: string, f: () => Promise<T>) => engineCommand(what, f, { timeoutMs });
  if (kind === 'bpmn') {
    const ids = processIds(r.content);
    if (ids.length === 0) return null;
    const latest = await Promise.all(ids.map(async (id) => (await read('reading the definitions', () => engine.definitions('process', { key: id, latestVersion: true })))[0]));
    if (latest.some((d) => !d)) return null;
    const deployed = latest as DeployedDefinition[];
    const xml = await read('reading the deployed model', () => engine.processDefinitionXml(deployed[0]!.id));
    if (!(await sameBpmn(xml, r.content))) return null;
    return {
      kind,
      deploymentId: deployed[0]!.deploymentId ?? null,
      processes: deployed.map((d) => ({
        processId: d.key,
        version: d.version,
        key: numericKey(d.id) ?? d.id,
        resourceName: d.resource ?? r.name,
        changed: false,
      })),
    };
  }
  if (kind === 'dmn') {
    const ids = await decisionIdsOf(r.content);
    if (ids.length === 0) return null;
    const latest = await Promise.all(ids.map(async (id) => (await read('reading the definitions', () => engine.definitions('decision', { key: id, latestVersion: true })))[0]));
    if (latest.some((d) => !d)) return null;
    const deployed = latest as DeployedDefinition[];
    const xml = await read('reading the deployed decisions', () => engine.decisionDefinitionXml(deployed[0]!.id));
    if (!(await sameDmn(xml, r.content))) return null;
    return {
      kind,
      deploymentId: deployed[0]!.deploymentId ?? null,
      decisions: deployed.map((d) => ({ decisionId: d.key, version: d.version, key: numericKey(d.id) ?? d.id, changed: false })),
    };
  }
  let parsed: { id?: unknown };
  try {
    parsed = JSON.parse(r.content) as { id?: unknown };
  } catch {
    return null;
  }
  if (typeof parsed.id !== 'string') return null;
  const [row] = await db
    .select({ formKey: forms.formKey, version: forms.version, schema: forms.schema })
    .from(forms)
    .where(eq(forms.formId, parsed.id))
    .orderBy(desc(forms.version))
    .limit(1);
  if (!row || !sameForm(row.schema, parsed)) return null;
  return { kind: 'form', form: { formId: parsed.id, version: row.version, key: row.formKey, changed: false } };
}

/**
 * Checks every file (above); leaves out the files that say what their deployed version says (a model
 * opened and deployed untouched makes no new version); deploys the rest together with
 * definitions/deploy.ts (linted again there; one deployment, all or nothing, under the platform's
 * deployment name, with the engine's own duplicate filtering as a second check). The answer lists
 * every file's definitions as deployed now, marks what this deployment changed, and says in the
 * reader's language whether anything was deployed. Forms have no definition in the engine's REST
 * API: their key is the resource's id, their version the read model's.
 */
export async function deploy({
  body,
  engine,
  db,
  engineTimeoutMs,
  language = 'zh',
}: {
  body: DeployBody;
  engine: OperatonClient;
  db: Db;
  engineTimeoutMs?: number;
  language?: Language;
}) {
  const { errors, warnings } = await checkResources(body);
  if (errors.length > 0) throw invalidDefinitions(errors);
  const timeoutMs = engineTimeoutMs;
  const current = await Promise.all(body.resources.map((r) => currentVersion(engine, db, r, timeoutMs)));
  const toDeploy = body.resources.filter((_, i) => current[i] === null);

  const processes: ProcessVersion[] = [];
  const decisions: DecisionVersion[] = [];
  const deployedForms: FormVersion[] = [];
  for (const c of current) {
    if (c?.kind === 'bpmn') processes.push(...c.processes);
    else if (c?.kind === 'dmn') decisions.push(...c.decisions);
    else if (c?.kind === 'form') deployedForms.push(c.form);
  }
  let deploymentKey: string | null = null;

  if (toDeploy.length > 0) {
    const files: DefinitionFile[] = toDeploy.map((r) => ({
      name: r.name,
      kind: r.name.split('.').pop() as DefinitionFile['kind'],
      content: Buffer.from(r.content, 'utf8'),
    }));
    let result: Awaited<ReturnType<typeof deployDefinitions>>;
    try {
      // (the client allows a deployment 30 s more than other calls: parsing large models takes time)
      result = await engineCommand('deploying definitions', () => deployDefinitions(engine, files));
    } catch (e) {
      if (e instanceof DefinitionLintError) {
        throw invalidDefinitions(
          e.problems.map((p) => {
            const i = body.resources.findIndex((r) => r.name === p.file);
            return { pointer: `/resources/${i}/content`, in: 'body' as const, message: `${p.file}: ${lintMessage(p)}` };
          }),
        );
      }
      // The engine's own validation (it parses and checks more than lint does): nothing was deployed.
      if (e instanceof EngineRequestError && e.status === 400) {
        throw invalidDefinitions([{ pointer: '/resources', in: 'body', message: engineReason(e).slice(0, 4000) }]);
      }
      throw e;
    }
    deploymentKey = result.key;

    const latest = async (kind: 'process' | 'decision', id: string): Promise<DeployedDefinition | undefined> =>
      (await engineCommand('reading the definitions', () => engine.definitions(kind, { key: id, latestVersion: true }), { timeoutMs }))[0];
    const formResources = files.some((f) => f.kind === 'form')
      ? await engineCommand('reading the deployment', () => engine.deploymentResources(result.key), { timeoutMs })
      : [];

    for (const [i, d] of result.deployments.entries()) {
      const content = toDeploy[i]?.content ?? '';
      if (d.kind === 'bpmn') {
        const now = d.changed
          ? d.processes.map((p) => ({ processId: p.bpmnProcessId, version: p.version, key: p.processDefinitionKey, changed: true }))
          : (await Promise.all(processIds(content).map((id) => latest('process', id))))
              .filter((p) => p !== undefined)
              .map((p) => ({ processId: p.key, version: p.version, key: numericKey(p.id) ?? p.id, changed: false }));
        processes.push(...now.map((p) => ({ ...p, resourceName: d.resourceName })));
      } else if (d.kind === 'dmn') {
        const now = d.changed
          ? d.decisions.map((x) => ({
              decisionId: x.decisionId,
              version: x.version,
              key: numericKey(x.decisionDefinitionId) ?? x.decisionDefinitionId,
              changed: true,
            }))
          : (await Promise.all((await decisionIdsOf(content)).map((id) => latest('decision', id))))
              .filter((x) => x !== undefined)
              .map((x) => ({ decisionId: x.key, version: x.version, key: numericKey(x.id) ?? x.id, changed: false }));
        decisions.push(...now);
      } else if (d.formId) {
        const resourceId = formResources.find((r) => r.name === d.resourceName)?.id;
        const form = await formVersion(db, d.formId, resourceId);
        deployedForms.push({ formId: d.formId, version: form?.version ?? 1, key: form?.formKey ?? resourceId ?? d.formId, changed: !!resourceId });
      }
    }
  }
  const changedFiles = new Set([
    ...processes.filter((p) => p.changed).map((p) => p.resourceName),
    ...decisions.filter((d) => d.changed).map((d) => d.decisionId),
    ...deployedForms.filter((f) => f.changed).map((f) => f.formId),
  ]).size;
  const unchanged = changedFiles === 0;
  return {
    deploymentKey,
    unchanged,
    message: unchanged ? UNCHANGED_MESSAGE[language] : CHANGED_MESSAGE[language](changedFiles),
    processes,
    decisions,
    forms: deployedForms,
    warnings,
  };
}

/** A form's version as the read model numbers them: this deployment's (recorded within moments), or the latest for an unchanged form. */
async function formVersion(db: Db, formId: string, resourceId: string | undefined): Promise<{ formKey: string; version: number } | undefined> {
  const latest = async () =>
    (
      await db
        .select({ formKey: forms.formKey, version: forms.version })
        .from(forms)
        .where(eq(forms.formId, formId))
        .orderBy(desc(forms.version))
        .limit(1)
    )[0];
  if (!resourceId) return latest();
  const deadline = Date.now() + 3000;
  for (;;) {
    const [row] = await db
      .select({ formKey: forms.formKey, version: forms.version })
      .from(forms)
      .where(and(eq(forms.formId, formId), eq(forms.formKey, resourceId)));
    if (row) return row;
    if (Date.now() > deadline) {
      // not recorded yet: the next version after the latest recorded one
      const before = await latest();
      return { formKey: resourceId, version: (before?.version ?? 0) + 1 };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
