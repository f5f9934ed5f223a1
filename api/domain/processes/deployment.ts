import { DmnModdle } from 'dmn-moddle';
import { withEngineTimeout, type ZeebeClient } from '../../../engine/camunda.ts';
import { lintBpmn } from '../../../definitions/lint.ts';
import { ApiError, type Problem } from '../../errors.ts';
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
/** A BPMN script element or script format other than FEEL (zeebe:script is FEEL, evaluated by the engine: allowed). */
const XML_SCRIPT = /<(?!zeebe:)(?:[\w-]+:)?script\b|scriptFormat\s*=\s*["'](?!feel["'])/i;
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
    if (SCRIPT.test(r.content) || SCRIPT.test(readableText(kind, r.content)) || (kind !== 'form' && XML_SCRIPT.test(r.content))) {
      errors.push(at('scripts are not allowed in uploaded definitions'));
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

interface DeployedResource {
  process?: { bpmnProcessId: string; version: number; processDefinitionKey: string; resourceName: string };
  decision?: { dmnDecisionId: string; version: number; decisionKey: string };
  form?: { formId: string; version: number; formKey: string };
}

/** Lints and checks every file, then deploys them together (all or nothing); the engine skips unchanged files. */
export async function deploy({ body, zeebe, engineTimeoutMs }: { body: DeployBody; zeebe: ZeebeClient; engineTimeoutMs: number }) {
  const { errors, warnings } = await checkResources(body);
  if (errors.length > 0) throw invalidDefinitions(errors);
  const resources = body.resources.map((r) => {
    const content = Buffer.from(r.content, 'utf8');
    const kind = r.name.split('.').pop();
    return kind === 'bpmn' ? { name: r.name, process: content } : kind === 'dmn' ? { name: r.name, decision: content } : { name: r.name, form: content };
  });
  let result: Awaited<ReturnType<ZeebeClient['deployResources']>>;
  try {
    result = await withEngineTimeout(zeebe.deployResources(resources), engineTimeoutMs * 3, 'deploying definitions');
  } catch (e) {
    // The engine's own validation (it parses and checks more than lint does).
    const err = e as { code?: number; details?: string; message?: string };
    if (err.code === 3) {
      throw invalidDefinitions([{ pointer: '/resources', in: 'body', message: (err.details ?? err.message ?? 'refused').slice(0, 4000) }]);
    }
    throw e;
  }
  const deployed = result.deployments as DeployedResource[];
  return {
    deploymentKey: result.key,
    processes: deployed.flatMap((d) =>
      d.process ? [{ processId: d.process.bpmnProcessId, version: d.process.version, key: d.process.processDefinitionKey, resourceName: d.process.resourceName }] : [],
    ),
    decisions: deployed.flatMap((d) =>
      d.decision ? [{ decisionId: d.decision.dmnDecisionId, version: d.decision.version, key: d.decision.decisionKey }] : [],
    ),
    forms: deployed.flatMap((d) => (d.form ? [{ formId: d.form.formId, version: d.form.version, key: d.form.formKey }] : [])),
    warnings,
  };
}
