import { createOperatonClock } from '../engine/operaton-engine.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requestChange } from '../api/domain/changes/use-cases.ts';
import type { ChangeRequest } from '../contracts/change.ts';
import { orders } from '../db/schema.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import { completeTask, processCompletedInEngine } from './support/orders.ts';
import { waitForInstanceTask } from './support/faults.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

describe('changes to a home-broadband line reuse the shared steps', () => {
  let platform: Platform;
  const clock = createOperatonClock(inject('operatonUrl'));
  /** Tasks already taken by a test: called processes' tasks are found by element, not by order. */
  const seen = new Set<string>();
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => platform?.close());

  /** Given: a line installed earlier in `grid` (its order completed, its port reserved). */
  const installedLine = async (grid = 'URC-SY-01') => {
    const [order] = await platform.database.db
      .insert(orders)
      .values({
        customerName: '赵磊',
        customerPhone: '13900139000',
        customerLevel: 'local-c',
        address: '乌鲁木齐市沙依巴克区友好南路 66 号',
        grid,
        product: { code: 'HB-300M', name: '300M 家庭宽带', bandwidthMbps: 300, monthlyFeeCents: 6900 },
        state: 'completed',
      })
      .returning();
    await createWorkerDependencies(platform.database.db).inventory.reservePort({
      grid,
      orderId: order!.id,
      reservationKey: `install:${order!.id}`,
    });
    return order!;
  };
  const change = (orderId: string, c: ChangeRequest) =>
    requestChange({ orderId, change: c, db: platform.database.db, engine: platform.engine, engineTimeoutMs: 5000 });
  const changeState = async (id: string) =>
    (await platform.database.sql<{ state: string }[]>`select state from service_change where id = ${id}`)[0]?.state;
  const ports = (orderId: string) =>
    platform.database.sql<{ grid: string }[]>`select grid from resource_port where order_id = ${orderId} order by reserved_at`;
  const billing = (orderId: string) =>
    platform.database.sql<{ action: string; product_code: string; monthly_fee_cents: number }[]>`
      select action, product_code, monthly_fee_cents from billing_change where order_id = ${orderId} order by id`;
  const done = (id: string, state = 'done') => eventually(async () => (await changeState(id)) === state);

  it('a product change only changes billing, through the shared billing-change process', async () => {
    const order = await installedLine();
    const { changeId, processInstanceKey } = await change(order.id, {
      changeType: 'product-change',
      newProduct: { code: 'HB-1000M', name: '1000M 家庭宽带', bandwidthMbps: 1000, monthlyFeeCents: 12900 },
    });
    await done(changeId);
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect(await billing(order.id)).toEqual([{ action: 'change', product_code: 'HB-1000M', monthly_fee_cents: 12900 }]);
  });

  it('a relocation reserves a port at the new address, sends the new grid’s crew, then frees the old port', async () => {
    const order = await installedLine('URC-SY-01');
    const { changeId, processInstanceKey } = await change(order.id, {
      changeType: 'relocation',
      newAddress: '西安市雁塔区小寨东路 3 号',
      newGrid: 'XA-YT-01',
    });
    // the field work runs in a called process instance: find it through the crew's task list
    const appointment = await eventually(async () => {
      const res = await platform.app.inject({ method: 'GET', url: '/tasks?group=install-crew-xa-yanta&limit=500' });
      return (res.json() as { key: string; elementId: string; processId: string }[]).find(
        (t) => t.elementId === 'fw-appointment' && t.processId === 'shared-field-work' && !seen.has(t.key),
      );
    });
    seen.add(appointment.key);
    expect((await ports(order.id)).map((p) => p.grid)).toEqual(['URC-SY-01', 'XA-YT-01']);
    await completeTask(platform, appointment.key, { appointmentAt: '2026-12-01T10:00' });
    const work = await eventually(async () => {
      const res = await platform.app.inject({ method: 'GET', url: '/tasks?group=install-crew-xa-yanta&limit=500' });
      return (res.json() as { key: string; elementId: string }[]).find((t) => t.elementId === 'fw-onsite' && !seen.has(t.key));
    });
    seen.add(work.key);
    await completeTask(platform, work.key, { workDone: '新址放线并开通，旧址拆机' });
    await done(changeId);
    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    expect((await ports(order.id)).map((p) => p.grid)).toEqual(['XA-YT-01']);
    expect(await billing(order.id)).toEqual([{ action: 'change', product_code: 'HB-300M', monthly_fee_cents: 6900 }]);
  });
  it('a relocation to a grid without free ports is refused and the line keeps its port', async () => {
    const order = await installedLine('URC-TS-02');
    const { changeId } = await change(order.id, {
      changeType: 'relocation',
      newAddress: '乌鲁木齐市米东区米东南路 1 号',
      newGrid: 'URC-MD-01',
    });
    await done(changeId, 'refused');
    expect((await ports(order.id)).map((p) => p.grid)).toEqual(['URC-TS-02']);
    expect(await billing(order.id)).toEqual([]);
  });

  it('a formal cancellation frees the port and stops billing', async () => {
    const order = await installedLine();
    const { changeId } = await change(order.id, { changeType: 'formal-cancellation' });
    await done(changeId);
    expect(await ports(order.id)).toEqual([]);
    expect(await billing(order.id)).toEqual([{ action: 'stop', product_code: 'HB-300M', monthly_fee_cents: 0 }]);
  });

  it('a scheduled cancellation waits for its date, then cancels', async () => {
    const order = await installedLine();
    const cancelOn = new Date((await clock.now()).getTime() + 3 * 24 * 3_600_000).toISOString();
    const { changeId, processInstanceKey } = await change(order.id, { changeType: 'scheduled-cancellation', cancelOn });
    await eventually(async () => {
      const rows = await platform.database
        .sql`select 1 from instance_stage where process_instance_key = ${processInstanceKey} and element_id = 'wait-cancel-date' and state = 'active'`;
      return rows.length === 1;
    });
    expect(await changeState(changeId)).toBe('requested');
    expect(await ports(order.id)).toHaveLength(1);
    await clock.advance(3 * 24 * 3_600_000 + 60_000);
    await done(changeId);
    expect(await ports(order.id)).toEqual([]);
    expect((await billing(order.id)).map((b) => b.action)).toEqual(['stop']);
  });

  it('a terminal repair sends the crew of the line’s grid', async () => {
    const order = await installedLine('URC-TS-01');
    const { changeId, processInstanceKey } = await change(order.id, { changeType: 'terminal-repair', symptom: '光猫电源灯不亮' });
    const appointment = await eventually(async () => {
      const res = await platform.app.inject({ method: 'GET', url: '/tasks?group=install-crew-urc-tianshan&limit=500' });
      return (res.json() as { key: string; elementId: string; processId: string }[]).find(
        (t) => t.elementId === 'fw-appointment' && !seen.has(t.key),
      );
    });
    seen.add(appointment.key);
    await completeTask(platform, appointment.key, { appointmentAt: '2026-12-02T15:00' });
    const work = await waitForInstanceTask(platform, 'install-crew-urc-tianshan', (await childOf(processInstanceKey))!, 'fw-onsite');
    await completeTask(platform, work.key, { workDone: '更换光猫电源适配器', newOnuSerial: 'ZTEG7777BBBB' });
    await done(changeId);
    expect(await billing(order.id)).toEqual([]);
  });

  /** The called process instance of a parent instance, from the engine's events. */
  const childOf = async (parent: string) =>
    eventually(async () => {
      const [row] = await platform.database.sql<{ key: string }[]>`
        select process_instance_id as key from engine_event
        where kind = 'process-instance' and event_type = 'start' and payload->>'superProcessInstanceId' = ${parent} limit 1`;
      return row?.key;
    });
});
