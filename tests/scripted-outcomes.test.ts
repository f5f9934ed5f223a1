import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reportComplaint } from '../api/domain/complaints/use-cases.ts';
import { reportFault } from '../api/domain/faults/use-cases.ts';
import { cancelLineOrder, commissionLine } from '../api/domain/lines/use-cases.ts';
import { completeTask, engineEvents, processCompletedInEngine, validOrder, waitForTask } from './support/orders.ts';
import { fault } from './support/faults.ts';
import { waitForInstanceTask } from './support/faults.ts';
import { eventually, startInstance, startPlatform, type Platform } from './support/platform.ts';
import { scriptedWorkers } from './support/scripted-workers.ts';
import { ACCEPTANCE_KINDS, CONSTRUCTION_KINDS, uploadPhotos } from './support/evidence.ts';

/** Every process once with scripted job outcomes (no real worker runs here). */
describe('each process walked with scripted job outcomes', () => {
  let platform: Platform;
  let workers: Awaited<ReturnType<typeof scriptedWorkers>> | undefined;
  beforeAll(async () => {
    platform = await startPlatform({ workers: false });
  });
  afterEach(() => {
    workers?.close();
    workers = undefined;
  });
  afterAll(async () => platform?.close());

  const completedElements = async (instance: string) =>
    (await engineEvents(platform, instance)).filter((e) => e.event === 'end').map((e) => e.element_id);
  const product = { code: 'HB-500M', name: '500M', bandwidthMbps: 500, monthlyFeeCents: 9900 };

  it('home broadband: a scripted INSUFFICIENT_RESOURCES takes the error path whatever the inventory says', async () => {
    workers = await scriptedWorkers(platform.engine, {
      'intake-order': { complete: { intakeAt: 'now', product, correctedProductCode: null } },
      'check-resources': { error: 'INSUFFICIENT_RESOURCES' },
      'close-order': { complete: { closedAt: 'now' } },
    });
    const order = (await platform.app.inject({ method: 'POST', url: '/orders', payload: validOrder() })).json() as {
      id: string;
      processInstanceKey: string;
    };
    await completeTask(platform, (await waitForTask(platform, 'order-center', order.id, 'review-order')).key, { reviewApproved: true });
    await eventually(() => processCompletedInEngine(platform, order.processInstanceKey));
    expect(await completedElements(order.processInstanceKey)).toEqual(
      expect.arrayContaining(['no-resources', 'close-insufficient', 'order-closed-no-resources']),
    );
    expect(workers.ran).toEqual(['intake-order', 'check-resources', 'close-order']);
  });

  it('fault: a scripted field diagnosis, whatever the network systems would say', async () => {
    workers = await scriptedWorkers(platform.engine, {
      'prediagnose-fault': {
        complete: {
          diagnosis: {
            category: 'fibre-cut',
            recommendedAction: 'field',
            summary: 'scripted',
            answeredSources: [],
            missingSources: [],
            elapsedMs: 1,
          },
        },
      },
      'close-ticket': { complete: { closedAt: 'now', repeatedFault: false } },
    });
    const { processInstanceKey } = await reportFault({
      fault: fault({ account: '0991-HB-100006' }),
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    await completeTask(platform, (await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'dispatch-repair')).key, {
      crewGroup: 'install-crew-urc-shayibake',
    });
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'install-crew-urc-shayibake', processInstanceKey, 'accept-repair')).key,
      { arrivalEta: '2026-12-01T09:00' },
    );
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'install-crew-urc-shayibake', processInstanceKey, 'repair-onsite')).key,
      { faultCause: 'other', repairNote: 'scripted' },
    );
    await completeTask(platform, (await waitForInstanceTask(platform, 'monitoring-center', processInstanceKey, 'confirm-recovery')).key, {
      recovered: true,
    });
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'revisit-fault')).key,
      { satisfaction: 9 },
    );
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual(['prediagnose-fault', 'close-ticket']);
  });

  it('complaint: scripted dispatch information sends the visit to the grid it names', async () => {
    workers = await scriptedWorkers(platform.engine, {
      'generate-complaint-dispatch': { complete: { dispatchInfo: { text: 'scripted', grid: 'XA-YT-01', line: 'x', priority: 'normal' } } },
      'close-complaint': { complete: { closedAt: 'now' } },
    });
    const { processInstanceKey } = await reportComplaint({
      complaint: {
        account: '0991-HB-100001',
        customer: { name: '测试', level: 'local-c' },
        category: 'frequent-disconnection',
        description: 'scripted',
      },
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'handle-complaint')).key,
      {
        handlingOutcome: 'field-visit',
        handlingNote: 'scripted',
      },
    );
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'install-crew-xa-yanta', processInstanceKey, 'complaint-field-visit')).key,
      { visitResult: 'ok' },
    );
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'reply-customer')).key,
      { replyNote: 'ok' },
    );
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual(['generate-complaint-dispatch', 'close-complaint']);
  });

  it('acceptance: a scripted list of one line in a test branch, accepted first time', async () => {
    workers = await scriptedWorkers(platform.engine, {
      'list-lines-for-acceptance': {
        complete: {
          month: '2030-01',
          lines: [{ lineId: 'L-SCRIPTED', customer: 'x', branch: 'scripted', service: 'internet-line' }],
          acceptanceDueAt: '2030-02-25T10:00:00Z',
        },
      },
      'check-line-inventory-data': {
        complete: { line: { lineId: 'L-SCRIPTED', customer: 'x', branch: 'scripted', service: 'internet-line', aEnd: 'a', zEnd: 'z' } },
      },
      'record-acceptance': { complete: { rectifiedOnTime: null } },
      'score-branch-acceptance': { complete: { scores: [] } },
    });
    const { processInstanceKey } = await startInstance(platform, {
      bpmnProcessId: 'acceptance-handover',
      variables: { month: '2030-01' },
    });
    const onsite = (await waitForInstanceTask(platform, 'acceptance-scripted', processInstanceKey, 'onsite-acceptance')).key;
    await uploadPhotos(platform, onsite, ACCEPTANCE_KINDS);
    await completeTask(platform, onsite, { documentRefs: 'd', photoRefs: 'p' });
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'review-acceptance')).key,
      { compliant: true },
    );
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual(['list-lines-for-acceptance', 'check-line-inventory-data', 'record-acceptance', 'score-branch-acceptance']);
  });

  it('enterprise line: a scripted plan of two packages is built by both branches, whatever the addresses say', async () => {
    workers = await scriptedWorkers(platform.engine, {
      'plan-line-construction': {
        complete: {
          workPackages: [
            { branch: 'urumqi', grid: 'URC-TS-01', ends: 'A' },
            { branch: 'xian', grid: 'XA-YT-01', ends: 'Z' },
          ],
          crossBranch: true,
        },
      },
      'check-resources': { complete: { port: { olt: 'o', ponPort: 'p', splitterPort: 1, label: 'scripted' } } },
      'start-line-billing': { complete: { billingStartedAt: 'now' } },
      'record-line-in-inventory': { complete: { inInventoryAt: 'now' } },
    });
    const { processInstanceKey } = await commissionLine({
      commission: {
        customer: { name: 'x', level: 'province' },
        service: 'internet-line',
        aEnd: { address: '乌鲁木齐市天山区', branch: 'urumqi', grid: 'URC-TS-01', contact: 'a' },
        zEnd: { address: '乌鲁木齐市天山区', branch: 'urumqi', grid: 'URC-TS-01', contact: 'b' },
        protectionLevel: 'standard',
        circuits: 1,
        monthlyFeeCents: 100,
      },
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    await completeTask(platform, (await waitForInstanceTask(platform, 'design-institute', processInstanceKey, 'survey')).key, {
      surveyReport: 's',
    });
    await completeTask(platform, (await waitForInstanceTask(platform, 'design-institute', processInstanceKey, 'design')).key, {
      designSolution: 'd',
      constructionDays: 3,
    });
    await completeTask(platform, (await waitForInstanceTask(platform, 'order-center', processInstanceKey, 'accept-line-order')).key, {
      orderAccepted: true,
    });
    const records = { equipmentRecord: 'e', uplinkRecord: 'u', fibreJumperRecord: 'f', materialsRecord: 'm', constructionPhotoRefs: 'p' };
    // the script says two branches though both ends are in Urumqi: the model follows the plan
    for (const group of ['construction-xian', 'construction-urumqi']) {
      const { key } = await waitForInstanceTask(platform, group, processInstanceKey, 'construction');
      await uploadPhotos(platform, key, CONSTRUCTION_KINDS);
      await completeTask(platform, key, records);
    }
    await completeTask(platform, (await waitForInstanceTask(platform, 'construction-urumqi', processInstanceKey, 'activation-test')).key, {
      opticalPowerDbm: -20,
      measuredSpeedMbps: 100,
      testPassed: true,
    });
    await completeTask(platform, (await waitForInstanceTask(platform, 'customer-manager', processInstanceKey, 'customer-acceptance')).key, {
      customerAccepted: true,
      customerAcceptanceRef: 'r',
    });
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'maintenance-urumqi', processInstanceKey, 'handover-maintenance')).key,
      { handoverRecordRef: 'h' },
    );
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran.filter((t) => t === 'check-resources')).toHaveLength(2);
  });

  it('change: a scripted billing change and closing walk the product-change path', async () => {
    workers = await scriptedWorkers(platform.engine, {
      'verify-change': { complete: { verifiedPort: 'scripted', newProduct: product, correctedProductCode: null } },
      'change-billing': { complete: { billingChangedAt: 'now' } },
      'close-change': { complete: { changeClosedAt: 'now' } },
    });
    const { processInstanceKey } = await startInstance(platform, {
      bpmnProcessId: 'home-broadband-change',
      variables: {
        changeId: 'CH-SCRIPTED',
        orderId: 'HB-SCRIPTED',
        changeType: 'product-change',
        newProduct: product,
        product,
        grid: 'URC-TS-01',
        address: 'x',
        customer: { name: 'x', phone: '1', level: 'local-c' },
      },
    });
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual(['verify-change', 'change-billing', 'close-change']);
    expect(await completedElements(processInstanceKey)).toEqual(
      expect.arrayContaining(['billing-new-product', 'close-change', 'change-done']),
    );
  });
  // Error and abnormal orders: whatever the data says, a scripted BPMN error from the checking step
  // opens the error-order task; the center first says "corrected" (the step runs again and fails
  // again), then cancels, which closes the record through the model's cancel path.
  const correctThenCancel = async (group: string, instance: string, elementId: string, correction: Record<string, unknown> = {}) => {
    const first = await waitForInstanceTask(platform, group, instance, elementId);
    expect((await completeTask(platform, first.key, { errorResolution: 'corrected', ...correction })).statusCode).toBe(204);
    const second = await eventually(async () => {
      const t = await waitForInstanceTask(platform, group, instance, elementId);
      return t.key !== first.key ? t : undefined;
    });
    expect((await completeTask(platform, second.key, { errorResolution: 'cancel', errorNote: 'scripted' })).statusCode).toBe(204);
  };
  /** A scripted completion that also records the variables the model passed to the job. */
  const recording = (seen: Record<string, unknown>[], complete: Record<string, unknown>) => (variables: Record<string, unknown>) => {
    seen.push(variables);
    return { complete };
  };

  it('fault: a scripted TICKET_DATA_INCONSISTENT opens an error ticket for the response center; corrected, then cancelled', async () => {
    const closing: Record<string, unknown>[] = [];
    workers = await scriptedWorkers(platform.engine, {
      'prediagnose-fault': { error: 'TICKET_DATA_INCONSISTENT' },
      'close-ticket': recording(closing, { closedAt: 'now', repeatedFault: false }),
    });
    const { processInstanceKey } = await reportFault({
      fault: fault({ account: '0991-HB-100001' }),
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    await correctThenCancel('customer-response-center', processInstanceKey, 'fix-error-ticket', { correctedAccount: '0991-HB-100002' });
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual(['prediagnose-fault', 'prediagnose-fault', 'close-ticket']);
    expect(closing[0]).toMatchObject({ ticketOutcome: 'cancelled', correctedAccount: '0991-HB-100002', errorNote: 'scripted' });
    expect(await completedElements(processInstanceKey)).toEqual(
      expect.arrayContaining(['ticket-data-inconsistent', 'merge-prediagnosis', 'close-error-ticket', 'error-ticket-cancelled']),
    );
  });

  it('complaint: a scripted COMPLAINT_DATA_INCONSISTENT on the visit opens an error complaint; corrected, then cancelled', async () => {
    const closing: Record<string, unknown>[] = [];
    workers = await scriptedWorkers(platform.engine, {
      'generate-complaint-dispatch': { error: 'COMPLAINT_DATA_INCONSISTENT' },
      'close-complaint': recording(closing, { closedAt: 'now' }),
    });
    const { processInstanceKey } = await reportComplaint({
      complaint: {
        account: '0991-HB-100001',
        customer: { name: '测试', level: 'local-c' },
        category: 'slow-speed',
        description: 'scripted',
      },
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    await completeTask(
      platform,
      (await waitForInstanceTask(platform, 'customer-response-center', processInstanceKey, 'handle-complaint')).key,
      { handlingOutcome: 'field-visit', handlingNote: 'scripted' },
    );
    await correctThenCancel('customer-response-center', processInstanceKey, 'fix-error-complaint');
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual(['generate-complaint-dispatch', 'generate-complaint-dispatch', 'close-complaint']);
    expect(closing[0]).toMatchObject({ complaintOutcome: 'cancelled' });
    expect(await completedElements(processInstanceKey)).toEqual(
      expect.arrayContaining(['complaint-data-inconsistent', 'error-complaint-cancelled']),
    );
  });

  it('change: a scripted CHANGE_DATA_INCONSISTENT opens an error change for the order center; corrected, then cancelled', async () => {
    const closing: Record<string, unknown>[] = [];
    workers = await scriptedWorkers(platform.engine, {
      'verify-change': { error: 'CHANGE_DATA_INCONSISTENT' },
      'close-change': recording(closing, { changeClosedAt: 'now' }),
    });
    const { processInstanceKey } = await startInstance(platform, {
      bpmnProcessId: 'home-broadband-change',
      variables: {
        changeId: 'CH-SCRIPTED-ERROR',
        orderId: 'HB-SCRIPTED',
        changeType: 'product-change',
        newProduct: product,
        product,
        grid: 'URC-TS-01',
        address: 'x',
        customer: { name: 'x', phone: '1', level: 'local-c' },
      },
    });
    await correctThenCancel('order-center', processInstanceKey, 'fix-error-change', { correctedProductCode: 'HB-300M' });
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual(['verify-change', 'verify-change', 'close-change']);
    expect(closing[0]).toMatchObject({ changeOutcome: 'cancelled' });
    expect(await completedElements(processInstanceKey)).toEqual(
      expect.arrayContaining(['change-data-inconsistent', 'error-change-cancelled']),
    );
  });

  const lineCommission = {
    customer: { name: 'x', level: 'province' },
    service: 'internet-line',
    aEnd: { address: '乌鲁木齐市天山区', branch: 'urumqi', grid: 'URC-TS-01', contact: 'a' },
    zEnd: { address: '乌鲁木齐市天山区', branch: 'urumqi', grid: 'URC-TS-01', contact: 'b' },
    protectionLevel: 'standard',
    circuits: 1,
    monthlyFeeCents: 100,
  } as const;
  const designAndAcceptLine = async (processInstanceKey: string) => {
    await completeTask(platform, (await waitForInstanceTask(platform, 'design-institute', processInstanceKey, 'survey')).key, {
      surveyReport: 's',
    });
    await completeTask(platform, (await waitForInstanceTask(platform, 'design-institute', processInstanceKey, 'design')).key, {
      designSolution: 'd',
      constructionDays: 3,
    });
    await completeTask(platform, (await waitForInstanceTask(platform, 'order-center', processInstanceKey, 'accept-line-order')).key, {
      orderAccepted: true,
    });
  };

  it('enterprise line: a scripted LINE_ORDER_DATA_INCONSISTENT opens an error order for the order center; corrected, then cancelled', async () => {
    const closing: Record<string, unknown>[] = [];
    workers = await scriptedWorkers(platform.engine, {
      'plan-line-construction': { error: 'LINE_ORDER_DATA_INCONSISTENT' },
      'close-line-order': recording(closing, { closedAt: 'now' }),
    });
    const { processInstanceKey } = await commissionLine({
      commission: lineCommission,
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    await designAndAcceptLine(processInstanceKey);
    await correctThenCancel('order-center', processInstanceKey, 'fix-error-line', { correctedZEndGrid: 'URC-SY-01' });
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual(['plan-line-construction', 'plan-line-construction', 'close-line-order']);
    expect(closing[0]).toMatchObject({ lineOutcome: 'cancelled' });
    expect(await completedElements(processInstanceKey)).toEqual(expect.arrayContaining(['line-data-inconsistent', 'error-line-cancelled']));
  });

  it('enterprise line: a customer cancellation during construction compensates the plan (scripted release) and closes the order', async () => {
    const released: Record<string, unknown>[] = [];
    const closing: Record<string, unknown>[] = [];
    workers = await scriptedWorkers(platform.engine, {
      'plan-line-construction': { complete: { workPackages: [{ branch: 'urumqi', grid: 'URC-TS-01', ends: 'A+Z' }], crossBranch: false } },
      'check-resources': { complete: { port: { olt: 'o', ponPort: 'p', splitterPort: 1, label: 'scripted' } } },
      'release-resources': recording(released, { releasedPorts: 1 }),
      'close-line-order': recording(closing, { closedAt: 'now' }),
    });
    const { lineOrderId, processInstanceKey } = await commissionLine({
      commission: lineCommission,
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    await designAndAcceptLine(processInstanceKey);
    await waitForInstanceTask(platform, 'construction-urumqi', processInstanceKey, 'construction');
    await cancelLineOrder({
      lineOrderId,
      reason: 'scripted',
      db: platform.database.db,
      engine: platform.engine,
      engineTimeoutMs: 5000,
    });
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual(['plan-line-construction', 'check-resources', 'release-resources', 'close-line-order']);
    expect(released[0]).toMatchObject({ orderId: lineOrderId });
    expect(closing[0]).toMatchObject({ lineOutcome: 'cancelled', cancellationReason: 'scripted' });
    expect(await completedElements(processInstanceKey)).toEqual(
      expect.arrayContaining(['line-cancel-requested', 'release-line-resources', 'undo-line-reservations', 'line-order-cancelled']),
    );
  });

  it('acceptance: a scripted LINE_INVENTORY_DATA_MISSING opens an abnormal line for the response center; corrected, then withdrawn', async () => {
    workers = await scriptedWorkers(platform.engine, {
      'list-lines-for-acceptance': {
        complete: {
          month: '2030-02',
          lines: [{ lineId: 'L-SCRIPTED-MISSING', customer: 'x', branch: 'scripted', service: 'internet-line' }],
          acceptanceDueAt: '2030-03-25T10:00:00Z',
        },
      },
      'check-line-inventory-data': { error: 'LINE_INVENTORY_DATA_MISSING' },
      'score-branch-acceptance': { complete: { scores: [] } },
    });
    const { processInstanceKey } = await startInstance(platform, {
      bpmnProcessId: 'acceptance-handover',
      variables: { month: '2030-02' },
    });
    await correctThenCancel('customer-response-center', processInstanceKey, 'fix-error-line-data');
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(workers.ran).toEqual([
      'list-lines-for-acceptance',
      'check-line-inventory-data',
      'check-line-inventory-data',
      'score-branch-acceptance',
    ]);
    const completed = await completedElements(processInstanceKey);
    expect(completed).toEqual(expect.arrayContaining(['line-data-missing', 'error-line-data-cancelled', 'batch-done']));
    expect(completed).not.toContain('onsite-acceptance');
  });
});
