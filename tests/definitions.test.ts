import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BpmnModdle } from 'bpmn-moddle';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json' with { type: 'json' };
import { DmnModdle } from 'dmn-moddle';
import { describe, expect, it } from 'vitest';
import { definitionFiles, processesDir } from '../definitions/deploy.ts';
import { lintBpmn, lintDmn, repositoryLintContext, TARGET_LINT_CONFIG } from '../definitions/lint.ts';
import { describeBpmn } from '../read-model/definitions.ts';
import { jobDefinitions } from '../workers/registry.ts';

const files = definitionFiles();
const bpmnFiles = files.filter((f) => f.kind === 'bpmn');
const dmnFiles = files.filter((f) => f.kind === 'dmn');
const formFiles = files.filter((f) => f.kind === 'form');
const repository = await repositoryLintContext();

interface Element {
  $type: string;
  id: string;
  flowElements?: Element[];
  extensionElements?: { values?: (Element & { businessKey?: string })[] };
  get(name: string): unknown;
}

/** Every process of a BPMN file and every flow element in it (sub-processes included). */
async function elementsOf(xml: string): Promise<{ processes: Element[]; elements: Element[] }> {
  const { rootElement } = (await new BpmnModdle({ camunda: camundaModdle }).fromXML(xml)) as { rootElement: { rootElements: Element[] } };
  const processes = rootElement.rootElements.filter((e) => e.$type === 'bpmn:Process');
  const elements: Element[] = [];
  const visit = (e: Element) => {
    for (const child of e.flowElements ?? []) {
      elements.push(child);
      visit(child);
    }
  };
  processes.forEach(visit);
  return { processes, elements };
}

