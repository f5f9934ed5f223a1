import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Zeebe } from '@camunda8/sdk';
import { DmnModdle } from 'dmn-moddle';
import { describe, expect, it } from 'vitest';
import { definitionFiles, processesDir } from '../definitions/deploy.ts';
import { lintBpmn, TARGET_LINT_CONFIG } from '../definitions/lint.ts';
import { describeBpmn } from '../read-model/definitions.ts';
import { jobDefinitions } from '../workers/registry.ts';

const files = definitionFiles();
const bpmnFiles = files.filter((f) => f.kind === 'bpmn');
const dmnFiles = files.filter((f) => f.kind === 'dmn');
const formFiles = files.filter((f) => f.kind === 'form');

describe('process definitions', () => {
  it.each(bpmnFiles.map((f) => [f.name, f] as const))('%s passes bpmnlint with the Camunda compatibility rules', async (_name, file) => {
    expect(await lintBpmn(file.content.toString('utf8'))).toEqual([]);
  });

  it.each(bpmnFiles.map((f) => [f.name, f] as const))('%s also passes the Camunda 8.9 compatibility rules', async (_name, file) => {
    expect(await lintBpmn(file.content.toString('utf8'), TARGET_LINT_CONFIG)).toEqual([]);
  });

  it('the linter refuses a service task without a job type, naming the element', async () => {
    const broken = readFileSync(path.join(processesDir, 'home-broadband-new-install.bpmn'), 'utf8').replace(
      '<zeebe:taskDefinition type="activate-service" retries="5" />',
      '',
    );
    const problems = await lintBpmn(broken);
    expect(problems).toContainEqual(expect.objectContaining({ elementId: 'activate-service', severity: 'error' }));
    expect(await lintBpmn('<not-bpmn/>')).toContainEqual(expect.objectContaining({ severity: 'error' }));
  });

  it.each(dmnFiles.map((f) => [f.name, f] as const))('%s is a valid DMN 1.3 document', async (_name, file) => {
    const { warnings, rootElement } = await new DmnModdle().fromXML(file.content.toString('utf8'));
    expect(warnings).toEqual([]);
    expect(rootElement.drgElement.length).toBeGreaterThan(0);
  });

  it('every decision and form a process calls is deployed beside it', async () => {
    const decisionIds = new Set<string>();
    for (const f of dmnFiles) {
      const { rootElement } = await new DmnModdle().fromXML(f.content.toString('utf8'));
      for (const d of rootElement.drgElement) decisionIds.add(d.id);
    }
    const formIds = new Set(formFiles.map((f) => (JSON.parse(f.content.toString('utf8')) as { id: string }).id));
    for (const f of bpmnFiles) {
      const xml = f.content.toString('utf8');
      for (const [, id] of xml.matchAll(/decisionId="([^"]+)"/g))
        expect(decisionIds, `${f.name} calls decision ${id}`).toContain(id as string);
      for (const el of await describeBpmn(xml))
        if (el.formId) expect(formIds, `${f.name} ${el.elementId} uses form ${el.formId}`).toContain(el.formId);
    }
  });

  it('every user task has a candidate group and a form', async () => {
    for (const f of bpmnFiles) {
      const xml = f.content.toString('utf8');
      for (const el of (await describeBpmn(xml)).filter((e) => e.elementType === 'UserTask')) {
        expect(el.formId, `${el.elementId} has a form`).toBeTruthy();
        const block = xml.slice(xml.indexOf(`id="${el.elementId}"`), xml.indexOf('</bpmn:userTask>', xml.indexOf(`id="${el.elementId}"`)));
        expect(block, `${el.elementId} has candidate groups`).toMatch(/candidateGroups="[^"]+"/);
      }
    }
  });
});

describe('the job-type contract between processes/ and workers/', () => {
  it('every job type in processes/ has a worker module, and every worker module serves a job type used by a process', async () => {
    const parsed = Zeebe.BpmnParser.parseBpmn(bpmnFiles.map((f) => path.join(processesDir, f.name)));
    const used = new Set(await Zeebe.BpmnParser.getTaskTypes(parsed));
    const served = new Set(jobDefinitions.map((d) => d.type));
    expect(
      [...used].filter((t) => !served.has(t)),
      'job types without a worker',
    ).toEqual([]);
    expect(
      [...served].filter((t) => !used.has(t)),
      'workers no process uses',
    ).toEqual([]);
    expect(served.size).toBe(jobDefinitions.length);
  });
});
