import { readFileSync } from 'node:fs';
import { createOperatonClock } from '../engine/operaton-engine.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { completeTask, processCompletedInEngine } from './support/orders.ts';
import { escalationsOf, fault, report, ticket, waitForInstanceTask } from './support/faults.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('fault trouble tickets through the real engine and workers', () => {
  let platform: Platform;
  const clock = createOperatonClock(inject('operatonUrl'));
  beforeAll(async () => {
    platform = await startPlatform();
  });
  // The clock only ever moves forward: later suites see a later "now", never a jump back.
  afterAll(async () => platform?.close());

  it('a wrong-password fault is pre-diagnosed for online resolution and closed without a field visit', async () => {
    // given a hotline fault on an account whose RADIUS rejects the password
    const { ticketId, processInstanceKey } = await report(platform, fault({ account: '0991-HB-100004' }));

    // then pre-diagnosis recommends online resolution and the monitoring center resolves it remotely
    const online = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'resolve-online');
    expect((await ticket(platform, ticketId))?.diagnosis?.category).toBe('auth-failure');
    expect((await completeTask(platform, online.key, { resolvedOnline: true, onlineNote: '已协助客户重置宽带密码' })).statusCode).toBe(204);

    const confirm = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'confirm-recovery');
    await completeTask(platform, confirm.key, { recovered: true });
    const revisit = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'revisit-fault');
    await completeTask(platform, revisit.key, { satisfaction: 10 });

    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    const closed = await eventually(async () => {
      const t = await ticket(platform, ticketId);
      return t?.state === 'closed' ? t : undefined;
    });
    expect(closed.resolution_path).toBe('online');
    expect(closed.repeated).toBe(false);
    expect(await escalationsOf(platform, ticketId)).toEqual([]);
  });

  it('a second fault on the same account within 30 days is flagged as repeated', async () => {
    const { ticketId, processInstanceKey } = await report(platform, fault({ account: '0991-HB-100004', source: 'customer-manager' }));
    const online = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'resolve-online');
    await completeTask(platform, online.key, { resolvedOnline: true });
    const confirm = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'confirm-recovery');
    await completeTask(platform, confirm.key, { recovered: true });
    const revisit = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'revisit-fault');
    await completeTask(platform, revisit.key, { satisfaction: 6 });
    const closed = await eventually(async () => {
      const t = await ticket(platform, ticketId);
      return t?.state === 'closed' ? t : undefined;
    });
    expect(closed.repeated).toBe(true);
  });

  it('a fault the monitoring center cannot resolve online goes to dispatch', async () => {
    const { processInstanceKey } = await report(platform, fault({ account: '0991-HB-100003' }));
    const online = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'resolve-online');
    await completeTask(platform, online.key, { resolvedOnline: false, onlineNote: '客户不在家，无法重启光猫' });
    await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'dispatch-repair');
    await platform.engine.deleteProcessInstance(processInstanceKey);
  });

  it('a line with loss of signal goes to the field; late dispatch, late acceptance and the repair deadline escalate, branch then region', async () => {
    // given a fault on a line whose ONU reports loss of signal (a local-C broadband customer: 48 h to repair)
    const { ticketId, processInstanceKey } = await report(platform, fault({ account: '0991-HB-100002', description: '光猫 LOS 灯红' }));
    const dispatch = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'dispatch-repair');
    expect((await ticket(platform, ticketId))?.diagnosis?.category).toBe('fibre-cut');

    // when nobody dispatches for 15 minutes, the branch's response center is told
    await clock.advance(15 * MINUTE + 10_000);
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 1);
    await completeTask(platform, dispatch.key, { crewGroup: 'install-crew-urc-tianshan', dispatchNote: '天山区解放南路主干光缆' });

    // and when the crew has not accepted within 30 minutes, again
    const accept = await waitForInstanceTask(platform, 'install-crew-urc-tianshan', processInstanceKey, 'accept-repair');
    await clock.advance(30 * MINUTE + 10_000);
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 2);
    await completeTask(platform, accept.key, { arrivalEta: '2026-11-23T10:00' });

    // and before the 48-hour repair deadline (8 h before), then at breach, to the region
    const repair = await waitForInstanceTask(platform, 'install-crew-urc-tianshan', processInstanceKey, 'repair-onsite');
    await clock.advance(40 * HOUR);
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 3);
    await clock.advance(8 * HOUR + MINUTE);
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 4);
    expect(await escalationsOf(platform, ticketId)).toEqual([
      { element_id: 'escalate-dispatch-late-branch', level: 'branch' },
      { element_id: 'escalate-accept-late-branch', level: 'branch' },
      { element_id: 'escalate-repair-deadline-near', level: 'branch' },
      { element_id: 'escalate-repair-deadline-breached', level: 'region' },
    ]);

    // then the repair, a first confirmation that fails (back to dispatch), a second that holds
    await completeTask(platform, repair.key, { faultCause: 'feeder-fibre-cut', repairNote: '熔接主干光缆 2 芯' });
    const firstConfirm = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'confirm-recovery');
    await completeTask(platform, firstConfirm.key, { recovered: false, recoveryNote: '客户反馈仍无法上网' });
    const redispatch = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'dispatch-repair');
    await completeTask(platform, redispatch.key, { crewGroup: 'install-crew-urc-tianshan' });
    const reaccept = await waitForInstanceTask(platform, 'install-crew-urc-tianshan', processInstanceKey, 'accept-repair');
    await completeTask(platform, reaccept.key, { arrivalEta: '2026-11-25T09:00' });
    const rerepair = await waitForInstanceTask(platform, 'install-crew-urc-tianshan', processInstanceKey, 'repair-onsite');
    await completeTask(platform, rerepair.key, { faultCause: 'drop-fibre', repairNote: '更换入户冷接子' });
    const confirm = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'confirm-recovery');
    await completeTask(platform, confirm.key, { recovered: true });
    const revisit = await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'revisit-fault');
    await completeTask(platform, revisit.key, { satisfaction: 7 });

    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    const closed = await eventually(async () => {
      const t = await ticket(platform, ticketId);
      return t?.state === 'closed' ? t : undefined;
    });
    expect(closed.resolution_path).toBe('field');
  });

  it('a dispatch late by 30 minutes and an acceptance late by an hour reach the region; a late recovery confirmation the branch', async () => {
    const { ticketId, processInstanceKey } = await report(
      platform,
      fault({ account: '0991-DL-200001', customer: { name: '某银行', level: 'group' }, service: 'dedicated-line' }),
    );
    const dispatch = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'dispatch-repair');
    await clock.advance(30 * MINUTE + 10_000);
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 2);
    await completeTask(platform, dispatch.key, { crewGroup: 'install-crew-urc-tianshan' });
    const accept = await waitForInstanceTask(platform, 'install-crew-urc-tianshan', processInstanceKey, 'accept-repair');
    await clock.advance(60 * MINUTE + 10_000);
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 4);
    await completeTask(platform, accept.key, { arrivalEta: '2026-12-01T11:00' });
    const repair = await waitForInstanceTask(platform, 'install-crew-urc-tianshan', processInstanceKey, 'repair-onsite');
    await completeTask(platform, repair.key, { faultCause: 'feeder-fibre-cut', repairNote: '熔接' });
    const confirm = await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'confirm-recovery');
    await clock.advance(15 * MINUTE + 10_000);
    await eventually(async () => (await escalationsOf(platform, ticketId)).length === 5);
    // timers due at the same moment may fire in either order
    expect((await escalationsOf(platform, ticketId)).map((e) => `${e.element_id}:${e.level}`).sort()).toEqual([
      'escalate-accept-late-branch:branch',
      'escalate-accept-late-region:region',
      'escalate-confirm-late-branch:branch',
      'escalate-dispatch-late-branch:branch',
      'escalate-dispatch-late-region:region',
    ]);
    await completeTask(platform, confirm.key, { recovered: true });
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'revisit-fault')).key,
      { satisfaction: 5 },
    );
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
  });

  it.each([
    ['broadband', 'group', 20],
    ['broadband', 'province', 24],
    ['voice', 'local-a', 48],
    ['dedicated-line', 'local-c', 48],
    ['800-number', 'group', 12],
    ['800-number', 'local-b', 24],
  ] as const)('the repair deadline of %s for a %s customer is %i hours', async (service, level, hours) => {
    // evaluated as the fault process does, by a business rule task over the ticket's variables (the
    // customer is a JSON object variable, which only an instance's variables carry deserialised)
    await platform.engine.deploy('test-decision-probe', [
      { name: 'decision-probe.bpmn', content: readFileSync(new URL('./fixtures/operaton/decision-probe.bpmn', import.meta.url), 'utf8') },
    ]);
    const probe = await platform.engine.startProcess('test-repair-deadline-probe', { variables: { service, customer: { level } } });
    const { deadline } = await platform.engine.variables(probe.id);
    await platform.engine.deleteProcessInstance(probe.id);
    expect(deadline).toMatchObject({ repairHours: hours });
  });
});
