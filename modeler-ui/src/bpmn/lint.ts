import Linter from 'bpmnlint/lib/linter';
import StaticResolver from 'bpmnlint/lib/resolver/static-resolver';
import packaged from 'virtual:bpmnlint-cache';
import { decisions, forms } from 'virtual:repository-ids';
import { TELECOM_PLUGIN, TELECOM_RULES } from '../../../definitions/lint-rules/index.ts';
import bpmnlintrc from '../../../.bpmnlintrc?raw';

/**
 * bpmnlint in the browser with the rules the server checks every deployment against
 * (definitions/lint.ts): the repository's `.bpmnlintrc` (bpmnlint recommended, Camunda 7
 * compatibility for the Operaton we run) and our own rules (definitions/lint-rules/). The packages'
 * rule modules are bundled at build time (vite.config.ts) and handed to bpmnlint through a static
 * resolver; ours are resolved from their module. Like the server, our rules are told which forms and
 * decisions the repository has; the workers' topics stay on the server (its answer to a deployment
 * names an unknown one).
 */
export interface Problem {
  elementId?: string;
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

/** `.bpmnlintrc` with the repository's form and decision ids handed to the rules that take them. */
function configWithContext(): unknown {
  const config = JSON.parse(bpmnlintrc) as { rules?: Record<string, unknown> };
  const rules = { ...config.rules };
  const severity = (name: string) => {
    const value = rules[name];
    return typeof value === 'string' ? value : Array.isArray(value) ? (value[0] as unknown) : undefined;
  };
  const tasks = severity('telecom/task-implementation');
  if (tasks && tasks !== 'off') rules['telecom/task-implementation'] = [tasks, { decisions }];
  const userTasks = severity('telecom/user-task-assignment');
  if (userTasks && userTasks !== 'off') rules['telecom/user-task-assignment'] = [userTasks, { forms }];
  return { ...config, rules };
}

export const LINT_CONFIG = configWithContext();

function cache(): Record<string, unknown> {
  const entries: Record<string, unknown> = { ...packaged };
  for (const [name, rule] of Object.entries(TELECOM_RULES)) entries[`rule:${TELECOM_PLUGIN}/${name}`] = rule;
  return entries;
}

const resolverCache = cache();

export async function lint(definitions: unknown): Promise<Problem[]> {
  // A linter per run: bpmnlint's rule instances keep state across the elements of one run.
  const linter = new Linter({ config: LINT_CONFIG, resolver: new StaticResolver(resolverCache) });
  const reports = await linter.lint(definitions);
  return Object.entries(reports).flatMap(([rule, entries]) =>
    entries.map((r) => ({
      ...(r.id ? { elementId: r.id } : {}),
      rule,
      severity: r.category === 'warn' || r.category === 'info' ? ('warning' as const) : ('error' as const),
      message: r.message,
    })),
  );
}
