import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpmnModdle } from 'bpmn-moddle';
import { DmnModdle } from 'dmn-moddle';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json' with { type: 'json' };
import { TARGET_LINT_CONFIG, TELECOM_PLUGIN, TELECOM_RULES } from './lint-rules/index.ts';

const require = createRequire(import.meta.url);
const Linter = require('bpmnlint/lib/linter') as new (options: { config: unknown; resolver: unknown }) => {
  lint(definitions: unknown): Promise<Record<string, LintReport[]>>;
};
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver') as new () => {
  resolveRule(pkg: string, ruleName: string): unknown;
  resolveConfig(pkg: string, configName: string): unknown;
};

/** Packages' rules from node_modules; our own (`telecom/...`, definitions/lint-rules/) from here. */
class Resolver extends NodeResolver {
  override resolveRule(pkg: string, ruleName: string): unknown {
    if (pkg === TELECOM_PLUGIN) {
      const rule = TELECOM_RULES[ruleName];
      if (!rule) throw new Error(`cannot resolve rule <${ruleName}> from <${pkg}>`);
      return rule;
    }
    return super.resolveRule(pkg, ruleName);
  }
}

interface LintReport {
  id?: string;
  message: string;
  category: 'error' | 'warn' | 'info' | 'rule-error';
  name?: string;
}

