import { DmnModdle } from 'dmn-moddle';
import { describe, expect, it } from 'vitest';
import { STAGE_LABELS, STATE_LABELS, KIND_LABELS, ESCALATION_LABELS } from '../api/domain/status/labels.ts';
import { BRANCH_NAMES, CUSTOMER_LEVEL_NAMES, NAMED_CODES, groupName } from '../contracts/names.ts';
import { definitionFiles } from '../definitions/deploy.ts';
import { lintBpmn, repositoryLintContext } from '../definitions/lint.ts';

/**
 * Chinese first: everything a person reads in zh-CN has Chinese text, and its English is kept
 * beside it for the language switch. Fails when a model, form, decision or dictionary gains a
 * name, label, status or message without Chinese.
 */
const CJK = /[\u3400-\u9fff]/;
// The web UI's dictionaries (a browser module: imported by a computed path, outside the server's type check).
const UI_I18N: string = '../modeler-ui/src/i18n.ts';
const { dictionaries } = (await import(UI_I18N)) as { dictionaries: Record<'zh' | 'en', Record<string, string>> };
const files = definitionFiles();
const context = await repositoryLintContext();

interface FormComponent {
  type: string;
  key?: string;
  label?: string;
  dateLabel?: string;
  timeLabel?: string;
  use24h?: boolean;
  properties?: Record<string, string>;
  values?: { label: string; value: string; 'label.en'?: string }[];
  components?: FormComponent[];
}
const INPUTS = new Set(['textfield', 'textarea', 'number', 'checkbox', 'select', 'radio', 'checklist', 'taglist', 'datetime']);

describe('Chinese first', () => {
  it.each(files.filter((f) => f.kind === 'bpmn').map((f) => [f.name, f] as const))(
    '%s: every element people see is named in Chinese with an English name',
    async (_name, file) => {
      const problems = (await lintBpmn(file.content.toString('utf8'), undefined, context)).filter(
        (p) => p.rule === 'telecom/chinese-names',
      );
      expect(problems).toEqual([]);
    },
  );

  it.each(files.filter((f) => f.kind === 'form').map((f) => [f.name, f] as const))(
    '%s: every field labelled in Chinese (English as label.en), dates and times on a 24-hour clock',
    (_name, file) => {
      const problems: string[] = [];
      const visit = (c: FormComponent) => {
        if (INPUTS.has(c.type)) {
          if (!c.label || !CJK.test(c.label)) problems.push(`${c.key}: label "${c.label ?? ''}" has no Chinese`);
          if (!c.properties?.['label.en']) problems.push(`${c.key}: no English label (properties["label.en"])`);
          for (const option of c.values ?? []) {
            if (!CJK.test(option.label) && !/^\d/.test(option.label))
              problems.push(`${c.key}=${option.value}: option "${option.label}" has no Chinese`);
          }
        }
        if (c.type === 'text') {
          const text = String((c as { text?: unknown }).text ?? '');
          if (!CJK.test(text) || /[A-Za-z]{4,} [A-Za-z]{3,}/.test(text))
            problems.push(`text "${text.slice(0, 40)}…" is not in Chinese alone`);
          if (!c.properties?.['text.en']) problems.push(`text "${text.slice(0, 40)}…": no English (properties["text.en"])`);
        }
        if (c.type === 'datetime') {
          if (!c.use24h) problems.push(`${c.key}: not on a 24-hour clock`);
          for (const l of [c.dateLabel, c.timeLabel]) if (l !== undefined && !CJK.test(l)) problems.push(`${c.key}: "${l}" has no Chinese`);
        }
        c.components?.forEach(visit);
      };
      visit(JSON.parse(file.content.toString('utf8')) as FormComponent);
      expect(problems).toEqual([]);
    },
  );

  it.each(files.filter((f) => f.kind === 'dmn').map((f) => [f.name, f] as const))(
    '%s: decisions, inputs and outputs labelled in Chinese',
    async (_name, file) => {
      const { rootElement } = (await new DmnModdle().fromXML(file.content.toString('utf8'))) as {
        rootElement: { drgElement: { name?: string; decisionLogic?: { input?: { label?: string }[]; output?: { label?: string }[] } }[] };
      };
      const texts = rootElement.drgElement.flatMap((d) => [
        d.name,
        ...(d.decisionLogic?.input ?? []).map((i) => i.label),
        ...(d.decisionLogic?.output ?? []).map((o) => o.label),
      ]);
      expect(texts.filter((t) => !t || !CJK.test(t))).toEqual([]);
    },
  );

  it('the web UI says everything in Chinese, and has the English of every key', () => {
    const { zh, en } = dictionaries;
    // Abbreviations people read as such in Chinese too.
    const asIs = new Set(['P50', 'P90', 'SLA', 'ID', 'ETA', 'KPI', 'BPMN', 'DMN', 'English']);
    expect(Object.entries(zh).filter(([, v]) => !CJK.test(v) && !asIs.has(v) && !/^[\d\s%/·—–-]*$/.test(v))).toEqual([]);
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
  });

  it('what customers read about their orders and tickets has Chinese and English', () => {
    for (const labels of [STAGE_LABELS, STATE_LABELS, KIND_LABELS, ESCALATION_LABELS]) {
      for (const [code, label] of Object.entries(labels)) {
        expect(CJK.test(label.zh), `${code}: ${label.zh}`).toBe(true);
        expect(CJK.test(label.en), `${code}: ${label.en}`).toBe(false);
        // the operator's internal words are not the customer's
        expect(label.zh, code).not.toMatch(/错单|错误工单|异常单|稽核/);
      }
    }
  });

  it('every fixed code people meet has a name: branches, groups, customer levels', () => {
    for (const code of [...NAMED_CODES.branches, ...NAMED_CODES.groups, ...NAMED_CODES.customerLevels]) {
      const name =
        code in BRANCH_NAMES ? BRANCH_NAMES[code]! : code in CUSTOMER_LEVEL_NAMES ? CUSTOMER_LEVEL_NAMES[code]! : groupName(code);
      expect(CJK.test(name.zh), code).toBe(true);
      expect(name.en).not.toBe(code);
    }
    // every candidate group of the models has a name
    const groups = new Set<string>();
    for (const f of files.filter((x) => x.kind === 'bpmn')) {
      for (const m of f.content.toString('utf8').matchAll(/candidateGroups="([^"$]+)"/g))
        m[1]!.split(',').forEach((g) => groups.add(g.trim()));
    }
    expect([...groups].filter((g) => !CJK.test(groupName(g).zh))).toEqual([]);
  });
});
