import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { orders, revisits } from '../../db/schema.ts';

export type OrderState = 'acknowledged' | 'inProgress' | 'completed' | 'failed' | 'cancelled';

/** The order records workers update (the order center's own order table). */
export interface OrderStore {
  exists(orderId: string): Promise<boolean>;
  /** Orders closed without service (cancelled or failed) since the given time. */
  closedWithoutServiceSince(since: Date): Promise<string[]>;
  /** The order's state and grid as the order table has them, or undefined. */
  find(orderId: string): Promise<{ state: OrderState; grid: string } | undefined>;
  /** Moves the order to a state; repeating the same move changes nothing. */
  setState(orderId: string, state: OrderState, reason?: string | null, at?: Date): Promise<void>;
  recordRevisit(orderId: string, satisfaction: number, comment: string | null): Promise<void>;
  /** Records the product as the catalogue has it (after intake or an error-order correction). */
  setProduct(orderId: string, product: object): Promise<void>;
}

export class PostgresOrderStore implements OrderStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async closedWithoutServiceSince(since: Date) {
    const rows = await this.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(inArray(orders.state, ['cancelled', 'failed']), gte(orders.completedAt, since)));
    return rows.map((r) => r.id);
  }

  async exists(orderId: string) {
    const rows = await this.db.select({ id: orders.id }).from(orders).where(eq(orders.id, orderId));
    return rows.length > 0;
  }

  async find(orderId: string) {
    const [row] = await this.db.select({ state: orders.state, grid: orders.grid }).from(orders).where(eq(orders.id, orderId));
    return row ? { state: row.state as OrderState, grid: row.grid } : undefined;
  }

  async setState(orderId: string, state: OrderState, reason: string | null = null, at = new Date()) {
    const final = state === 'completed' || state === 'failed' || state === 'cancelled';
    await this.db
      .update(orders)
      .set({
        state,
        stateReason: reason,
        updatedAt: at,
        ...(final ? { completedAt: sql`coalesce(${orders.completedAt}, ${at.toISOString()}::timestamptz)` } : {}),
      })
      .where(eq(orders.id, orderId));
  }

  async setProduct(orderId: string, product: object) {
    await this.db.update(orders).set({ product, updatedAt: new Date() }).where(eq(orders.id, orderId));
  }

  async recordRevisit(orderId: string, satisfaction: number, comment: string | null) {
    await this.db
      .insert(revisits)
      .values({ orderId, satisfaction, comment })
      .onConflictDoUpdate({ target: revisits.orderId, set: { satisfaction, comment } });
  }
}
