/**
 * Our own bpmnlint rule (`telecom/user-task-assignment`): every user task names a candidate group
 * and a form. Without a group the task reaches nobody's task list; without a form the clerk has
 * nothing to fill and the API nothing to validate the completion against. Used by the server's
 * lint before every deployment and by the modeler's problems panel.
 */

interface ModdleElement {
  $type: string;
  id?: string;
  extensionElements?: { values?: ModdleElement[] };
  candidateGroups?: string;
  formId?: string;
  formKey?: string;
  externalReference?: string;
}

interface Reporter {
  report(id: string | undefined, message: string): void;
}

export default function userTaskAssignment() {
  function check(node: ModdleElement, reporter: Reporter) {
    if (node.$type !== 'bpmn:UserTask') return;
    const extensions = node.extensionElements?.values ?? [];
    const assignment = extensions.find((e) => e.$type === 'zeebe:AssignmentDefinition');
    if (!assignment?.candidateGroups?.trim()) {
      reporter.report(node.id, 'User task has no candidate group (zeebe:assignmentDefinition candidateGroups)');
    }
    const form = extensions.find((e) => e.$type === 'zeebe:FormDefinition');
    if (!(form?.formId || form?.formKey || form?.externalReference)) {
      reporter.report(node.id, 'User task has no form (zeebe:formDefinition formId)');
    }
  }
  return { check };
}
