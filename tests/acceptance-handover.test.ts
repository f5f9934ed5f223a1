import { createOperatonClock } from '../engine/operaton-engine.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAcceptanceBatch } from '../api/domain/acceptance/use-cases.ts';
import { chinaDate, createBusinessCalendar } from '../calendar/business-calendar.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import { computeRectificationDue } from '../workers/job-types/compute-rectification-due.ts';
import { acceptanceDue, previousMonth } from '../workers/job-types/list-lines-for-acceptance.ts';
import { completeTask, engineEvents, processCompletedInEngine } from './support/orders.ts';
import { ACCEPTANCE_KINDS, uploadPhotos } from './support/evidence.ts';
import { eventually, silentLog, startPlatform, type Platform } from './support/platform.ts';

interface TaskView {
  key: string;
  elementId: string;
  processInstanceKey: string;
  dueDate: string | null;
}

describe('monthly acceptance and handover of enterprise lines', () => {
  let platform: Platform;
  const clock = createOperatonClock(inject('operatonUrl'));
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => platform?.close());

  const open = async (group: string, instance: string, elementId: string) =>
    ((await platform.app.inject({ method: 'GET', url: `/tasks?group=${group}&limit=500` })).json() as TaskView[]).filter(
      (t) => t.processInstanceKey === instance && t.elementId === elementId,
    );
  const waitForOne = (group: string, instance: string, elementId: string, except: string[] = []) =>
    eventually(async () => (await open(group, instance, elementId)).find((t) => !except.includes(t.key)));

  it("October's lines are accepted by their branches; a non-compliant line is rectified within 7 working days; each branch is scored", async () => {
    const { processInstanceKey: batch } = await startAcceptanceBatch({
      month: '2026-10',
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });

    // Xi'an's one line: accepted on site, compliant at review
    const xianAcceptance = await waitForOne('acceptance-xian', batch, 'onsite-acceptance');
    expect(new Date(xianAcceptance.dueDate!).toISOString()).toBe('2026-11-25T10:00:00.000Z'); // the 25th, 18:00 Beijing time
    // the signed forms must be photographed and uploaded first
    expect((await completeTask(platform, xianAcceptance.key, { documentRefs: 'DOC-XA-0001-1..4' })).statusCode).toBe(422);
    await uploadPhotos(platform, xianAcceptance.key, ACCEPTANCE_KINDS);
    await completeTask(platform, xianAcceptance.key, { documentRefs: 'DOC-XA-0001-1..4', photoRefs: 'IMG-XA-0001-01..06' });
    const xianReview = await waitForOne('customer-response-center', batch, 'review-acceptance');
    await completeTask(platform, xianReview.key, { compliant: true, spotChecked: true });

    // Urumqi's two lines, one after the other: the first compliant, the second not
    const [first, second] = await eventually(async () => {
      const tasks = await open('acceptance-urumqi', batch, 'onsite-acceptance');
      return tasks.length === 2 ? tasks : undefined;
    });
    await uploadPhotos(platform, first!.key, ACCEPTANCE_KINDS);
    await completeTask(platform, first!.key, { documentRefs: 'DOC-URC-A', photoRefs: 'IMG-URC-A' });
    const firstReview = await waitForOne('customer-response-center', batch, 'review-acceptance', [xianReview.key]);
    await completeTask(platform, firstReview.key, { compliant: true });
    await uploadPhotos(platform, second!.key, ACCEPTANCE_KINDS);
    await completeTask(platform, second!.key, { documentRefs: 'DOC-URC-B', photoRefs: 'IMG-URC-B' });
    const secondReview = await waitForOne('customer-response-center', batch, 'review-acceptance', [xianReview.key, firstReview.key]);
    const reviewedAt = await clock.now();
    await completeTask(platform, secondReview.key, { compliant: false, findings: '尾纤未绑扎，标签缺失' });

    // the rectification is due 7 working days later by the business calendar
    const rectify = await waitForOne('acceptance-urumqi', batch, 'rectify-line');
    expect(chinaDate(new Date(rectify.dueDate!))).toBe(chinaDate(createBusinessCalendar().addWorkingDays(reviewedAt, 7)));
    await completeTask(platform, rectify.key, { rectificationNote: '已绑扎尾纤并补贴标签' });
    const reinspect = await waitForOne('customer-response-center', batch, 'reinspect-line');
    await completeTask(platform, reinspect.key, { compliant: true });

    // the batch ends with each branch's score
    await eventually(() => processCompletedInEngine(platform, batch));
    const scores = await platform.database
      .sql`select branch, lines, passed_first_time, rectified_on_time, score from acceptance_score where month = '2026-10' order by branch`;
    expect(scores).toEqual([
      { branch: 'urumqi', lines: 2, passed_first_time: 1, rectified_on_time: 1, score: 75 },
      { branch: 'xian', lines: 1, passed_first_time: 1, rectified_on_time: 0, score: 100 },
    ]);
    const recorded = await platform.database
      .sql`select line_id, rectifications from line_acceptance where month = '2026-10' order by line_id`;
    expect(recorded.map((r) => r.line_id)).toEqual(['DL-URC-0001', 'DL-URC-0002', 'DL-XA-0001']);
    expect(recorded.map((r) => r.rectifications).sort()).toEqual([0, 0, 1]);
  });

  it('a rectification over 7 working days across National Day and its make-up Saturday is due on 14 October', async () => {
    const deps = createWorkerDependencies(platform.database.db);
    const result = await computeRectificationDue.handler({
      variables: { rectificationFrom: new Date('2026-09-29T09:30:00+08:00'), workingDays: 7 },
      job: {
        key: '1',
        type: 'compute-rectification-due',
        processInstanceKey: '1',
        elementInstanceKey: '1',
        elementId: 'rectification-due',
        bpmnProcessId: 'acceptance-handover',
        retries: 3,
        idempotencyKey: 'x',
      },
      deps,
      log: silentLog,
    });
    expect(result.rectificationDueAt).toBe('2026-10-14T01:30:00.000Z');
  });

  it('the list and due date follow the China calendar month', () => {
    expect(previousMonth(new Date('2026-12-05T01:00:00Z'))).toBe('2026-11');
    expect(previousMonth(new Date('2027-01-04T17:00:00Z'))).toBe('2026-12'); // 01:00 on 5 Jan in Beijing
    expect(acceptanceDue('2026-12')).toBe('2027-01-25T10:00:00.000Z');
  });

  it('material not uploaded by the 25th escalates to the branch, a rectification not done in 7 working days to the region', async () => {
    // given a line of its own (a branch no other suite uses) put into inventory in June 2025
    await platform.database.sql`
      insert into enterprise_line (line_id, customer, branch, service, a_end, z_end, in_inventory_at)
      values ('DL-TEST-LATE', '某测试客户', 'late-branch', 'internet-line', 'A', 'Z', '2025-06-10T10:00:00+08:00')
      on conflict do nothing`;
    const { processInstanceKey: batch } = await startAcceptanceBatch({
      month: '2025-06',
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    const escalated = () =>
      platform.database.sql<{ element_id: string; level: string }[]>`
        select element_id, level from escalation where subject_id = 'DL-TEST-LATE' and process_instance_key = ${batch} order by id`;

    // its material was due on 25 July 2025, long past by the engine's clock: the branch is told at once
    const acceptance = await waitForOne('acceptance-late-branch', batch, 'onsite-acceptance');
    await eventually(async () => (await escalated()).length === 1);
    expect(await escalated()).toEqual([{ element_id: 'escalate-late-material', level: 'branch' }]);

    // a non-compliant line not rectified within 7 working days goes to the region
    await uploadPhotos(platform, acceptance.key, ACCEPTANCE_KINDS);
    await completeTask(platform, acceptance.key, { documentRefs: 'DOC-LATE', photoRefs: 'IMG-LATE' });
    await completeTask(platform, (await waitForOne('customer-response-center', batch, 'review-acceptance')).key, {
      compliant: false,
      findings: '缺少竣工资料',
    });
    await waitForOne('acceptance-late-branch', batch, 'rectify-line');
    await clock.advance(12 * 24 * 3_600_000);
    await eventually(async () => (await escalated()).length === 2);
    expect((await escalated())[1]).toEqual({ element_id: 'escalate-late-rectification', level: 'region' });
    await platform.engine.deleteProcessInstance(batch);
  });

  it('starts by itself on the 5th of the month, for the month before', async () => {
    const now = await clock.now();
    const [y, m] = chinaDate(now).split('-').map(Number) as [number, number];
    // the next 5th, 01:00 UTC (09:00 in Beijing)
    let fifth = new Date(Date.UTC(y, m - 1, 5, 1, 0, 0));
    if (fifth <= now) fifth = new Date(Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 5, 1, 0, 0));
    await clock.advance(fifth.getTime() - now.getTime() + 60_000);

    const started = await eventually(async () => {
      const rows = await platform.database.sql<{ process_instance_key: string }[]>`
        select process_instance_key from process_instance where bpmn_process_id = 'acceptance-handover' and started_at >= ${new Date(fifth.getTime() - 1000).toISOString()}::timestamptz`;
      return rows[0];
    });
    // it lists the lines of the month before (by the engine's clock): one acceptance task per line, or nothing to accept
    const lines = await createWorkerDependencies(platform.database.db).acceptance.linesPutIntoInventory(previousMonth(fifth));
    if (lines.length > 0) {
      await eventually(async () => {
        const tasks = [
          ...(await open('acceptance-urumqi', started.process_instance_key, 'onsite-acceptance')),
          ...(await open('acceptance-xian', started.process_instance_key, 'onsite-acceptance')),
        ];
        return tasks.length === lines.length;
      });
    } else {
      await eventually(async () => {
        const events = await engineEvents(platform, started.process_instance_key);
        return events.some((e) => e.element_id === 'nothing-to-accept' && e.event === 'end');
      });
    }
    await platform.engine.deleteProcessInstance(started.process_instance_key).catch(() => undefined);
  });
});
