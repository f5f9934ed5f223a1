import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { enterpriseLines, lineOrders } from '../../db/schema.ts';

export interface InventoryLine {
  lineId: string;
  customer: string;
  branch: string;
  service: string;
  aEnd: string;
  zEnd: string;
  at: Date;
}

export type LineOrderState = 'inProgress' | 'completed' | 'failed' | 'cancelled';

/** Enterprise line orders, and the resource system's register of lines in inventory. */
export interface LineOrderStore {
  /** Line orders closed without service (cancelled or failed) since the given time. */
  closedWithoutServiceSince(since: Date): Promise<string[]>;
  setState(lineOrderId: string, state: LineOrderState, at: Date, reason?: string | null): Promise<void>;
  /** The order center corrected an end of the line (an error order): the order keeps the corrected ends. */
  correctEnds(lineOrderId: string, ends: { aEnd: object; zEnd: object }): Promise<void>;
  /** Puts the built line into inventory (once): it joins the next month's acceptance. */
  recordInInventory(line: InventoryLine): Promise<void>;
}

export class PostgresLineOrderStore implements LineOrderStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async closedWithoutServiceSince(since: Date) {
    const rows = await this.db
      .select({ id: lineOrders.id })
      .from(lineOrders)
      .where(and(inArray(lineOrders.state, ['cancelled', 'failed']), gte(lineOrders.completedAt, since)));
    return rows.map((r) => r.id);
  }

  async setState(lineOrderId: string, state: LineOrderState, at: Date, reason: string | null = null) {
    const final = state !== 'inProgress';
    await this.db
      .update(lineOrders)
      .set({
        state,
        ...(final ? { stateReason: reason } : {}),
        ...(final ? { completedAt: sql`coalesce(${lineOrders.completedAt}, ${at.toISOString()}::timestamptz)` } : {}),
      })
      .where(eq(lineOrders.id, lineOrderId));
  }

  async correctEnds(lineOrderId: string, ends: { aEnd: object; zEnd: object }) {
    await this.db.update(lineOrders).set(ends).where(eq(lineOrders.id, lineOrderId));
  }

  async recordInInventory(line: InventoryLine) {
    await this.db
      .insert(enterpriseLines)
      .values({
        lineId: line.lineId,
        customer: line.customer,
        branch: line.branch,
        service: line.service,
        aEnd: line.aEnd,
        zEnd: line.zEnd,
        inInventoryAt: line.at,
      })
      .onConflictDoNothing();
  }
}
