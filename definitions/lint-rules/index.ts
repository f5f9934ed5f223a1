import userTaskAssignment from './user-task-assignment.ts';

/** The rules of our bpmnlint plugin `telecom` (rule names as configs refer to them: `telecom/<name>`). */
export const TELECOM_RULES: Record<string, () => { check: (node: never, reporter: never) => void }> = {
  'user-task-assignment': userTaskAssignment,
};

export const TELECOM_PLUGIN = 'bpmnlint-plugin-telecom';

/**
 * Camunda 8.9, the version the platform is meant to run on, plus our own rules: what the modeler's
 * problems panel shows and what `npm run lint:bpmn` checks besides the engine's own rules.
 */
export const TARGET_LINT_CONFIG = {
  extends: ['bpmnlint:recommended', 'plugin:camunda-compat/camunda-cloud-8-9'],
  rules: { 'telecom/user-task-assignment': 'error' },
};
