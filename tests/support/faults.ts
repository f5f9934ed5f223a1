import { reportFault, type ReportFault } from '../../api/domain/faults/use-cases.ts';
import type { Platform } from './platform.ts';
import { eventually } from './platform.ts';

export const fault = (overrides: Partial<ReportFault> = {}): ReportFault => ({
  account: '0991-HB-100004',
  customer: { name: '王芳', level: 'local-c' },
  service: 'broadband',
  source: 'hotline',
  description: '宽带无法上网',
  ...overrides,
});

export async function report(platform: Platform, f: ReportFault) {
  return reportFault({ fault: f, db: platform.database.db, engine: platform.engine, engineTimeoutMs: 5000 });
}

/** Waits for the open task of `elementId` of a process instance in a group's task list. */
export async function waitForInstanceTask(platform: Platform, group: string, processInstanceKey: string, elementId: string) {
  return eventually(async () => {
    const res = await platform.app.inject({ method: 'GET', url: `/tasks?group=${encodeURIComponent(group)}&limit=500` });
    return (res.json() as { key: string; elementId: string; processInstanceKey: string }[]).find(
      (t) => t.processInstanceKey === processInstanceKey && t.elementId === elementId,
    );
  });
}

export async function ticket(platform: Platform, id: string) {
  const [row] = await platform.database.sql<
    { state: string; resolution_path: string | null; repeated: boolean; diagnosis: { category: string } | null }[]
  >`
    select state, resolution_path, repeated, diagnosis from trouble_ticket where id = ${id}`;
  return row;
}

export async function escalationsOf(platform: Platform, id: string) {
  return platform.database.sql<{ element_id: string; level: string }[]>`
    select element_id, level from escalation where subject_id = ${id} order by id`;
}
