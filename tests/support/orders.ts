import type { Platform } from './platform.ts';
import { eventually } from './platform.ts';

export const validOrder = (overrides: Record<string, unknown> = {}) => ({
  customer: { name: '张伟', phone: '13800138000', level: 'local-c' },
  address: '乌鲁木齐市天山区解放南路 88 号 3 单元 502',
  grid: 'URC-TS-01',
  product: { code: 'HB-500M', name: '500M 家庭宽带', bandwidthMbps: 500, monthlyFeeCents: 9900 },
  ...overrides,
});

/** What GET /orders/:id answers, as the tests read it. */
export interface OrderView {
  id: string;
  state: string;
  stateReason: string | null;
  processInstanceKey: string;
  processState: string | null;
  product: { code: string; monthlyFeeCents: number };
  currentStages: { elementId: string }[];
  timeline: { elementId: string; name: string | null; state: string; startedAt: string; endedAt: string | null }[];
}

export interface TaskView {
  key: string;
  elementId: string;
  orderId: string | null;
  candidateGroups: string[];
  formId: string | null;
}

/** Waits for the open task of `elementId` for an order in a group's task list (GET /tasks). */
export async function waitForTask(platform: Platform, group: string, orderId: string, elementId: string): Promise<TaskView> {
  return eventually(async () => {
    const res = await platform.app.inject({ method: 'GET', url: `/tasks?group=${encodeURIComponent(group)}` });
    const tasks = res.json() as TaskView[];
    return tasks.find((t) => t.orderId === orderId && t.elementId === elementId);
  });
}

export async function completeTask(platform: Platform, key: string, variables: Record<string, unknown>) {
  return platform.app.inject({ method: 'POST', url: `/tasks/${key}/complete`, payload: { variables } });
}

/** The engine's own exported events for an instance (what the engine did, not our interpretation). */
export async function engineEvents(platform: Platform, processInstanceKey: string) {
  return platform.database.sql<{ intent: string; element_id: string; element_type: string }[]>`
    select intent, record->'value'->>'elementId' as element_id, record->'value'->>'bpmnElementType' as element_type
    from engine_record where process_instance_key = ${processInstanceKey} and value_type = 'PROCESS_INSTANCE' order by position`;
}

export async function processCompletedInEngine(platform: Platform, processInstanceKey: string) {
  const events = await engineEvents(platform, processInstanceKey);
  return events.some((e) => e.element_type === 'PROCESS' && e.intent === 'ELEMENT_COMPLETED');
}