export interface LintProblem {
  /** The BPMN element (or DMN decision) at fault (absent for a file that does not parse). */
  elementId?: string;
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

/** What only the repository knows, handed to our rules: a topic, form or decision outside these is refused. */
export interface LintContext {
  /** External task topics the workers serve (workers/registry.ts). */
  topics?: Iterable<string>;
  /** Form ids (`camunda:formRef`) that exist. */
  formIds?: Iterable<string>;
  /** Decision ids (`camunda:decisionRef`) that exist. */
  decisionIds?: Iterable<string>;
}

const rcPath = fileURLToPath(new URL('../.bpmnlintrc', import.meta.url));
const processesDir = fileURLToPath(new URL('../processes/', import.meta.url));

/** The rules of the engine we run (Operaton, see docs/engine.md): what deployments are checked against. */
export const ENGINE_LINT_CONFIG = JSON.parse(readFileSync(rcPath, 'utf8')) as unknown;
/** The same rules as the modeler's problems panel declares them (definitions/lint-rules/index.ts). */
export { TARGET_LINT_CONFIG };

let repository: Promise<Required<LintContext>> | undefined;

/** The workers' topics and the forms and decisions in processes/ (read once). */
export function repositoryLintContext(): Promise<Required<LintContext>> {
  repository ??= (async () => {
    // Lazily: the workers' modules are only needed once something is linted.
    const { jobDefinitions } = await import('../workers/registry.ts');
    const formsDir = path.join(processesDir, 'forms');
    const formIds = readdirSync(formsDir)
      .filter((f) => f.endsWith('.form'))
      .map((f) => (JSON.parse(readFileSync(path.join(formsDir, f), 'utf8')) as { id: string }).id);
    const decisionIds: string[] = [];
    for (const f of readdirSync(processesDir).filter((f) => f.endsWith('.dmn'))) {
      decisionIds.push(...(await decisionIdsOf(readFileSync(path.join(processesDir, f), 'utf8'))));
    }
    return { topics: jobDefinitions.map((d) => d.type), formIds, decisionIds };
  })();
  return repository;
}

/** The ids of the decisions a DMN document defines (none when it does not parse). */
export async function decisionIdsOf(xml: string): Promise<string[]> {
  try {
    const { rootElement } = (await new DmnModdle().fromXML(xml)) as unknown as {
      rootElement: { drgElement?: { $type: string; id: string }[] };
    };
    return (rootElement.drgElement ?? []).filter((d) => d.$type === 'dmn:Decision').map((d) => d.id);
  } catch {
    return [];
  }
}

/** Hands our rules that take it the repository's knowledge (keeping the severity the config gives them). */
function withContext(config: unknown, context: LintContext): unknown {
  const c = config as { rules?: Record<string, unknown> };
  const rules = { ...c.rules };
  const severity = (name: string) => {
    const value = rules[name];
    return typeof value === 'string' ? value : Array.isArray(value) ? (value[0] as string) : undefined;
  };
  const list = (values: Iterable<string> | undefined) => (values ? [...values] : undefined);
  const tasks = severity('telecom/task-implementation');
  if (tasks && tasks !== 'off') {
    rules['telecom/task-implementation'] = [tasks, { topics: list(context.topics), decisions: list(context.decisionIds) }];
  }
  const userTasks = severity('telecom/user-task-assignment');
  if (userTasks && userTasks !== 'off') rules['telecom/user-task-assignment'] = [userTasks, { forms: list(context.formIds) }];
  return { ...c, rules };
}

/**
 * Lints BPMN XML with bpmnlint (recommended, Camunda 7 compatibility and our rules; by default for
 * the engine we run). With a `context` (e.g. {@link repositoryLintContext}, plus what an upload
 * brings), a topic no worker serves or a form or decision that does not exist is an error too;
 * without one, only their presence is checked (as in the modeler).
 */
export async function lintBpmn(xml: string, config: unknown = ENGINE_LINT_CONFIG, context: LintContext = {}): Promise<LintProblem[]> {
  const moddle = new BpmnModdle({ camunda: camundaModdle });
  let rootElement: unknown;
  try {
    const parsed = await moddle.fromXML(xml);
    rootElement = parsed.rootElement;
    const unknownElements = (parsed.warnings ?? []).map((w: { message: string }) => ({
      rule: 'xml',
      severity: 'error' as const,
      message: w.message,
    }));
    if (unknownElements.length > 0) return unknownElements;
  } catch (e) {
    return [{ rule: 'xml', severity: 'error', message: `not a BPMN 2.0 document: ${(e as Error).message}` }];
  }
  const linter = new Linter({ config: withContext(config, context), resolver: new Resolver() });
  const reports = await linter.lint(rootElement);
  return Object.entries(reports).flatMap(([rule, entries]) =>
    entries.map((r) => ({
      ...(r.id ? { elementId: r.id } : {}),
      rule,
      severity: r.category === 'warn' || r.category === 'info' ? ('warning' as const) : ('error' as const),
      message: r.message,
    })),
  );
}

const ENGINE_DMN_NAMESPACES = new Set(['http://camunda.org/schema/1.0/dmn', 'http://operaton.org/schema/1.0/dmn']);

/**
 * Lints DMN XML for what Operaton needs: a DMN document (1.3 namespace, as dmn-moddle reads it)
 * whose every decision has a history time to live (`camunda:historyTimeToLive`; Operaton refuses a
 * decision without one unless the engine sets a default).
 */
export async function lintDmn(xml: string): Promise<LintProblem[]> {
  let rootElement: { $attrs?: Record<string, string>; drgElement?: { $type: string; id: string; $attrs?: Record<string, string> }[] };
  try {
    const parsed = (await new DmnModdle().fromXML(xml)) as { rootElement: typeof rootElement; warnings?: { message: string }[] };
    const warnings = (parsed.warnings ?? []).map((w) => ({ rule: 'xml', severity: 'error' as const, message: w.message }));
    if (warnings.length > 0) return warnings;
    rootElement = parsed.rootElement;
  } catch (e) {
    return [{ rule: 'xml', severity: 'error', message: `not a DMN 1.3 document: ${(e as Error).message}` }];
  }
  const prefixes = Object.entries(rootElement.$attrs ?? {})
    .filter(([name, uri]) => name.startsWith('xmlns:') && ENGINE_DMN_NAMESPACES.has(uri))
    .map(([name]) => name.slice('xmlns:'.length));
  const problems: LintProblem[] = [];
  const decisions = (rootElement.drgElement ?? []).filter((d) => d.$type === 'dmn:Decision');
  if (decisions.length === 0) problems.push({ rule: 'decision', severity: 'error', message: 'The document defines no decision' });
  for (const d of decisions) {
    if (!prefixes.some((p) => d.$attrs?.[`${p}:historyTimeToLive`]?.trim())) {
      problems.push({
        elementId: d.id,
        rule: 'history-time-to-live',
        severity: 'error',
        message: 'Decision has no history time to live (camunda:historyTimeToLive)',
      });
    }
  }
  return problems;
}
