import { extensions, text, type ModdleElement, type Reporter } from './moddle.ts';

/**
 * Our own bpmnlint rule (`telecom/task-implementation`): what the engine app can run. Our engine
 * holds no business code, so every service and send task is an external task (`camunda:type="external"`)
 * on a topic a worker serves, with its retry count as the extension property `retries`; a business
 * rule task calls a decision; a call activity names the process it calls. Given the topics the
 * workers serve (`{ topics }`, the server's lint reads workers/registry.ts) and the decisions
 * deployed beside the process (`{ decisions }`), an unknown one is refused too.
 */
export default function taskImplementation(config?: { topics?: readonly string[]; decisions?: readonly string[] }) {
  const topics = config?.topics ? new Set(config.topics) : undefined;
  const decisions = config?.decisions ? new Set(config.decisions) : undefined;
  function check(node: ModdleElement, reporter: Reporter) {
    if (node.$type === 'bpmn:ServiceTask' || node.$type === 'bpmn:SendTask') {
      const topic = text(node.get('camunda:topic'));
      if (node.get('camunda:type') !== 'external' || !topic) {
        reporter.report(node.id, 'Task is not an external task with a topic (camunda:type="external" camunda:topic)');
        return;
      }
      if (topics && !topics.has(topic)) reporter.report(node.id, `No worker serves the topic ${topic} (workers/registry.ts)`);
      const retries = extensions(node, 'camunda:Properties')
        .flatMap((p) => (p.get('values') as ModdleElement[] | undefined) ?? [])
        .find((p) => p.get('name') === 'retries');
      const value = text(retries?.get('value'));
      if (!value || !/^\d+$/.test(value) || Number(value) < 1) {
        reporter.report(node.id, 'External task has no retry count (camunda:property name="retries" value="<n ≥ 1>")');
      }
    } else if (node.$type === 'bpmn:BusinessRuleTask') {
      if (node.get('camunda:type') === 'external') return;
      const decision = text(node.get('camunda:decisionRef'));
      if (!decision) reporter.report(node.id, 'Business rule task calls no decision (camunda:decisionRef)');
      else if (decisions && !/[$#]\{/.test(decision) && !decisions.has(decision)) {
        reporter.report(node.id, `Decision ${decision} is not deployed with the processes`);
      }
      if (decision && !text(node.get('camunda:resultVariable'))) {
        reporter.report(node.id, 'Business rule task keeps no result (camunda:resultVariable)');
      }
    } else if (node.$type === 'bpmn:CallActivity') {
      if (!text(node.get('calledElement'))) reporter.report(node.id, 'Call activity names no process (calledElement)');
    }
  }
  return { check };
}
