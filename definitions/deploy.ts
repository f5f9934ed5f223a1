import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ZeebeClient } from '../engine/camunda.ts';
import { lintBpmn, type LintProblem } from './lint.ts';

export const processesDir = fileURLToPath(new URL('../processes/', import.meta.url));

export interface DefinitionFile {
  name: string;
  kind: 'bpmn' | 'dmn' | 'form';
  content: Buffer;
}

/** Every BPMN, DMN and form file under processes/. */
export function definitionFiles(dir = processesDir): DefinitionFile[] {
  const files: DefinitionFile[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(bpmn|dmn|form)$/.test(entry.name)) {
        files.push({ name: entry.name, kind: entry.name.split('.').pop() as DefinitionFile['kind'], content: readFileSync(full) });
      }
    }
  };
  walk(dir);
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

export class DefinitionLintError extends Error {
  readonly problems: (LintProblem & { file: string })[];
  constructor(problems: (LintProblem & { file: string })[]) {
    super(`lint errors: ${problems.map((p) => `${p.file} ${p.elementId ?? ''} ${p.message}`).join('; ')}`);
    this.problems = problems;
  }
}

/** Lints, then deploys all files in one atomic deployment (the engine skips unchanged resources). */
export async function deployDefinitions(zeebe: ZeebeClient, files = definitionFiles()) {
  const problems: (LintProblem & { file: string })[] = [];
  for (const f of files.filter((f) => f.kind === 'bpmn')) {
    for (const p of await lintBpmn(f.content.toString('utf8'))) if (p.severity === 'error') problems.push({ ...p, file: f.name });
  }
  if (problems.length > 0) throw new DefinitionLintError(problems);
  return zeebe.deployResources(
    files.map((f) =>
      f.kind === 'bpmn'
        ? { name: f.name, process: f.content }
        : f.kind === 'dmn'
          ? { name: f.name, decision: f.content }
          : { name: f.name, form: f.content },
    ),
  );
}
