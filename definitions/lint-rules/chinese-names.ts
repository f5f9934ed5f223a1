import { extensions, text, type ModdleElement, type Reporter } from './moddle.ts';

const CJK = /[\u3400-\u9fff]/;

/** What people see on the diagram and in their task lists, timelines and tracking pages. */
const MUST_BE_NAMED =
  /^bpmn:(Process|\w*Task|SubProcess|CallActivity|StartEvent|EndEvent|BoundaryEvent|IntermediateCatchEvent|IntermediateThrowEvent)$/;
const MAY_BE_NAMED = /^bpmn:(\w*Gateway|SequenceFlow)$/;

/**
 * Our own bpmnlint rule (`telecom/chinese-names`): our users read Chinese. Every process, task,
 * sub-process, call activity and event is named in Chinese, and so is every gateway or flow that
 * carries a label; the English name for the language switch is the extension property `name.en`.
 */
export default function chineseNames() {
  function check(node: ModdleElement, reporter: Reporter) {
    const must = MUST_BE_NAMED.test(node.$type);
    if (!must && !MAY_BE_NAMED.test(node.$type)) return;
    const name = text(node.get('name'));
    if (!name) {
      if (must) reporter.report(node.id, 'Element has no name (名称): people see it in their task lists and timelines');
      return;
    }
    if (!CJK.test(name)) reporter.report(node.id, `Name "${name}" has no Chinese: name it in Chinese, keep the English as name.en`);
    const english = extensions(node, 'camunda:Properties')
      .flatMap((p) => (p.get('values') as ModdleElement[] | undefined) ?? [])
      .find((p) => p.get('name') === 'name.en');
    if (!text(english?.get('value')))
      reporter.report(node.id, `"${name}" has no English name (extension property name.en) for the language switch`);
  }
  return { check };
}
