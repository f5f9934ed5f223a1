import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelLineOrder, commissionLine } from '../api/domain/lines/use-cases.ts';
import type { LineCommission } from '../contracts/enterprise-line.ts';
import { completeTask, engineEvents, processCompletedInEngine } from './support/orders.ts';
import { waitForInstanceTask } from './support/faults.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';
import { CONSTRUCTION_KINDS, uploadPhotos } from './support/evidence.ts';

const commission: LineCommission = {
  customer: { name: '某连锁超市集团', level: 'group' },
  service: 'internet-line',
  aEnd: { address: '乌鲁木齐市天山区新华北路 8 号 总部', branch: 'urumqi', grid: 'URC-TS-02', contact: '周工 13999990021' },
  zEnd: { address: '西安市雁塔区长安南路 66 号 西北仓', branch: 'xian', grid: 'XA-YT-01', contact: '韩工 13899990022' },
  protectionLevel: 'standard',
  circuits: 1,
  monthlyFeeCents: 380_000,
};

describe('a customer cancels an enterprise line order', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => platform?.close());

  const commissioned = () => commissionLine({ commission, db: platform.database.db, engine: platform.engine, engineTimeoutMs: 5000 });
  const cancel = (lineOrderId: string, reason?: string) =>
    cancelLineOrder({ lineOrderId, reason, db: platform.database.db, engine: platform.engine, engineTimeoutMs: 5000 });
  const task = (group: string, instance: string, element: string) => waitForInstanceTask(platform, group, instance, element);
  const designAndAccept = async (instance: string) => {
    await completeTask(platform, (await task('design-institute', instance, 'survey')).key, { surveyReport: '两端具备条件' });
    await completeTask(platform, (await task('design-institute', instance, 'design')).key, {
      designSolution: '2×GE',
      constructionDays: 12,
    });
    await completeTask(platform, (await task('order-center', instance, 'accept-line-order')).key, { orderAccepted: true });
  };
  const reservedPorts = (lineOrderId: string) =>
    platform.database.sql<{ id: number; grid: string }[]>`
      select id, grid from resource_port where order_id = ${lineOrderId} and status = 'reserved' order by grid`;
  const cancelled = (lineOrderId: string, instance: string) =>
    eventually(async () => {
      const [row] = await platform.database.sql<{ state: string }[]>`select state from line_order where id = ${lineOrderId}`;
      return row?.state === 'cancelled' && (await processCompletedInEngine(platform, instance));
    });
  const completedElements = async (instance: string) =>
    (await engineEvents(platform, instance)).filter((e) => e.event === 'end').map((e) => e.element_id);
  const records = { equipmentRecord: 'e', uplinkRecord: 'u', fibreJumperRecord: 'f', materialsRecord: 'm', constructionPhotoRefs: 'p' };

  it('during construction of a cross-branch line: the ports both branches reserved are freed in the inventory and the order is cancelled', async () => {
    const { lineOrderId, processInstanceKey } = await commissioned();
    await designAndAccept(processInstanceKey);
    await Promise.all([
      task('construction-urumqi', processInstanceKey, 'construction'),
      task('construction-xian', processInstanceKey, 'construction'),
    ]);
    const held = await reservedPorts(lineOrderId);
    expect(held.map((p) => p.grid)).toEqual(['URC-TS-02', 'XA-YT-01']);

    await cancel(lineOrderId, '项目取消');
    await cancelled(lineOrderId, processInstanceKey);

    // the very ports are free again, held by nobody
    const ports = await platform.database.sql<{ status: string; order_id: string | null; reservation_key: string | null }[]>`
      select status, order_id, reservation_key from resource_port where id in ${platform.database.sql(held.map((p) => p.id))}`;
    expect(ports).toEqual([
      { status: 'free', order_id: null, reservation_key: null },
      { status: 'free', order_id: null, reservation_key: null },
    ]);
    expect(await completedElements(processInstanceKey)).toEqual(
      expect.arrayContaining([
        'line-cancel-requested',
        'release-line-resources',
        'undo-line-reservations',
        'close-cancelled-line',
        'line-order-cancelled',
      ]),
    );
    // the crews' construction tasks are gone
    const open = (await platform.app.inject({ method: 'GET', url: '/tasks?group=construction-xian&limit=500' })).json() as {
      processInstanceKey: string;
    }[];
    expect(open.filter((t) => t.processInstanceKey === processInstanceKey)).toEqual([]);
    // a second cancellation is refused: the order is closed
    await expect(cancel(lineOrderId)).rejects.toMatchObject({ status: 409, code: 'ORDER_CLOSED' });
  });

  it('after the branches have built it, before the customer accepts: the ports are still released', async () => {
    const { lineOrderId, processInstanceKey } = await commissioned();
    await designAndAccept(processInstanceKey);
    for (const group of ['construction-urumqi', 'construction-xian']) {
      const { key } = await task(group, processInstanceKey, 'construction');
      await uploadPhotos(platform, key, CONSTRUCTION_KINDS);
      await completeTask(platform, key, records);
    }
    await task('construction-urumqi', processInstanceKey, 'activation-test');
    expect(await reservedPorts(lineOrderId)).toHaveLength(2);

    await cancel(lineOrderId);
    await cancelled(lineOrderId, processInstanceKey);
    expect(await reservedPorts(lineOrderId)).toEqual([]);
    expect(await platform.database.sql`select 1 from billing_start where order_id = ${lineOrderId}`).toEqual([]);
  });

  it('before any resource check (at the survey): the order is cancelled and there is nothing to release', async () => {
    const { lineOrderId, processInstanceKey } = await commissioned();
    await task('design-institute', processInstanceKey, 'survey');
    await cancel(lineOrderId);
    await cancelled(lineOrderId, processInstanceKey);
    const elements = (await engineEvents(platform, processInstanceKey)).map((e) => e.element_id);
    expect(elements).toContain('undo-line-reservations');
    expect(elements).not.toContain('release-line-resources');
  });

  it('an order that does not exist cannot be cancelled', async () => {
    await expect(cancel('DL-NO-SUCH-ORDER')).rejects.toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND' });
  });
});
