import Linter from 'bpmnlint/lib/linter';
import StaticResolver from 'bpmnlint/lib/resolver/static-resolver';
import packaged from 'virtual:bpmnlint-cache';
import { TELECOM_PLUGIN, TELECOM_RULES } from '../../../definitions/lint-rules/index.ts';
import bpmnlintrc from '../../../.bpmnlintrc?raw';

/**
 * bpmnlint in the browser with the rules the server checks every deployment against
 * (definitions/lint.ts): the repository's `.bpmnlintrc` (bpmnlint recommended, Camunda 7
 * compatibility for the Operaton we run) and our own rules (definitions/lint-rules/). The packages'
 * rule modules are bundled at build time (vite.config.ts) and handed to bpmnlint through a static
 * resolver; ours are resolved from their module.
 */
export interface Problem {
  elementId?: string;
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

export const LINT_CONFIG = JSON.parse(bpmnlintrc) as unknown;

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