describe('process definitions', () => {
  it.each(bpmnFiles.map((f) => [f.name, f] as const))(
    '%s passes bpmnlint with the Operaton (Camunda 7) rules and ours',
    async (_name, file) => {
      expect(await lintBpmn(file.content.toString('utf8'))).toEqual([]);
    },
  );

  it.each(bpmnFiles.map((f) => [f.name, f] as const))('%s passes the rules the modeler shows', async (_name, file) => {
    expect(await lintBpmn(file.content.toString('utf8'), TARGET_LINT_CONFIG)).toEqual([]);
  });

  it.each(bpmnFiles.map((f) => [f.name, f] as const))(
    '%s is in the Camunda 7 dialect only, every process keeping its history 180 days',
    async (_name, file) => {
      const xml = file.content.toString('utf8');
      expect(xml).not.toMatch(/zeebe|Camunda Cloud/);
      const { processes } = await elementsOf(xml);
      for (const p of processes) expect(p.get('camunda:historyTimeToLive'), p.id).toBe('P180D');
    },
  );

  it('the linter refuses a service task without a topic and one no worker serves, naming the element', async () => {
    const xml = readFileSync(path.join(processesDir, 'home-broadband-new-install.bpmn'), 'utf8');
    const withoutTopic = xml.replace(' camunda:type="external" camunda:topic="activate-service"', '');
    expect(await lintBpmn(withoutTopic)).toContainEqual(expect.objectContaining({ elementId: 'activate-service', severity: 'error' }));
    const unserved = xml.replace('camunda:topic="activate-service"', 'camunda:topic="activate-everything"');
    expect(await lintBpmn(unserved, undefined, repository)).toContainEqual(
      expect.objectContaining({ elementId: 'activate-service', rule: 'telecom/task-implementation', severity: 'error' }),
    );
    expect(await lintBpmn('<not-bpmn/>')).toContainEqual(expect.objectContaining({ severity: 'error' }));
  });

  it('the linter refuses a process without a history time to live, an unbalanced expression and a FEEL condition that does not parse', async () => {
    const xml = readFileSync(path.join(processesDir, 'home-broadband-new-install.bpmn'), 'utf8');
    const problems = await lintBpmn(
      xml
        .replace(' camunda:historyTimeToLive="P180D"', '')
        .replace('camunda:dueDate="${dateTime().plusHours(4).toDate()}"', 'camunda:dueDate="${dateTime().plusHours(4).toDate()"')
        .replace('language="feel">reviewApproved = true<', 'language="feel">reviewApproved = <'),
    );
    expect(problems).toContainEqual(expect.objectContaining({ elementId: 'home-broadband-new-install', severity: 'error' }));
    expect(problems).toContainEqual(expect.objectContaining({ elementId: 'review-order', rule: 'telecom/expressions' }));
    expect(problems).toContainEqual(expect.objectContaining({ elementId: 'f-approved', rule: 'telecom/expressions' }));
  });

  it.each(dmnFiles.map((f) => [f.name, f] as const))(
    '%s is a valid DMN 1.3 document whose decisions keep their history',
    async (_name, file) => {
      const xml = file.content.toString('utf8');
      const { warnings, rootElement } = await new DmnModdle().fromXML(xml);
      expect(warnings).toEqual([]);
      expect(rootElement.drgElement.length).toBeGreaterThan(0);
      expect(await lintDmn(xml)).toEqual([]);
      expect(await lintDmn(xml.replaceAll(' camunda:historyTimeToLive="P180D"', ''))).toContainEqual(
        expect.objectContaining({ rule: 'history-time-to-live', severity: 'error' }),
      );
    },
  );

  it('every decision and form a process calls is deployed beside it', async () => {
    const decisionIds = new Set<string>();
    for (const f of dmnFiles) {
      const { rootElement } = await new DmnModdle().fromXML(f.content.toString('utf8'));
      for (const d of rootElement.drgElement) decisionIds.add(d.id);
    }
    const formIds = new Set(formFiles.map((f) => (JSON.parse(f.content.toString('utf8')) as { id: string }).id));
    const called = new Set<string>();
    for (const f of bpmnFiles) {
      const xml = f.content.toString('utf8');
      for (const el of (await elementsOf(xml)).elements.filter((e) => e.$type === 'bpmn:BusinessRuleTask')) {
        const id = el.get('camunda:decisionRef') as string;
        called.add(id);
        expect(decisionIds, `${f.name} ${el.id} calls decision ${id}`).toContain(id);
        expect(el.get('camunda:mapDecisionResult'), `${el.id}: the result is one row read as a map`).toBe('singleResult');
      }
      for (const el of await describeBpmn(xml))
        if (el.formId) expect(formIds, `${f.name} ${el.elementId} uses form ${el.formId}`).toContain(el.formId);
    }
    expect(
      [...decisionIds].filter((d) => !called.has(d)),
      'decisions no process calls',
    ).toEqual([]);
  });

  it('every user task has a candidate group and a form, bound to its latest version', async () => {
    for (const f of bpmnFiles) {
      const xml = f.content.toString('utf8');
      const described = await describeBpmn(xml);
      for (const el of (await elementsOf(xml)).elements.filter((e) => e.$type === 'bpmn:UserTask')) {
        expect(described.find((d) => d.elementId === el.id)?.formId, `${el.id} has a form`).toBeTruthy();
        expect(el.get('camunda:formRefBinding'), `${el.id} form binding`).toBe('latest');
        expect(el.get('camunda:candidateGroups'), `${el.id} has candidate groups`).toMatch(/\S/);
        expect(el.get('camunda:dueDate'), `${el.id} has a due date`).toMatch(/^\$\{.+\}$/);
      }
    }
  });

  it('every call activity hands its business key to the process it calls, and calls one of ours', async () => {
    const processIds = new Set<string>();
    const calls: { file: string; el: Element }[] = [];
    for (const f of bpmnFiles) {
      const { processes, elements } = await elementsOf(f.content.toString('utf8'));
      for (const p of processes) processIds.add(p.id);
      for (const el of elements.filter((e) => e.$type === 'bpmn:CallActivity')) calls.push({ file: f.name, el });
    }
    expect(calls.length).toBeGreaterThan(0);
    for (const { file, el } of calls) {
      expect(processIds, `${file} ${el.id}`).toContain(el.get('calledElement'));
      const ins = (el.extensionElements?.values ?? []).filter((v) => v.$type === 'camunda:In');
      expect(
        ins.some((i) => i.businessKey === '#{execution.processBusinessKey}'),
        `${el.id} passes the business key`,
      ).toBe(true);
    }
  });
});

describe('the topic contract between processes/ and workers/', () => {
  it('every external task topic in processes/ has a worker module, and every worker module serves a topic used by a process', async () => {
    const used = new Set<string>();
    for (const f of bpmnFiles) {
      for (const el of (await elementsOf(f.content.toString('utf8'))).elements) {
        if (el.get('camunda:type') === 'external') used.add(el.get('camunda:topic') as string);
      }
    }
    const served = new Set(jobDefinitions.map((d) => d.type));
    expect(
      [...used].filter((t) => !served.has(t)),
      'topics without a worker',
    ).toEqual([]);
    expect(
      [...served].filter((t) => !used.has(t)),
      'workers no process uses',
    ).toEqual([]);
    expect(served.size).toBe(jobDefinitions.length);
  });
});
