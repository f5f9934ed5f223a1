import { and, desc, eq } from 'drizzle-orm';
import { DmnModdle } from 'dmn-moddle';
import type { Db } from '../../../db/client.ts';
import { forms } from '../../../db/schema.ts';
import { lintBpmn } from '../../../definitions/lint.ts';
import { EngineRequestError } from '../../../engine/errors.ts';
import { numericKey, type OperatonClient } from '../../../engine/operaton.ts';
import { ApiError, type Problem } from '../../errors.ts';
import { engineCommand } from '../engine-command.ts';
import type { DeployBody } from './schemas.ts';

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
 * JUEL expressions (`${…}`: dates, priorities, candidate groups) may call methods; reflection, the
 * runtime and the engine's own services are out of bounds. (The engine app should also expose no
 * beans to expressions: see the report in docs/engine.md.)
 */
const JUEL_REACHES_JAVA =
  /[$#]\{[^}]*?(?:\bgetClass\b|\.class\b|\bforName\b|\bgetMethods?\b|\bgetDeclared\w*|\bgetConstructors?\b|\bnewInstance\b|\binvoke\b|\bexec\b|\bRuntime\b|\bProcessBuilder\b|\bSystem\b|\w*[pP]rocessEngine\w*|\w*[cC]lassLoader\b|\bloadClass\b)/;
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

async function dmnProblems(xml: string): Promise<string[]> {
  try {
    const { warnings } = (await new DmnModdle().fromXML(xml)) as { warnings?: { message: string }[] };
    return (warnings ?? []).map((w) => w.message);
  } catch (e) {
    return [`not a DMN 1.3 document: ${(e as Error).message}`];
  }
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
  return problems;
}

/** Every problem of every file, each pointing at its resource; warnings are returned separately. */
export async function checkResources(body: DeployBody) {
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
    if (kind !== 'form' && JUEL_REACHES_JAVA.test(readable)) {
      errors.push(at('expressions may not reach Java reflection, the runtime or the engine (getClass, forName, Runtime, processEngine, …)'));
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
    if (kind === 'bpmn') {
      for (const p of await lintBpmn(r.content)) {
        if (p.severity === 'error') errors.push(at(`${p.elementId ? `${p.elementId}: ` : ''}${p.message} (${p.rule})`));
        else warnings.push({ file: r.name, ...(p.elementId ? { elementId: p.elementId } : {}), rule: p.rule, message: p.message });
      }
    } else if (kind === 'dmn') {
      for (const m of await dmnProblems(r.content)) errors.push(at(m));
    } else {
      for (const m of formProblems(r.content)) errors.push(at(m));
    }
  }
  return { errors, warnings };
}

const invalidDefinitions = (errors: FieldError[]) =>
  new ApiError(
    422,
    'INVALID_DEFINITIONS',
    'Definitions refused',
    `${errors.length} problem(s) found; nothing was deployed.`,
    errors,
  );

/**
 * The deployment name every definition of the platform is deployed under (processes/ at start-up
 * and uploads here alike): the engine compares each file with the latest of that name in it and
 * deploys only what changed, so an unchanged file keeps its version, as before.
 */
export const DEPLOYMENT_NAME = 'telecom-processes';

type DeployedDefinition = { id: string; key: string; version: number; resource?: string | null };

/** Ids the engine will know a file's definitions by: executable processes of a BPMN file, decisions of a DMN file. */
function definitionIds(kind: 'bpmn' | 'dmn', xml: string): string[] {
  const element = kind === 'bpmn' ? 'process' : 'decision';
  const ids: string[] = [];
  for (const m of xml.matchAll(new RegExp(`<(?:[\\w-]+:)?${element}\\b([^>]*)>`, 'g'))) {
    const attributes = m[1] ?? '';
    if (kind === 'bpmn' && /\bisExecutable\s*=\s*["']false["']/.test(attributes)) continue;
    const id = /\bid\s*=\s*["']([^"']+)["']/.exec(attributes)?.[1];
    if (id) ids.push(id);
  }
  return ids;
}

/** The engine's reason for refusing a deployment, without our client's preamble. */
const engineReason = (e: EngineRequestError) => e.message.replace(/^the engine refused [^:]*: /, '');

/**
 * Lints and checks every file, then deploys them together (all or nothing); the engine skips
 * unchanged files, which answer with the version they already have. Forms have no definition in
 * the engine's REST API: their key is the resource's id, their version the read model's.
 */
export async function deploy({
  body,
  engine,
  db,
  engineTimeoutMs,
}: {
  body: DeployBody;
  engine: OperatonClient;
  db: Db;
  engineTimeoutMs?: number;
}) {
  const { errors, warnings } = await checkResources(body);
  if (errors.length > 0) throw invalidDefinitions(errors);
  let deployment: Awaited<ReturnType<OperatonClient['deploy']>>;
  try {
    // (the client allows a deployment 30 s more than other calls: parsing large models takes time)
    deployment = await engineCommand('deploying definitions', () =>
      engine.deploy(
        DEPLOYMENT_NAME,
        body.resources.map((r) => ({ name: r.name, content: r.content })),
      ),
    );
  } catch (e) {
    // The engine's own validation (it parses and checks more than lint does): nothing was deployed.
    if (e instanceof EngineRequestError && e.status === 400) {
      throw invalidDefinitions([{ pointer: '/resources', in: 'body', message: engineReason(e).slice(0, 4000) }]);
    }
    throw e;
  }

  const latest = async (kind: 'process' | 'decision', deployed: Record<string, DeployedDefinition> | null | undefined, id: string) =>
    Object.values(deployed ?? {}).find((d) => d.key === id) ??
    (await engineCommand('reading the definitions', () => engine.definitions(kind, { key: id, latestVersion: true }), { timeoutMs: engineTimeoutMs }))[0];

  const processes: { processId: string; version: number; key: string; resourceName: string }[] = [];
  const decisions: { decisionId: string; version: number; key: string }[] = [];
  const deployedForms: { formId: string; version: number; key: string }[] = [];
  const newResources = body.resources.some((r) => r.name.endsWith('.form'))
    ? await engineCommand('reading the deployment', () => engine.deploymentResources(deployment.id), { timeoutMs: engineTimeoutMs })
    : [];
  for (const r of body.resources) {
    const kind = r.name.split('.').pop();
    if (kind === 'bpmn') {
      for (const id of definitionIds(kind, r.content)) {
        const d = await latest('process', deployment.deployedProcessDefinitions, id);
        if (d) processes.push({ processId: d.key, version: d.version, key: numericKey(d.id) ?? d.id, resourceName: d.resource ?? r.name });
      }
    } else if (kind === 'dmn') {
      for (const id of definitionIds(kind, r.content)) {
        const d = await latest('decision', deployment.deployedDecisionDefinitions, id);
        if (d) decisions.push({ decisionId: d.key, version: d.version, key: numericKey(d.id) ?? d.id });
      }
    } else {
      const formId = (JSON.parse(r.content) as { id: string }).id;
      const resourceId = newResources.find((n) => n.name === r.name)?.id;
      const form = await formVersion(db, formId, resourceId);
      deployedForms.push({ formId, version: form?.version ?? 1, key: form?.formKey ?? resourceId ?? formId });
    }
  }
  return { deploymentKey: deployment.id, processes, decisions, forms: deployedForms, warnings };
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
