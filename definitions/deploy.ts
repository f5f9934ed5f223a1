import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numericKey, type OperatonClient } from '../engine/operaton.ts';
import { decisionIdsOf, lintBpmn, lintDmn, repositoryLintContext, type LintProblem } from './lint.ts';

export const processesDir = fileURLToPath(new URL('../processes/', import.meta.url));

/**
 * The engine deployment every file of processes/ goes into. With changed-only deployments the
 * engine compares each resource with the latest one of this name: deploy uploads under it too.
 */
export const DEPLOYMENT_NAME = 'telecom-processes';

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

function formIdOf(file: DefinitionFile): string {
  return (JSON.parse(file.content.toString('utf8')) as { id: string }).id;
}

/** One deployed file: what it defines, and whether this deployment changed it. */
export interface DeployedResource {
  resourceName: string;
  kind: DefinitionFile['kind'];
  /**
   * BPMN and DMN: false when the engine already ran this exact file (nothing new was deployed for
   * it). Absent for forms: the engine's answer does not list them.
   */
  changed?: boolean;
  /** BPMN: its processes as deployed now (empty when unchanged). processDefinitionKey is our numeric key. */
  processes: { bpmnProcessId: string; processDefinitionId: string; processDefinitionKey: string; version: number }[];
  /** DMN: its decisions as deployed now (empty when unchanged). */
  decisions: { decisionId: string; decisionDefinitionId: string; version: number }[];
  /** Form: its id (what `camunda:formRef` names). */
  formId?: string;
}

/**
 * Lints every BPMN and DMN file (nothing is deployed if one has an error), then deploys all files
 * in one deployment named {@link DEPLOYMENT_NAME}; the engine deploys only the files that changed.
 * Topics, forms and decisions the processes name are checked against the workers and the files given.
 */
export async function deployDefinitions(engine: OperatonClient, files = definitionFiles(), { changedOnly = true } = {}) {
  const repository = await repositoryLintContext();
  const given = {
    formIds: files.filter((f) => f.kind === 'form').map(formIdOf),
    decisionIds: (await Promise.all(files.filter((f) => f.kind === 'dmn').map((f) => decisionIdsOf(f.content.toString('utf8'))))).flat(),
  };
  const context = {
    topics: repository.topics,
    formIds: new Set([...repository.formIds, ...given.formIds]),
    decisionIds: new Set([...repository.decisionIds, ...given.decisionIds]),
  };
  const problems: (LintProblem & { file: string })[] = [];
  for (const f of files) {
    const xml = f.content.toString('utf8');
    const found = f.kind === 'bpmn' ? await lintBpmn(xml, undefined, context) : f.kind === 'dmn' ? await lintDmn(xml) : [];
    for (const p of found) if (p.severity === 'error') problems.push({ ...p, file: f.name });
  }
  if (problems.length > 0) throw new DefinitionLintError(problems);

  const deployment = await engine.deploy(
    DEPLOYMENT_NAME,
    files.map((f) => ({ name: f.name, content: f.content })),
    { changedOnly },
  );
  const processes = Object.values(deployment.deployedProcessDefinitions ?? {});
  const decisions = Object.values(deployment.deployedDecisionDefinitions ?? {});
  const deployments: DeployedResource[] = files.map((f) => {
    const ownProcesses = processes.filter((p) => p.resource === f.name);
    const ownDecisions = decisions.filter((d) => d.resource === f.name);
    return {
      resourceName: f.name,
      kind: f.kind,
      ...(f.kind === 'form' ? {} : { changed: ownProcesses.length + ownDecisions.length > 0 }),
      processes: ownProcesses.map((p) => ({
        bpmnProcessId: p.key,
        processDefinitionId: p.id,
        processDefinitionKey: numericKey(p.id) ?? p.id,
        version: p.version,
      })),
      decisions: ownDecisions.map((d) => ({ decisionId: d.key, decisionDefinitionId: d.id, version: d.version })),
      ...(f.kind === 'form' ? { formId: formIdOf(f) } : {}),
    };
  });
  // When nothing changed, the engine answers with the latest deployment of that name.
  return { key: deployment.id, name: DEPLOYMENT_NAME, deployments };
}
