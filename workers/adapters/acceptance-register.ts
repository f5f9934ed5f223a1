import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { acceptanceScores, enterpriseLines, lineAcceptances } from '../../db/schema.ts';

export interface LineToAccept {
  lineId: string;
  customer: string;
  branch: string;
  service: string;
}

export interface InventoryRecord extends LineToAccept {
  aEnd: string;
  zEnd: string;
}

export interface BranchScore {
  branch: string;
  lines: number;
  passedFirstTime: number;
  rectifiedOnTime: number;
  score: number;
}

export interface LineAcceptanceRecord {
  month: string;
  lineId: string;
  branch: string;
  rectifications: number;
  rectifiedOnTime: boolean | null;
  recordedAt: Date;
}

/** The response center's acceptance register and the resource system's enterprise lines. */
export interface AcceptanceRegister {
  /** Lines put into inventory during `month` (YYYY-MM, China time). */
  linesPutIntoInventory(month: string): Promise<LineToAccept[]>;
  /** A line's record in the resource system's register, as it stands now. */
  inventoryRecord(lineId: string): Promise<InventoryRecord | undefined>;
  recordLine(r: LineAcceptanceRecord): Promise<void>;
  /** Scores every branch for the month from the recorded lines and stores the scores. */
  scoreMonth(month: string): Promise<BranchScore[]>;
}

/** China-time month bounds as instants. */
function monthBounds(month: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000);
  const to = new Date(Date.UTC(y, m, 1) - 8 * 3600_000);
  return { from, to };
}

/**
 * Score: 100 × (lines passed at the first review + half of the lines rectified on time) / lines.
 * A line rectified late, or never passing first time and late, earns nothing.
 */
export function branchScore(lines: number, passedFirstTime: number, rectifiedOnTime: number): number {
  return lines === 0 ? 100 : Math.round((1000 * (passedFirstTime + 0.5 * rectifiedOnTime)) / lines) / 10;
}

export class PostgresAcceptanceRegister implements AcceptanceRegister {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async linesPutIntoInventory(month: string) {
    const { from, to } = monthBounds(month);
    return this.db
      .select({
        lineId: enterpriseLines.lineId,
        customer: enterpriseLines.customer,
        branch: enterpriseLines.branch,
        service: enterpriseLines.service,
      })
      .from(enterpriseLines)
      .where(and(gte(enterpriseLines.inInventoryAt, from), lt(enterpriseLines.inInventoryAt, to)))
      .orderBy(enterpriseLines.lineId);
  }

  async inventoryRecord(lineId: string) {
    const [row] = await this.db
      .select({
        lineId: enterpriseLines.lineId,
        customer: enterpriseLines.customer,
        branch: enterpriseLines.branch,
        service: enterpriseLines.service,
        aEnd: enterpriseLines.aEnd,
        zEnd: enterpriseLines.zEnd,
      })
      .from(enterpriseLines)
      .where(eq(enterpriseLines.lineId, lineId));
    return row;
  }

  async recordLine(r: LineAcceptanceRecord) {
    await this.db
      .insert(lineAcceptances)
      .values(r)
      .onConflictDoUpdate({
        target: [lineAcceptances.month, lineAcceptances.lineId],
        set: { rectifications: r.rectifications, rectifiedOnTime: r.rectifiedOnTime, recordedAt: r.recordedAt },
      });
  }

  async scoreMonth(month: string) {
    const rows = await this.db
      .select({
        branch: lineAcceptances.branch,
        lines: sql<number>`count(*)::int`,
        passedFirstTime: sql<number>`count(*) filter (where ${lineAcceptances.rectifications} = 0)::int`,
        rectifiedOnTime: sql<number>`count(*) filter (where ${lineAcceptances.rectifiedOnTime})::int`,
      })
      .from(lineAcceptances)
      .where(eq(lineAcceptances.month, month))
      .groupBy(lineAcceptances.branch)
      .orderBy(lineAcceptances.branch);
    const scores = rows.map((r) => ({ ...r, score: branchScore(r.lines, r.passedFirstTime, r.rectifiedOnTime) }));
    for (const s of scores) {
      await this.db
        .insert(acceptanceScores)
        .values({ month, ...s })
        .onConflictDoUpdate({
          target: [acceptanceScores.month, acceptanceScores.branch],
          set: { lines: s.lines, passedFirstTime: s.passedFirstTime, rectifiedOnTime: s.rectifiedOnTime, score: s.score },
        });
    }
    return scores;
  }
}

/** Seed: enterprise lines put into inventory in October and November 2026 in Urumqi and Xi'an. */
export async function seedEnterpriseLines(db: Db): Promise<void> {
  await db
    .insert(enterpriseLines)
    .values([
      {
        lineId: 'DL-URC-0001',
        customer: '某银行乌鲁木齐分行',
        branch: 'urumqi',
        service: 'internet-line',
        aEnd: '乌鲁木齐市天山区人民路 1 号',
        zEnd: 'URC-TS-OLT01 机房',
        inInventoryAt: new Date('2026-10-12T10:00:00+08:00'),
      },
      {
        lineId: 'DL-URC-0002',
        customer: '某物流园区管理公司',
        branch: 'urumqi',
        service: 'transport-line',
        aEnd: '乌鲁木齐市米东区物流园 8 号',
        zEnd: '乌鲁木齐市沙依巴克区数据中心',
        inInventoryAt: new Date('2026-10-20T15:30:00+08:00'),
      },
      {
        lineId: 'DL-XA-0001',
        customer: '某高校雁塔校区',
        branch: 'xian',
        service: 'internet-line',
        aEnd: '西安市雁塔区小寨路 5 号',
        zEnd: 'XA-YT-OLT01 机房',
        inInventoryAt: new Date('2026-10-08T09:00:00+08:00'),
      },
      {
        lineId: 'DL-URC-0003',
        customer: '某医院新院区',
        branch: 'urumqi',
        service: 'voice-line',
        aEnd: '乌鲁木齐市新市区北京路 9 号',
        zEnd: 'URC-SY-OLT02 机房',
        inInventoryAt: new Date('2026-11-03T11:00:00+08:00'),
      },
      {
        lineId: 'DL-XA-0002',
        customer: '某制造企业',
        branch: 'xian',
        service: 'internet-line',
        aEnd: '西安市高新区锦业路 12 号',
        zEnd: 'XA-YT-OLT01 机房',
        inInventoryAt: new Date('2026-11-15T14:00:00+08:00'),
      },
    ])
    .onConflictDoNothing();
}
