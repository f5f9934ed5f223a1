import { parser as feelParser } from '@bpmn-io/lezer-feel';
import { owningId, text, type ModdleElement, type Reporter } from './moddle.ts';

/**
 * Where a JUEL expression (`${…}` or `#{…}`) in `value` is broken: unclosed, empty, nested, or
 * mixing both kinds in one text (JUEL refuses that). Undefined when every expression is whole.
 * Quotes inside an expression are respected (`${x == '}'}` is whole).
 */
export function juelProblem(value: string): string | undefined {
  const kinds = new Set<string>();
  for (let i = 0; ;) {
    const found = value.slice(i).search(/[$#]\{/);
    if (found < 0) break;
    const at = i + found;
    kinds.add(value[at]!);
    let depth = 0;
    let quote: string | undefined;
    let end = -1;
    for (let j = at + 2; j < value.length && end < 0; j++) {
      const c = value[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0) end = j;
        else depth--;
      }
    }
    if (end < 0) return `${value[at]}{ … has no closing }`;
    const inner = value.slice(at + 2, end);
    if (inner.trim() === '') return 'an empty expression';
    if (/[$#]\{/.test(inner)) return 'an expression inside an expression';
    i = end + 1;
  }
  if (kinds.size > 1) return 'both ${…} and #{…} in one text';
  return undefined;
}

/** Where a FEEL expression does not parse (undefined when it does). */
export function feelProblem(expression: string): string | undefined {
  let problem: string | undefined;
  feelParser.parse(expression).iterate({
    enter(node) {
      if (problem === undefined && node.type.isError)
        problem = `a syntax error at ${node.from}: ${expression.slice(node.from, node.from + 20) || 'the end'}`;
    },
  });
  return problem;
}

const FORMAL_EXPRESSIONS = new Set(['bpmn:FormalExpression', 'bpmn:Expression']);

/**
 * Our own bpmnlint rule (`telecom/expressions`): the expressions Operaton evaluates are well formed.
 * Every `${…}`/`#{…}` in a camunda attribute, an input/output parameter or a formal expression
 * (condition, timer, loop) is balanced; a condition is either JUEL or FEEL with `language="feel"`
 * that parses; a Zeebe-style `=…` expression (which Operaton would take as text) is refused.
 */
export default function expressions() {
  function check(node: ModdleElement, reporter: Reporter) {
    const at = owningId(node);
    for (const p of node.$descriptor?.properties ?? []) {
      if (p.ns?.prefix !== 'camunda' || p.type !== 'String' || p.isMany) continue;
      const value = node.get(p.name);
      if (typeof value !== 'string') continue;
      const problem = juelProblem(value);
      if (problem) reporter.report(at, `${p.name.replace(/^camunda:/, '')} "${value.slice(0, 80)}": ${problem}`);
    }
    if (!FORMAL_EXPRESSIONS.has(node.$type)) return;
    const body = text(node.body);
    const parent = node.$parent;
    const isCondition = parent?.$type === 'bpmn:SequenceFlow' || parent?.$type === 'bpmn:ConditionalEventDefinition';
    if (!body) {
      if (isCondition) reporter.report(at, 'Condition is empty');
      return;
    }
    const language = node.language?.toLowerCase();
    if (language === 'feel') {
      const problem = feelProblem(body);
      if (problem) reporter.report(at, `FEEL "${body.slice(0, 80)}": ${problem}`);
      return;
    }
    if (language && language !== 'juel') return; // another script language: the deployment checks it
    if (body.startsWith('=')) {
      reporter.report(at, `"${body.slice(0, 80)}" is a Zeebe FEEL expression: write \${…} (JUEL) or set language="feel" without the =`);
      return;
    }
    const problem = juelProblem(body);
    if (problem) reporter.report(at, `"${body.slice(0, 80)}": ${problem}`);
    else if (isCondition && !/^\s*[$#]\{[^]*\}\s*$/.test(body))
      reporter.report(at, `Condition "${body.slice(0, 80)}" is not one expression \${…}`);
  }
  return { check };
}
