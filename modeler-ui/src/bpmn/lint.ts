import Linter from 'bpmnlint/lib/linter';
import StaticResolver from 'bpmnlint/lib/resolver/static-resolver';
import packaged from 'virtual:bpmnlint-cache';
import { TARGET_LINT_CONFIG, TELECOM_PLUGIN, TELECOM_RULES } from '../../../definitions/lint-rules/index.ts';

/**
 * bpmnlint in the browser with the same rules as the server's target check (definitions/lint.ts):
 * recommended, Camunda 8.9 compatibility and ours (definitions/lint-rules/). The packages' rule
 * modules are bundled at build time (vite.config.ts) and handed to bpmnlint through a static resolver.
 */
export interface Problem {
  elementId?: string;
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

function cache(): Record<string, unknown> {
  const entries: Record<string, unknown> = { ...packaged };
  for (const [name, rule] of Object.entries(TELECOM_RULES)) entries[`rule:${TELECOM_PLUGIN}/${name}`] = rule;
  return entries;
}

const resolverCache = cache();

export async function lint(definitions: unknown): Promise<Problem[]> {
  // A linter per run: bpmnlint's rule instances keep state across the elements of one run.
  const linter = new Linter({ config: TARGET_LINT_CONFIG, resolver: new StaticResolver(resolverCache) });
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
