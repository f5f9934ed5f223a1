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
  dueDate: string | null;
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

/**
 * What the engine did with an instance's elements, from the engine's own events (engine_event,
 * written in the engine's transactions), not from our read model: `start`, `end` (completed) or
 * `cancel` (an element ended without completing: interrupted by a boundary event, cancelled).
 */
export async function engineEvents(platform: Platform, processInstanceKey: string) {
  return platform.database.sql<{ event: 'start' | 'end' | 'cancel'; element_id: string; element_type: string }[]>`
    select case when event_type = 'start' then 'start' when (payload->>'canceled')::boolean then 'cancel' else 'end' end as event,
           payload->>'activityId' as element_id, payload->>'activityType' as element_type
    from engine_event
    where process_instance_id = ${processInstanceKey} and kind = 'activity-instance' and event_type in ('start', 'end')
    order by tx_id, id`;
}

/** Whether the engine completed the instance (ended normally, not cancelled). */
export async function processCompletedInEngine(platform: Platform, processInstanceKey: string) {
  const [row] = await platform.database.sql<{ n: number }[]>`
    select count(*)::int as n from engine_event
    where process_instance_id = ${processInstanceKey} and kind = 'process-instance' and event_type = 'end' and payload->>'state' = 'COMPLETED'`;
  return row!.n > 0;
}
