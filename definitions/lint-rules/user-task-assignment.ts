import { text, type ModdleElement, type Reporter } from './moddle.ts';

/**
 * Our own bpmnlint rule (`telecom/user-task-assignment`): every user task names a candidate group
 * and a form. Without a group the task reaches nobody's task list; without a form the clerk has
 * nothing to fill and the API nothing to validate the completion against. Given the form ids that
 * exist (`{ forms }`, the server's lint reads processes/forms), a form that is not there is refused
 * too. Used by the server's lint before every deployment and by the modeler's problems panel.
 */
export default function userTaskAssignment(config?: { forms?: readonly string[] }) {
  const forms = config?.forms ? new Set(config.forms) : undefined;
  function check(node: ModdleElement, reporter: Reporter) {
    if (node.$type !== 'bpmn:UserTask') return;
    if (!text(node.get('camunda:candidateGroups'))) {
      reporter.report(node.id, 'User task has no candidate group (camunda:candidateGroups)');
    }
    const formRef = text(node.get('camunda:formRef'));
    if (!formRef) reporter.report(node.id, 'User task has no form (camunda:formRef)');
    else if (forms && !forms.has(formRef)) reporter.report(node.id, `User task uses form ${formRef}, which is not in processes/forms`);
  }
  return { check };
}
