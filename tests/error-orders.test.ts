import { createOperatonClock } from '../engine/operaton-engine.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAcceptanceBatch } from '../api/domain/acceptance/use-cases.ts';
import { requestChange } from '../api/domain/changes/use-cases.ts';
import { reportComplaint } from '../api/domain/complaints/use-cases.ts';
import { cancelLineOrder, commissionLine } from '../api/domain/lines/use-cases.ts';
import type { ChangeRequest } from '../contracts/change.ts';
import type { LineCommission } from '../contracts/enterprise-line.ts';
import { orders } from '../db/schema.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import { completeTask, engineEvents, processCompletedInEngine } from './support/orders.ts';
import { fault, report, ticket, waitForInstanceTask } from './support/faults.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Error and abnormal orders (错单 / 异常单) with the real workers: each process's checking step finds
 * data that does not match inventory or CRM, the responsible center gets an error-order task, the
 * engine's clock drives the county → branch → region escalations, and a correction lets the
 * process go on (or a cancellation closes the record).
 */
describe('error and abnormal orders in every process', () => {
  let platform: Platform;
  const clock = createOperatonClock(inject('operatonUrl'));
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => platform?.close());

  const engine = { engineTimeoutMs: 5000 };
  const deps = () => createWorkerDependencies(platform.database.db);
  const escalations = (subject: string) =>
    platform.database.sql<{ element_id: string; level: string }[]>`
      select element_id, level from escalation where subject_id = ${subject} order by id`;
  /** The reason the checking step gave, as the engine recorded the errorOrder variable. */
  const errorReason = (instance: string) =>
    eventually(async () => {
      const [row] = await platform.database.sql<{ value: unknown }[]>`
        select payload->'value' as value from engine_event
        where kind = 'variable' and process_instance_id = ${instance} and payload->>'name' = 'errorOrder'
        order by tx_id desc, id desc limit 1`;
      return row ? (row.value as unknown as { reason?: string } | null)?.reason : undefined;
    });
  /** Moves the engine's clock past each escalation timer in turn: county, then branch, then region. */
  const escalatesCountyBranchRegion = async (subject: string, infix: string, [county, branch, region]: [number, number, number]) => {
    await clock.advance(county + MINUTE);
    await eventually(async () => (await escalations(subject)).length === 1);
    await clock.advance(branch - county);
    await eventually(async () => (await escalations(subject)).length === 2);
    await clock.advance(region - branch);
    await eventually(async () => (await escalations(subject)).length === 3);
    expect(await escalations(subject)).toEqual([
      { element_id: `escalate-abnormal-${infix}-county`, level: 'county' },
      { element_id: `escalate-abnormal-${infix}-branch`, level: 'branch' },
      { element_id: `escalate-abnormal-${infix}-region`, level: 'region' },
    ]);
  };
  const task = (group: string, instance: string, elementId: string) => waitForInstanceTask(platform, group, instance, elementId);

  describe('fault trouble tickets (response center; 30 min, 1 h, 2 h)', () => {
    it('a fault on an account the inventory does not know is an error ticket that escalates county, branch, region, and is pre-diagnosed again once corrected', async () => {
      const { ticketId, processInstanceKey } = await report(platform, fault({ account: '0991-HB-999404' }));
      const fix = await task('customer-response-center', processInstanceKey, 'fix-error-ticket');
      expect(await errorReason(processInstanceKey)).toBe(
        '账号 0991-HB-999404 在资源系统中没有接入线路 / Account 0991-HB-999404 has no access line in the resource inventory.',
      );

      await escalatesCountyBranchRegion(ticketId, 'ticket', [30 * MINUTE, HOUR, 2 * HOUR]);

      // the response center finds the customer's real account: pre-diagnosis runs on it
      await completeTask(platform, fix.key, {
        errorResolution: 'corrected',
        correctedAccount: '0991-HB-100004',
        errorNote: '客户报错账号',
      });
      await task('monitoring-center', processInstanceKey, 'resolve-online');
      expect(
        await platform.database.sql`select account, diagnosis->>'category' as category from trouble_ticket where id = ${ticketId}`,
      ).toEqual([{ account: '0991-HB-100004', category: 'auth-failure' }]);
      await platform.engine.deleteProcessInstance(processInstanceKey);
    });

    it('an error ticket raised again after a correction keeps its escalation clock: no level twice, the next at its first time', async () => {
      const { ticketId, processInstanceKey } = await report(platform, fault({ account: '0991-HB-999405' }));
      const first = await task('customer-response-center', processInstanceKey, 'fix-error-ticket');
      const firstDue = (await platform.engine.task(first.key))?.due;
      await clock.advance(30 * MINUTE + MINUTE);
      await eventually(async () => (await escalations(ticketId)).length === 1);

      // a correction that is still wrong: pre-diagnosis raises the error ticket again, 31 min into it
      expect(
        (
          await completeTask(platform, first.key, {
            errorResolution: 'corrected',
            correctedAccount: '0991-HB-999406',
            errorNote: '客户再报账号',
          })
        ).statusCode,
      ).toBe(204);
      const again = await eventually(async () => {
        const t = await task('customer-response-center', processInstanceKey, 'fix-error-ticket');
        return t.key !== first.key ? t : undefined;
      });
      // due when the first one was, not 30 min from now
      expect((await platform.engine.task(again.key))?.due).toBe(firstDue);
      // the county moment has passed: its timer fires at once, and the county is not escalated a second time
      await eventually(async () => {
        const ended = (await engineEvents(platform, processInstanceKey)).filter(
          (e) => e.element_id === 'escalate-abnormal-ticket-county' && e.event === 'end',
        );
        return ended.length === 2 || undefined;
      });
      expect((await escalations(ticketId)).map((e) => e.level)).toEqual(['county']);

      // the branch follows 1 h after the first error (29 min after the second), not 1 h after the second
      await clock.advance(30 * MINUTE);
      await eventually(async () => (await escalations(ticketId)).length === 2);
      expect((await escalations(ticketId)).map((e) => e.level)).toEqual(['county', 'branch']);

      // corrected for good: pre-diagnosis runs on the real account, and a later error would start a clock of its own
      await completeTask(platform, again.key, {
        errorResolution: 'corrected',
        correctedAccount: '0991-HB-100004',
        errorNote: '核实正确账号',
      });
      await task('monitoring-center', processInstanceKey, 'resolve-online');
      expect((await platform.engine.variables(processInstanceKey)).errorOrderSince ?? null).toBeNull();
      await platform.engine.deleteProcessInstance(processInstanceKey);
    });

    it('a broadband fault reported on a dedicated line is an error ticket; cancelled by the response center, the ticket is closed as cancelled', async () => {
      const { ticketId, processInstanceKey } = await report(
        platform,
        fault({ account: '0991-DL-200001', customer: { name: '某银行', level: 'group' }, service: 'broadband' }),
      );
      const fix = await task('customer-response-center', processInstanceKey, 'fix-error-ticket');
      expect(await errorReason(processInstanceKey)).toContain('carries dedicated-line');
      await completeTask(platform, fix.key, { errorResolution: 'cancel', errorNote: '重复报障，已有专线故障单' });
      await eventually(() => processCompletedInEngine(platform, processInstanceKey));
      expect((await ticket(platform, ticketId))?.state).toBe('cancelled');
      // and the customer is told why, in the response center's words
      const status = (await platform.app.inject({ method: 'GET', url: `/status/${ticketId}` })).json() as { stateReason: string | null };
      expect(status.stateReason).toBe('经核实报障信息有误，工单已撤销：重复报障，已有专线故障单');
    });
  });

  describe('complaints (response center; 2 h, 4 h, 8 h)', () => {
    const complain = (account: string) =>
      reportComplaint({
        complaint: {
          account,
          customer: { name: '陈静', level: 'local-b' },
          category: 'frequent-disconnection',
          description: '每天晚上掉线',
        },
        db: platform.database.db,
        engine: platform.engine,
        ...engine,
      });
    const askForVisit = async (instance: string) =>
      completeTask(platform, (await task('customer-response-center', instance, 'handle-complaint')).key, {
        handlingOutcome: 'field-visit',
        handlingNote: '远程查看无异常，需上门',
      });

    it('a visit for an account without a line goes back to the response center as an error complaint, escalates, and is dispatched to the corrected line’s grid', async () => {
      const { complaintId, processInstanceKey } = await complain('0991-HB-888404');
      await askForVisit(processInstanceKey);
      const fix = await task('customer-response-center', processInstanceKey, 'fix-error-complaint');
      expect(await errorReason(processInstanceKey)).toContain('Account 0991-HB-888404 has no access line');

      await escalatesCountyBranchRegion(complaintId, 'complaint', [2 * HOUR, 4 * HOUR, 8 * HOUR]);

      await completeTask(platform, fix.key, { errorResolution: 'corrected', correctedAccount: '0991-HB-100003' });
      await task('install-crew-urc-tianshan', processInstanceKey, 'complaint-field-visit');
      const [row] = await platform.database.sql<{ account: string; grid: string }[]>`
        select account, dispatch_info->>'grid' as grid from complaint where id = ${complaintId}`;
      expect(row).toEqual({ account: '0991-HB-100003', grid: 'URC-TS-02' });
      await platform.engine.deleteProcessInstance(processInstanceKey);
    });

    it('an error complaint the response center cancels is closed as cancelled', async () => {
      const { complaintId, processInstanceKey } = await complain('0991-HB-777404');
      await askForVisit(processInstanceKey);
      const fix = await task('customer-response-center', processInstanceKey, 'fix-error-complaint');
      await completeTask(platform, fix.key, { errorResolution: 'cancel', errorNote: '非本网用户' });
      await eventually(() => processCompletedInEngine(platform, processInstanceKey));
      expect(await platform.database.sql`select state, state_reason from complaint where id = ${complaintId}`).toEqual([
        { state: 'cancelled', state_reason: 'Cancelled as an error complaint: 非本网用户' },
      ]);
    });
  });

  describe('changes to home-broadband lines (order center; 4 h, 8 h, 24 h)', () => {
    /** Given: an order in the order table, and (or not) its port in the resource inventory. */
    const orderOnRecord = async ({ state = 'completed', withPort = true }: { state?: string; withPort?: boolean } = {}) => {
      const [order] = await platform.database.db
        .insert(orders)
        .values({
          customerName: '孙丽',
          customerPhone: '13700137000',
          customerLevel: 'local-c',
          address: '乌鲁木齐市沙依巴克区西北路 18 号',
          grid: 'URC-SY-02',
          product: { code: 'HB-300M', name: '300M 家庭宽带', bandwidthMbps: 300, monthlyFeeCents: 6900 },
          state,
        })
        .returning();
      if (withPort) await deps().inventory.reservePort({ grid: 'URC-SY-02', orderId: order!.id, reservationKey: `install:${order!.id}` });
      return order!;
    };
    const change = (orderId: string, c: ChangeRequest) =>
      requestChange({ orderId, change: c, db: platform.database.db, engine: platform.engine, ...engine });
    const changeState = (id: string) =>
      eventually(async () => {
        const [row] = await platform.database.sql<{ state: string }[]>`select state from service_change where id = ${id}`;
        return row?.state !== 'requested' ? row?.state : undefined;
      });
    const billing = (orderId: string) =>
      platform.database.sql`select action, product_code, monthly_fee_cents from billing_change where order_id = ${orderId} order by id`;

    it('a cancellation of a line the inventory holds no port for is an error change that escalates; once the inventory records the port it goes ahead', async () => {
      const order = await orderOnRecord({ withPort: false });
      const { changeId, processInstanceKey } = await change(order.id, { changeType: 'formal-cancellation' });
      const fix = await task('order-center', processInstanceKey, 'fix-error-change');
      expect(await errorReason(processInstanceKey)).toBe(
        `资源系统中没有订单 ${order.id} 的端口，线路未登记为在用 / The inventory holds no port for order ${order.id}: the line is not recorded as in service.`,
      );

      await escalatesCountyBranchRegion(changeId, 'change', [4 * HOUR, 8 * HOUR, 24 * HOUR]);

      // resource management records the line's port; the order center says it is corrected
      await deps().inventory.reservePort({ grid: 'URC-SY-02', orderId: order.id, reservationKey: `backfill:${order.id}` });
      await completeTask(platform, fix.key, { errorResolution: 'corrected', errorNote: '资源系统已补录端口' });
      expect(await changeState(changeId)).toBe('done');
      expect(await platform.database.sql`select 1 from resource_port where order_id = ${order.id}`).toEqual([]);
      expect(await billing(order.id)).toEqual([{ action: 'stop', product_code: 'HB-300M', monthly_fee_cents: 0 }]);
    });

    it('a product change to a product no longer on sale is corrected by the order center and billed at the catalogue’s fee', async () => {
      const order = await orderOnRecord();
      const { changeId, processInstanceKey } = await change(order.id, {
        changeType: 'product-change',
        newProduct: { code: 'HB-50M', name: '50M', bandwidthMbps: 50, monthlyFeeCents: 100 },
      });
      const fix = await task('order-center', processInstanceKey, 'fix-error-change');
      expect(await errorReason(processInstanceKey)).toBe(
        '产品 HB-50M 不在产品目录中或已停售 / Product HB-50M is not in the catalogue or no longer on sale.',
      );
      await completeTask(platform, fix.key, { errorResolution: 'corrected', correctedProductCode: 'HB-1000M' });
      expect(await changeState(changeId)).toBe('done');
      expect(await billing(order.id)).toEqual([{ action: 'change', product_code: 'HB-1000M', monthly_fee_cents: 12900 }]);
    });

    it('a change to an order not yet installed, cancelled by the order center, is closed as cancelled', async () => {
      const order = await orderOnRecord({ state: 'inProgress' });
      const { changeId, processInstanceKey } = await change(order.id, { changeType: 'terminal-repair', symptom: '光猫不亮' });
      const fix = await task('order-center', processInstanceKey, 'fix-error-change');
      expect(await errorReason(processInstanceKey)).toContain('is inProgress, not an installed line');
      await completeTask(platform, fix.key, { errorResolution: 'cancel', errorNote: '装机未完成，转装机单处理' });
      expect(await changeState(changeId)).toBe('cancelled');
      expect(await platform.database.sql`select state_reason from service_change where id = ${changeId}`).toEqual([
        { state_reason: 'Cancelled as an error change: 装机未完成，转装机单处理' },
      ]);
    });
  });

  describe('enterprise dedicated lines (order center; 4 h, 8 h, 24 h)', () => {
    const commission = (zGrid: string): LineCommission => ({
      customer: { name: '某物流集团', level: 'province' },
      service: 'internet-line',
      aEnd: { address: '乌鲁木齐市天山区光明路 20 号', branch: 'urumqi', grid: 'URC-TS-01', contact: '马工 13999990011' },
      zEnd: { address: '西安市雁塔区科技路 40 号', branch: 'xian', grid: zGrid, contact: '赵工 13899990012' },
      protectionLevel: 'enhanced',
      circuits: 1,
      monthlyFeeCents: 560_000,
    });
    const commissionedAndAccepted = async (zGrid: string) => {
      const started = await commissionLine({
        commission: commission(zGrid),
        db: platform.database.db,
        engine: platform.engine,
        ...engine,
      });
      const instance = started.processInstanceKey;
      await completeTask(platform, (await task('design-institute', instance, 'survey')).key, { surveyReport: '两端具备条件' });
      await completeTask(platform, (await task('design-institute', instance, 'design')).key, {
        designSolution: 'MSTP 2M',
        constructionDays: 10,
      });
      await completeTask(platform, (await task('order-center', instance, 'accept-line-order')).key, { orderAccepted: true });
      return started;
    };
    const lineState = async (id: string) =>
      (await platform.database.sql<{ state: string }[]>`select state from line_order where id = ${id}`)[0]?.state;

    it('a line whose Z-end grid the inventory does not know is an error order that escalates; with the grid corrected both branches build', async () => {
      const { lineOrderId, processInstanceKey } = await commissionedAndAccepted('XA-ZZ-09');
      const fix = await task('order-center', processInstanceKey, 'fix-error-line');
      expect(await errorReason(processInstanceKey)).toContain('no Z-end grid XA-ZZ-09');
      expect(await platform.database.sql`select 1 from resource_port where order_id = ${lineOrderId}`).toEqual([]);

      await escalatesCountyBranchRegion(lineOrderId, 'line', [4 * HOUR, 8 * HOUR, 24 * HOUR]);

      await completeTask(platform, fix.key, { errorResolution: 'corrected', correctedZEndGrid: 'XA-YT-01', errorNote: '网格填错' });
      await Promise.all([
        task('construction-urumqi', processInstanceKey, 'construction'),
        task('construction-xian', processInstanceKey, 'construction'),
      ]);
      const ports = await platform.database.sql<
        { grid: string }[]
      >`select grid from resource_port where order_id = ${lineOrderId} order by grid`;
      expect(ports.map((p) => p.grid)).toEqual(['URC-TS-01', 'XA-YT-01']);
      expect(await platform.database.sql`select z_end->>'grid' as grid from line_order where id = ${lineOrderId}`).toEqual([
        { grid: 'XA-YT-01' },
      ]);
      expect(await lineState(lineOrderId)).toBe('inProgress');

      // the customer then cancels: both branches' ports are released
      await cancelLineOrder({ lineOrderId, reason: undefined, db: platform.database.db, engine: platform.engine, ...engine });
      await eventually(async () => (await lineState(lineOrderId)) === 'cancelled');
      expect(await platform.database.sql`select 1 from resource_port where order_id = ${lineOrderId}`).toEqual([]);
    });

    it('an error line order the order center cancels is closed as cancelled', async () => {
      const { lineOrderId, processInstanceKey } = await commissionedAndAccepted('XA-ZZ-08');
      const fix = await task('order-center', processInstanceKey, 'fix-error-line');
      await completeTask(platform, fix.key, { errorResolution: 'cancel', errorNote: '客户撤回' });
      await eventually(() => processCompletedInEngine(platform, processInstanceKey));
      expect(await lineState(lineOrderId)).toBe('cancelled');
      expect(await platform.database.sql`select state_reason from line_order where id = ${lineOrderId}`).toEqual([
        { state_reason: 'Cancelled as an error order: 客户撤回' },
      ]);
    });
  });

  describe('monthly acceptance (response center; 1, 2, 3 days)', () => {
    /** Given: a line of its own (a branch and month no other suite uses) put into inventory with a gap in its record. */
    const lineInInventory = (lineId: string, branch: string, month: string, record: { service?: string; zEnd?: string }) =>
      platform.database.sql`
        insert into enterprise_line (line_id, customer, branch, service, a_end, z_end, in_inventory_at)
        values (${lineId}, '某测试客户', ${branch}, ${record.service ?? 'internet-line'}, '乌鲁木齐市天山区测试路 1 号',
                ${record.zEnd ?? 'URC-TS-OLT01 机房'}, ${`${month}-12T10:00:00+08:00`}::timestamptz)
        on conflict do nothing`;

    it('a line put into inventory without its Z-end address is an abnormal line that escalates; once the record is completed the branch accepts it on site', async () => {
      await lineInInventory('DL-TEST-NOZEND', 'nozend-branch', '2024-03', { zEnd: '' });
      const { processInstanceKey: batch } = await startAcceptanceBatch({ month: '2024-03', engine: platform.engine, ...engine });
      const fix = await task('customer-response-center', batch, 'fix-error-line-data');
      expect(await errorReason(batch)).toContain('lacks Z-end address');

      await escalatesCountyBranchRegion('DL-TEST-NOZEND', 'line-data', [DAY, 2 * DAY, 3 * DAY]);

      await platform.database.sql`update enterprise_line set z_end = 'URC-TS-OLT02 机房' where line_id = 'DL-TEST-NOZEND'`;
      await completeTask(platform, fix.key, { errorResolution: 'corrected', errorNote: '资源系统已补录 Z 端' });
      await task('acceptance-nozend-branch', batch, 'onsite-acceptance');
      await platform.engine.deleteProcessInstance(batch);
    });

    it('a line whose record names no line service, withdrawn by the response center, leaves the batch without a record or a score', async () => {
      await lineInInventory('DL-TEST-NOSERVICE', 'noservice-branch', '2024-04', { service: '' });
      const { processInstanceKey: batch } = await startAcceptanceBatch({ month: '2024-04', engine: platform.engine, ...engine });
      const fix = await task('customer-response-center', batch, 'fix-error-line-data');
      expect(await errorReason(batch)).toContain('lacks a line service');
      await completeTask(platform, fix.key, { errorResolution: 'cancel', errorNote: '非专线资源，移出本月验收' });
      await eventually(() => processCompletedInEngine(platform, batch));
      expect(await platform.database.sql`select 1 from line_acceptance where line_id = 'DL-TEST-NOSERVICE'`).toEqual([]);
      expect(await platform.database.sql`select 1 from acceptance_score where month = '2024-04'`).toEqual([]);
    });
  });
});
