import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deployDefinitions } from '../definitions/deploy.ts';
import { createOperatonClient, fromVariableDtos, toVariableDtos, type Variables } from '../engine/operaton.ts';
import { createOperatonClock } from '../engine/operaton-engine.ts';
import { jobDefinitions } from '../workers/registry.ts';

/**
 * The processes of processes/ on the real engine with scripted outcomes: this suite plays every
 * worker (completing each external task with what its module returns, or its BPMN error) and every
 * clerk, and checks each path reaches its end event. Each worker's input schema is checked against
 * the variables the engine hands it. Tasks are fetched by business key, so nothing else is touched.
 * It moves the engine's clock (escalations, timeouts).
 */
const baseUrl = inject('operatonUrl');
const engine = createOperatonClient({ baseUrl, timeoutMs: 15_000 });
const clock = createOperatonClock(baseUrl);
const rest = `${baseUrl}/engine-rest`;
const WORKER = 'operaton-processes-test';
const started: string[] = [];

/* eslint-disable @typescript-eslint/no-explicit-any -- the engine's REST answers, read loosely */
async function get<T = any>(path: string): Promise<T> {
  const res = await fetch(rest + path);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
async function post(path: string, body: unknown): Promise<any> {
  const res = await fetch(rest + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually<T>(fn: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== null) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}
const at = () => new Date().toISOString();

async function start(processId: string, businessKey: string, variables: Variables) {
  const instance = await engine.startProcess(processId, { businessKey, variables });
  started.push(instance.id);
  return instance.id;
}

type Outcome = Variables | ((input: Variables) => Variables) | { bpmnError: string; variables?: Variables };

/** Plays the worker of `topic` once for the instance(s) of `businessKey`; answers the variables it was given. */
async function work(businessKey: string, topic: string, outcome: Outcome, activityId?: string) {
  const task = await eventually(async () => {
    const tasks = (await post('/external-task/fetchAndLock', {
      workerId: WORKER,
      maxTasks: 1,
      topics: [{ topicName: topic, lockDuration: 30_000, businessKey, deserializeValues: true, includeExtensionProperties: true }],
    })) as any[];
    return tasks[0];
  }, `${topic} for ${businessKey}`);
  if (activityId) expect(task.activityId).toBe(activityId);
  const input = fromVariableDtos(task.variables);
  const definition = jobDefinitions.find((d) => d.type === topic)!;
  const parsed = definition.input.safeParse(input);
  expect(parsed.error, `${topic} at ${task.activityId}: the worker's input`).toBeUndefined();
  expect(Number(task.extensionProperties?.retries)).toBeGreaterThan(0);
  if (typeof outcome === 'object' && 'bpmnError' in outcome) {
    await post(`/external-task/${task.id}/bpmnError`, {
      workerId: WORKER,
      errorCode: outcome.bpmnError,
      variables: toVariableDtos(outcome.variables as Variables | undefined),
    });
  } else {
    const output = typeof outcome === 'function' ? outcome(input) : outcome;
    await post(`/external-task/${task.id}/complete`, { workerId: WORKER, variables: toVariableDtos(output) });
  }
  return { activityId: task.activityId as string, input };
}

/** Completes the user task `key` of `businessKey` as a clerk would; answers it with its candidate groups. */
async function userTask(businessKey: string, key: string, variables: Variables = {}) {
  const task = await eventually(
    async () => (await get<any[]>(`/task?processInstanceBusinessKey=${encodeURIComponent(businessKey)}&taskDefinitionKey=${key}`))[0],
    `user task ${key} for ${businessKey}`,
  );
  const groups = (await get<any[]>(`/task/${task.id}/identity-links?type=candidate`)).map((l) => l.groupId as string);
  expect(groups.length, `${key} has a candidate group`).toBeGreaterThan(0);
  expect(task.due, `${key} has a due date`).toBeTruthy();
  expect(task.operatonFormRef?.key, `${key} has a form`).toBeTruthy();
  for (let attempt = 0; ; attempt++) {
    try {
      await engine.completeTask(task.id, variables);
      break;
    } catch (e) {
      // A timer of the task's boundary firing at the same moment: the clerk tries again.
      if (attempt < 5 && /concurrently|OptimisticLocking/.test(String(e))) await sleep(200);
      else throw e;
    }
  }
  return { ...task, groups } as { id: string; due: string; priority: number; groups: string[]; operatonFormRef: { key: string } };
}

/** The instance ended (all its tokens) at `endId`. */
async function endsAt(instanceId: string, endId: string) {
  const h = await eventually(async () => {
    const found = await get<any>(`/history/process-instance/${instanceId}`);
    return found.state === 'ACTIVE' ? undefined : found;
  }, `instance ${instanceId} to end`);
  expect(h.state).toBe('COMPLETED');
  const ends = await get<any[]>(`/history/activity-instance?processInstanceId=${instanceId}&activityType=noneEndEvent`);
  expect(ends.map((a) => a.activityId)).toContain(endId);
}
async function visits(instanceId: string, activityId: string) {
  return (await get<any[]>(`/history/activity-instance?processInstanceId=${instanceId}&activityId=${activityId}`)).length;
}
/** Waits until the instance waits in `activityId` (a timer or message can then be met). */
async function waitingIn(businessKey: string, activityId: string) {
  await eventually(async () => {
    const list = await get<any[]>(`/history/activity-instance?unfinished=true&activityId=${activityId}`);
    const keys = await Promise.all(list.map(async (a) => (await get<any>(`/process-instance/${a.processInstanceId}`)).businessKey));
    return keys.includes(businessKey) ? true : undefined;
  }, `${businessKey} in ${activityId}`);
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const customer = (level = 'group') => ({ name: 'Zhang San', phone: '13800000000', level });
const product = { code: 'HB-500M', name: '500M', bandwidthMbps: 500, monthlyFeeCents: 9900 };
const port = { olt: 'OLT-1', ponPort: '1/1/1', splitterPort: 3, label: 'OLT-1 1/1/1:3' };
const order = (orderId: string, level = 'group') => ({
  orderId,
  customer: customer(level),
  address: 'Urumqi, Tianshan road 1',
  grid: 'URC-TS-01',
  product,
});
const key = (prefix: string) => `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1000)}`;

describe('the processes on Operaton, with scripted outcomes', () => {
  beforeAll(async () => {
    await deployDefinitions(engine);
  });
  afterAll(async () => {
    for (const id of started) await engine.deleteProcessInstance(id).catch(() => {});
  });

  it('a home-broadband order goes from intake to archive: dispatched to the grid crew by the decision, rectified once, confirmed by the customer', async () => {
    const bk = key('HB');
    const id = await start('home-broadband-new-install', bk, order(bk, 'group'));
    await work(bk, 'intake-order', { intakeAt: at(), product, correctedProductCode: null });
    const review = await userTask(bk, 'review-order', { reviewApproved: true });
    expect([review.groups, review.priority, review.operatonFormRef.key]).toEqual([['order-center'], 90, 'order-review']);
    await work(bk, 'check-resources', { port });
    expect((await userTask(bk, 'make-appointment', { appointmentAt: at() })).groups).toEqual(['install-crew-urc-tianshan']);
    await userTask(bk, 'install-onsite', { onuSerial: 'ONU-1', fibreMeters: 10, opticalPowerDbm: -20 });
    await work(bk, 'activate-service', { billingStartedAt: at() });
    await userTask(bk, 'quality-check', { qualityPassed: false });
    await userTask(bk, 'rectify-install', { rectificationNote: 'fixed' });
    await userTask(bk, 'quality-check', { qualityPassed: true });
    await waitingIn(bk, 'await-confirmation');
    expect(await engine.correlateMessage({ messageName: 'customer-confirmed', businessKey: bk })).toBe('correlated');
    await userTask(bk, 'revisit', { satisfaction: 9 });
    const { input } = await work(bk, 'close-order', { closedAt: at() });
    expect(input.outcome).toBe('completed');
    await endsAt(id, 'order-archived');
  });

  it('a review left without a decision rejects the order (a missing checkbox is false, as in FEEL)', async () => {
    const bk = key('HB-REJ');
    const id = await start('home-broadband-new-install', bk, order(bk, 'local-b'));
    await work(bk, 'intake-order', { intakeAt: at(), product, correctedProductCode: null });
    expect((await userTask(bk, 'review-order', {})).priority).toBe(60);
    expect((await work(bk, 'close-order', { closedAt: at() })).input.outcome).toBe('rejected');
    await endsAt(id, 'order-rejected');
  });

  it('an order without a free port closes as insufficient resources (BPMN error on the resource check)', async () => {
    const bk = key('HB-NORES');
    const id = await start('home-broadband-new-install', bk, order(bk, 'local-c'));
    await work(bk, 'intake-order', { intakeAt: at(), product, correctedProductCode: null });
    await userTask(bk, 'review-order', { reviewApproved: true });
    await work(bk, 'check-resources', { bpmnError: 'INSUFFICIENT_RESOURCES', variables: { insufficientResources: { grid: 'URC-TS-01' } } });
    expect((await work(bk, 'close-order', { closedAt: at() })).input.outcome).toBe('insufficient-resources');
    await endsAt(id, 'order-closed-no-resources');
  });

  it('an error order unresolved for 4 hours escalates to the county; corrected, it goes back to intake', async () => {
    const bk = key('HB-ERR');
    const id = await start('home-broadband-new-install', bk, order(bk));
    await work(bk, 'intake-order', {
      bpmnError: 'ORDER_DATA_INCONSISTENT',
      variables: { errorOrder: { reason: 'not on sale', productCode: 'HB-1' } },
    });
    await waitingIn(bk, 'fix-error-order');
    await clock.advance(4 * 3600_000 + 1000);
    const { input } = await work(bk, 'escalate', { escalatedAt: at() }, 'escalate-abnormal-county');
    expect([input.subjectId, input.level]).toEqual([bk, 'county']);
    await userTask(bk, 'fix-error-order', { errorResolution: 'corrected', correctedProductCode: 'HB-500M' });
    expect((await work(bk, 'intake-order', { bpmnError: 'ORDER_DATA_INCONSISTENT' })).input.correctedProductCode).toBe('HB-500M');
    await userTask(bk, 'fix-error-order', { errorResolution: 'cancel', errorNote: 'withdrawn' });
    expect((await work(bk, 'close-order', { closedAt: at() })).input.outcome).toBe('cancelled');
    await endsAt(id, 'order-error-cancelled');
  });

  it('a customer cancelling after the port was reserved gets it released (compensation) and the order closed as cancelled', async () => {
    const bk = key('HB-CANCEL');
    const id = await start('home-broadband-new-install', bk, order(bk));
    await work(bk, 'intake-order', { intakeAt: at(), product, correctedProductCode: null });
    await userTask(bk, 'review-order', { reviewApproved: true });
    await work(bk, 'check-resources', { port });
    await waitingIn(bk, 'make-appointment');
    expect(
      await engine.correlateMessage({ messageName: 'order-cancelled', businessKey: bk, processVariables: { cancellationReason: 'moved' } }),
    ).toBe('correlated');
    const release = await work(bk, 'release-resources', { releasedPorts: 1 });
    expect([release.activityId, release.input.orderId]).toEqual(['release-resources', bk]);
    const { input } = await work(bk, 'close-order', { closedAt: at() });
    expect([input.outcome, input.cancellationReason]).toEqual(['cancelled', 'moved']);
    await endsAt(id, 'order-cancelled');
  });

  it('a fault repaired on site escalates a late dispatch and the repair deadline the decision set (800 number, group: 12 h)', async () => {
    const bk = key('FT');
    const id = await start('fault-trouble-ticket', bk, {
      ticketId: bk,
      account: 'ACC-1',
      customer: { name: 'Li', level: 'group' },
      service: '800-number',
      source: 'hotline',
      description: 'no tone',
    });
    const diagnosis = {
      category: 'optical',
      recommendedAction: 'field',
      summary: 's',
      answeredSources: [],
      missingSources: [],
      elapsedMs: 5,
    };
    await work(bk, 'prediagnose-fault', {
      diagnosis,
      account: 'ACC-1',
      service: '800-number',
      correctedAccount: null,
      correctedService: null,
    });
    const variables = await engine.variables(id);
    const due = new Date(String(variables.repairDueAt));
    expect(Math.abs(due.getTime() - (await clock.now()).getTime() - 12 * 3600_000)).toBeLessThan(120_000);
    expect(Math.abs(due.getTime() - new Date(String(variables.repairWarnAt)).getTime() - 2 * 3600_000)).toBeLessThan(1000);
    await waitingIn(bk, 'dispatch-repair');
    await clock.advance(16 * 60_000);
    await work(bk, 'escalate', { escalatedAt: at() }, 'escalate-dispatch-late-branch');
    await userTask(bk, 'dispatch-repair', { crewGroup: 'install-crew-urc-midong' });
    expect((await userTask(bk, 'accept-repair', { arrivalEta: at() })).groups).toEqual(['install-crew-urc-midong']);
    const repair = await eventually(
      async () => (await engine.tasks({ processInstanceId: id, taskDefinitionKey: 'repair-onsite' }))[0],
      'repair',
    );
    expect(new Date(repair.due!).getTime()).toBe(due.getTime());
    await clock.advance(due.getTime() - (await clock.now()).getTime() + 1000);
    await work(bk, 'escalate', { escalatedAt: at() }, 'escalate-repair-deadline-near');
    await work(bk, 'escalate', { escalatedAt: at() }, 'escalate-repair-deadline-breached');
    await userTask(bk, 'repair-onsite', { faultCause: 'fibre', repairNote: 'spliced' });
    await userTask(bk, 'confirm-recovery', { recovered: true });
    await userTask(bk, 'revisit-fault', { satisfaction: 8 });
    expect((await work(bk, 'close-ticket', { closedAt: at(), repeatedFault: false })).input.crewGroup).toBe('install-crew-urc-midong');
    await endsAt(id, 'ticket-closed');
  });

  it("a complaint needing a visit goes to the crew of the line's grid (the guide and the routing decisions)", async () => {
    const bk = key('CP');
    const id = await start('complaint', bk, {
      complaintId: bk,
      account: 'ACC-1',
      customer: { name: 'Wang', level: 'local-a' },
      category: 'slow-speed',
      description: 'slow',
    });
    const handling = await userTask(bk, 'handle-complaint', { handlingOutcome: 'field-visit', handlingNote: 'visit' });
    expect([handling.groups, handling.priority]).toEqual([['customer-response-center'], 70]);
    const { input } = await work(bk, 'generate-complaint-dispatch', {
      dispatchInfo: { text: 'go', grid: 'XA-YT-03', line: 'L1', priority: 'normal' },
      account: 'ACC-1',
      correctedAccount: null,
    });
    expect((input.guide as { resolutionHours: number }).resolutionHours).toBe(48);
    expect((await userTask(bk, 'complaint-field-visit', { visitResult: 'fixed' })).groups).toEqual(['install-crew-xa-yanta']);
    await userTask(bk, 'reply-customer', { replyNote: 'ok', customerSatisfied: true });
    await work(bk, 'close-complaint', { closedAt: at() });
    await endsAt(id, 'complaint-closed');
  });

  it('a relocation calls the shared processes with its business key; no port at the new address refuses another', async () => {
    const change = (changeId: string) => ({
      changeId,
      orderId: `ORD-${changeId}`,
      customer: customer('province'),
      address: 'Urumqi 1',
      grid: 'URC-TS-01',
      product,
      changeType: 'relocation',
      newAddress: 'Xian 5',
      newGrid: 'XA-YT-01',
    });
    const bk = key('CH');
    const id = await start('home-broadband-change', bk, change(bk));
    await work(bk, 'verify-change', { verifiedPort: 'P1', newProduct: null, correctedProductCode: null });
    expect((await work(bk, 'check-resources', { port })).input).toMatchObject({ grid: 'XA-YT-01', orderId: `ORD-${bk}` });
    expect((await userTask(bk, 'fw-appointment', {})).groups).toEqual(['install-crew-xa-yanta']);
    await userTask(bk, 'fw-onsite', { workDone: 'moved' });
    await work(bk, 'release-previous-ports', { releasedPorts: 1 });
    expect((await work(bk, 'change-billing', { billingChangedAt: at() })).input).toMatchObject({ billingAction: 'change', product });
    expect((await work(bk, 'close-change', { changeClosedAt: at() })).input.changeOutcome).toBe('done');
    await endsAt(id, 'change-done');
    const called = await get<{ businessKey: string }[]>(`/history/process-instance?superProcessInstanceId=${id}`);
    expect(called.map((c) => c.businessKey)).toEqual([bk, bk, bk]);

    const refused = key('CH-NORES');
    const refusedId = await start('home-broadband-change', refused, change(refused));
    await work(refused, 'verify-change', { verifiedPort: 'P1', newProduct: null, correctedProductCode: null });
    await work(refused, 'check-resources', { bpmnError: 'INSUFFICIENT_RESOURCES' });
    expect((await work(refused, 'close-change', { changeClosedAt: at() })).input.changeOutcome).toBe('refused');
    await endsAt(refusedId, 'relocation-refused');
  });

  const line = (lineOrderId: string) => ({
    lineOrderId,
    customer: { name: 'Bank', level: 'group' },
    service: 'internet-line',
    aEnd: { address: 'urumqi road 1', branch: 'urumqi', grid: 'URC-TS-01', contact: 'Ma' },
    zEnd: { address: 'xian road 1', branch: 'xian', grid: 'XA-YT-01', contact: 'Ma' },
    protectionLevel: 'standard',
    circuits: 1,
    monthlyFeeCents: 100000,
  });
  const planned = async (bk: string) => {
    const id = await start('enterprise-line-new-install', bk, line(bk));
    await userTask(bk, 'survey', { surveyReport: 'ok' });
    await userTask(bk, 'design', { designSolution: 'd', constructionDays: 5 });
    await userTask(bk, 'accept-line-order', { orderAccepted: true });
    await work(bk, 'plan-line-construction', (v) => ({
      workPackages: [
        { branch: 'urumqi', grid: 'URC-TS-01', ends: 'A' },
        { branch: 'xian', grid: 'XA-YT-01', ends: 'Z' },
      ],
      crossBranch: true,
      aEnd: v.aEnd,
      zEnd: v.zEnd,
      correctedAEndGrid: null,
      correctedZEndGrid: null,
    }));
    return id;
  };
  const records = { equipmentRecord: 'e', uplinkRecord: 'u', fibreJumperRecord: 'f', materialsRecord: 'm', constructionPhotoRefs: 'p' };

  it('an enterprise line across two branches runs both branches in parallel, each with its resource check, then goes into service', async () => {
    const bk = key('EL');
    const id = await planned(bk);
    const grids = [(await work(bk, 'check-resources', { port })).input.grid, (await work(bk, 'check-resources', { port })).input.grid];
    expect(grids.sort()).toEqual(['URC-TS-01', 'XA-YT-01']);
    const groups = [(await userTask(bk, 'construction', records)).groups, (await userTask(bk, 'construction', records)).groups].flat();
    expect(groups.sort()).toEqual(['construction-urumqi', 'construction-xian']);
    await userTask(bk, 'activation-test', { opticalPowerDbm: -20, measuredSpeedMbps: 100, testPassed: true });
    await userTask(bk, 'customer-acceptance', { customerAccepted: true, customerAcceptanceRef: 'r' });
    expect((await userTask(bk, 'handover-maintenance', { handoverRecordRef: 'h' })).groups).toEqual(['maintenance-urumqi']);
    await work(bk, 'start-line-billing', { billingStartedAt: at() });
    await work(bk, 'record-line-in-inventory', { inInventoryAt: at() });
    await endsAt(id, 'line-in-service');
  });

  it('an enterprise line cancelled during branch work has its ports released (compensation of the plan) and nothing left running', async () => {
    const bk = key('EL-CANCEL');
    const id = await planned(bk);
    await work(bk, 'check-resources', { port });
    await waitingIn(bk, 'construction');
    expect(
      await engine.correlateMessage({
        messageName: 'line-order-cancelled',
        businessKey: bk,
        processVariables: { cancellationReason: 'budget' },
      }),
    ).toBe('correlated');
    const release = await work(bk, 'release-resources', { releasedPorts: 1 });
    expect([release.activityId, release.input.orderId]).toEqual(['release-line-resources', bk]);
    expect((await work(bk, 'close-line-order', { closedAt: at() })).input.lineOutcome).toBe('cancelled');
    await endsAt(id, 'line-order-cancelled');
    expect(await get(`/process-instance?businessKey=${bk}`)).toEqual([]);
  });

  it("a month's acceptance accepts each line in its own instance: a record completed by the response center, a line rectified and re-inspected", async () => {
    const month = '2031-03';
    const bk = key(`acceptance-${month}`);
    const id = await start('acceptance-handover', bk, { month });
    const lines = [
      { lineId: 'L1', customer: 'Bank', branch: 'urumqi', service: 'internet-line' },
      { lineId: 'L2', customer: 'Bank', branch: 'xian', service: 'internet-line' },
    ];
    const due = new Date((await clock.now()).getTime() + 20 * 86400_000).toISOString();
    await work(bk, 'list-lines-for-acceptance', { month, lines, acceptanceDueAt: due });
    const withEnds = (v: Variables) => ({ line: { ...(v.line as object), aEnd: 'A', zEnd: 'Z' } });
    await work(bk, 'check-line-inventory-data', withEnds);
    await work(bk, 'check-line-inventory-data', {
      bpmnError: 'LINE_INVENTORY_DATA_MISSING',
      variables: { errorOrder: { reason: 'no customer' } },
    });
    await userTask(bk, 'fix-error-line-data', { errorResolution: 'corrected' });
    await work(bk, 'check-line-inventory-data', withEnds);
    const onsite = [(await userTask(bk, 'onsite-acceptance', { documentRefs: 'd', photoRefs: 'p' })).groups];
    onsite.push((await userTask(bk, 'onsite-acceptance', { documentRefs: 'd', photoRefs: 'p' })).groups);
    expect(onsite.flat().sort()).toEqual(['acceptance-urumqi', 'acceptance-xian']);
    for (const task of await engine.tasks({ processInstanceId: id, taskDefinitionKey: 'review-acceptance' })) {
      const own = (await get<{ value: { lineId: string } }>(`/task/${task.id}/variables/line`)).value;
      await engine.completeTask(task.id, own.lineId === 'L2' ? { compliant: false, findings: 'photos missing' } : { compliant: true });
    }
    expect((await work(bk, 'record-acceptance', { rectifiedOnTime: null })).input).toMatchObject({
      rectifications: 0,
      line: { lineId: 'L1' },
    });
    expect((await work(bk, 'compute-rectification-due', { rectificationDueAt: due })).input.workingDays).toBe(7);
    expect((await userTask(bk, 'rectify-line', { rectificationNote: 'added' })).groups).toEqual(['acceptance-xian']);
    await userTask(bk, 'reinspect-line', { compliant: true });
    expect((await work(bk, 'record-acceptance', { rectifiedOnTime: true })).input).toMatchObject({
      rectifications: 1,
      line: { lineId: 'L2' },
    });
    await work(bk, 'score-branch-acceptance', { scores: [] });
    await endsAt(id, 'batch-done');
    expect(await visits(id, 'accept-each-line')).toBeGreaterThanOrEqual(2);
  });
});
