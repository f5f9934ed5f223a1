import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commissionLine } from '../api/domain/lines/use-cases.ts';
import type { LineCommission } from '../contracts/enterprise-line.ts';
import { completeTask, processCompletedInEngine } from './support/orders.ts';
import { waitForInstanceTask } from './support/faults.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';
import { CONSTRUCTION_KINDS, uploadPhotos } from './support/evidence.ts';

const commission = (overrides: Partial<LineCommission> = {}): LineCommission => ({
  customer: { name: '某能源集团', level: 'group' },
  service: 'transport-line',
  aEnd: { address: '乌鲁木齐市天山区光明路 18 号 集团总部', branch: 'urumqi', grid: 'URC-TS-01', contact: '王工 13999990001' },
  zEnd: { address: '西安市雁塔区科技路 33 号 西北分部', branch: 'xian', grid: 'XA-YT-01', contact: '李工 13899990002' },
  protectionLevel: 'dual-route',
  circuits: 2,
  monthlyFeeCents: 1_280_000,
  ...overrides,
});

describe('enterprise dedicated line, new install', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => platform?.close());

  const commissioned = (c: LineCommission) =>
    commissionLine({ commission: c, db: platform.database.db, engine: platform.engine, engineTimeoutMs: 5000 });
  const task = (group: string, instance: string, element: string) => waitForInstanceTask(platform, group, instance, element);
  const designAndAccept = async (instance: string) => {
    await completeTask(platform, (await task('design-institute', instance, 'survey')).key, {
      surveyReport: '两端机房具备条件，沿途管道可用',
    });
    await completeTask(platform, (await task('design-institute', instance, 'design')).key, {
      designSolution: 'SDH 双路由，2×GE',
      constructionDays: 15,
    });
    await completeTask(platform, (await task('order-center', instance, 'accept-line-order')).key, { orderAccepted: true });
  };
  const construction = {
    equipmentRecord: '华为 OptiX 设备 1 台',
    uplinkRecord: '上联 URC-TS-OLT01 10GE 口',
    fibreJumperRecord: 'ODF 3-12 → 设备 1/1',
    materialsRecord: '光缆 1.2 km，尾纤 6 条',
    constructionPhotoRefs: 'IMG-001..012（设备、安全帽反光衣、标签）',
  };

  it('a line across two branches is built by both in parallel, joined before activation, tested, accepted, handed over and billed', async () => {
    const { lineOrderId, processInstanceKey } = await commissioned(commission());
    await designAndAccept(processInstanceKey);

    // both branches get their construction at once, each with its port reserved in its grid
    const [urumqi, xian] = await Promise.all([
      task('construction-urumqi', processInstanceKey, 'construction'),
      task('construction-xian', processInstanceKey, 'construction'),
    ]);
    const ports = await platform.database.sql<
      { grid: string }[]
    >`select grid from resource_port where order_id = ${lineOrderId} order by grid`;
    expect(ports.map((p) => p.grid)).toEqual(['URC-TS-01', 'XA-YT-01']);
    expect((await completeTask(platform, urumqi.key, { equipmentRecord: 'x' })).statusCode).toBe(400); // every record is required
    // and the photos: equipment, the crew in helmet and reflective vest, the cable tags
    expect((await completeTask(platform, urumqi.key, construction)).json()).toMatchObject({ status: 422, code: 'EVIDENCE_MISSING' });
    await uploadPhotos(platform, urumqi.key, CONSTRUCTION_KINDS);
    await completeTask(platform, urumqi.key, construction);

    // activation waits for the other branch
    await new Promise((r) => setTimeout(r, 500));
    const early = await platform.app.inject({ method: 'GET', url: '/tasks?group=construction-urumqi&limit=500' });
    expect(
      (early.json() as { elementId: string; processInstanceKey: string }[]).some(
        (t) => t.processInstanceKey === processInstanceKey && t.elementId === 'activation-test',
      ),
    ).toBe(false);
    // (Urumqi's photos are not Xi'an's: each branch's crew shows its own work)
    expect((await completeTask(platform, xian.key, construction)).statusCode).toBe(422);
    await uploadPhotos(platform, xian.key, CONSTRUCTION_KINDS);
    await completeTask(platform, xian.key, construction);

    // a failed activation test is fixed and retested
    const firstTest = await task('construction-urumqi', processInstanceKey, 'activation-test');
    await completeTask(platform, firstTest.key, {
      opticalPowerDbm: -29.5,
      measuredSpeedMbps: 600,
      testPassed: false,
      testNote: '西安端光功率偏低',
    });
    await completeTask(platform, (await task('construction-urumqi', processInstanceKey, 'fix-activation')).key, {
      fixNote: '更换西安端法兰盘',
    });
    const secondTest = await task('construction-urumqi', processInstanceKey, 'activation-test');
    await completeTask(platform, secondTest.key, { opticalPowerDbm: -18.2, measuredSpeedMbps: 1000, testPassed: true });

    await completeTask(platform, (await task('customer-manager', processInstanceKey, 'customer-acceptance')).key, {
      customerAccepted: true,
      customerAcceptanceRef: 'ACC-2026-118',
    });
    await completeTask(platform, (await task('maintenance-urumqi', processInstanceKey, 'handover-maintenance')).key, {
      handoverRecordRef: 'HO-2026-077',
    });

    await eventually(() => processCompletedInEngine(platform, processInstanceKey));
    const [order] = await platform.database.sql<{ state: string }[]>`select state from line_order where id = ${lineOrderId}`;
    expect(order?.state).toBe('completed');
    expect(await platform.database.sql`select monthly_fee_cents from billing_start where order_id = ${lineOrderId}`).toEqual([
      { monthly_fee_cents: 1_280_000 },
    ]);
    // it is in inventory, so next month's acceptance lists it
    expect(await platform.database.sql`select branch from enterprise_line where line_id = ${lineOrderId}`).toEqual([{ branch: 'urumqi' }]);
  });

  it('a line within one branch is one work package', async () => {
    const { lineOrderId, processInstanceKey } = await commissioned(
      commission({
        zEnd: { address: '乌鲁木齐市沙依巴克区西虹路 2 号', branch: 'urumqi', grid: 'URC-SY-01', contact: '周工 13999990003' },
      }),
    );
    await designAndAccept(processInstanceKey);
    await task('construction-urumqi', processInstanceKey, 'construction');
    const tasks = (await platform.app.inject({ method: 'GET', url: '/tasks?group=construction-urumqi&limit=500' })).json() as {
      processInstanceKey: string;
      elementId: string;
    }[];
    expect(tasks.filter((t) => t.processInstanceKey === processInstanceKey && t.elementId === 'construction')).toHaveLength(1);
    expect(await platform.database.sql`select 1 from resource_port where order_id = ${lineOrderId}`).toHaveLength(1);
    await platform.engine.deleteProcessInstance(processInstanceKey);
  });

  it('a line order the order center refuses is closed as failed', async () => {
    const { lineOrderId, processInstanceKey } = await commissioned(commission());
    await completeTask(platform, (await task('design-institute', processInstanceKey, 'survey')).key, { surveyReport: '西安端无管道资源' });
    await completeTask(platform, (await task('design-institute', processInstanceKey, 'design')).key, {
      designSolution: '需新建管道',
      constructionDays: 90,
    });
    await completeTask(platform, (await task('order-center', processInstanceKey, 'accept-line-order')).key, {
      orderAccepted: false,
      orderNote: '工期超出客户要求',
    });
    await eventually(
      async () => (await platform.database.sql`select 1 from line_order where id = ${lineOrderId} and state = 'failed'`).length === 1,
    );
    // with the order center's reason, as the customer sees it
    const status = (await platform.app.inject({ method: 'GET', url: `/status/${lineOrderId}` })).json() as { stateReason: string | null };
    expect(status.stateReason).toBe('订单未能受理：工期超出客户要求');
  });
});
