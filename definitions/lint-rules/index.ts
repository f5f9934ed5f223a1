import userTaskAssignment from './user-task-assignment.ts';

/** The rules of our bpmnlint plugin `telecom` (rule names as configs refer to them: `telecom/<name>`). */
export const TELECOM_RULES: Record<string, () => { check: (node: never, reporter: never) => void }> = {
  'user-task-assignment': userTaskAssignment,
};

export const TELECOM_PLUGIN = 'bpmnlint-plugin-telecom';
