import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BpmnModdle } from 'bpmn-moddle';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
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
  /** The BPMN element at fault (absent for a file that does not parse). */
  elementId?: string;
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

const rcPath = fileURLToPath(new URL('../.bpmnlintrc', import.meta.url));
/** The rules of the engine we run (8.6, see docs/engine.md): what deployments are checked against. */
export const ENGINE_LINT_CONFIG = JSON.parse(readFileSync(rcPath, 'utf8')) as unknown;
/** Camunda 8.9, the version the platform is meant to run on: processes must stay ready for it. */
export { TARGET_LINT_CONFIG };

/** Lints BPMN XML with bpmnlint (recommended + Camunda compatibility rules, by default for our engine). */
export async function lintBpmn(xml: string, config: unknown = ENGINE_LINT_CONFIG): Promise<LintProblem[]> {
  const moddle = new BpmnModdle({ zeebe: zeebeModdle });
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
  const linter = new Linter({ config, resolver: new Resolver() });
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
