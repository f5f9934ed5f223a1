import chineseNames from './chinese-names.ts';
import expressions from './expressions.ts';
import taskImplementation from './task-implementation.ts';
import userTaskAssignment from './user-task-assignment.ts';

/** The rules of our bpmnlint plugin `telecom` (rule names as configs refer to them: `telecom/<name>`). */
export const TELECOM_RULES: Record<string, (config?: never) => { check: (node: never, reporter: never) => void }> = {
  'user-task-assignment': userTaskAssignment,
  'task-implementation': taskImplementation,
  expressions,
  'chinese-names': chineseNames,
};

export const TELECOM_PLUGIN = 'bpmnlint-plugin-telecom';

/**
 * What processes are checked against (the same as the repository's `.bpmnlintrc`): bpmnlint's
 * recommended rules, the Camunda 7 compatibility rules of the Operaton we run with a history time to
 * live required on every process, and our own rules. The modeler's problems panel shows these; the
 * server's lint (definitions/lint.ts) also hands our rules what only the repository knows (the
 * workers' topics, the forms and decisions that exist).
 */
export const TARGET_LINT_CONFIG = {
  extends: ['bpmnlint:recommended', 'plugin:camunda-compat/camunda-platform-7-24'],
  rules: {
    'camunda-compat/history-time-to-live': 'error',
    'telecom/user-task-assignment': 'error',
    'telecom/task-implementation': 'error',
    'telecom/expressions': 'error',
    'telecom/chinese-names': 'warn',
  },
};
