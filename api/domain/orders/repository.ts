import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { instanceStages, orders, processInstances } from '../../../db/schema.ts';
import { PostgresResourceInventory } from '../../../workers/adapters/resource-inventory.ts';
import type { CreateOrderBody } from './schemas.ts';

export type OrderRow = typeof orders.$inferSelect;
export type StageRow = typeof instanceStages.$inferSelect;

export function createOrderRepository({ db }: { db: Db }) {
  const inventory = new PostgresResourceInventory(db);
  return {
    /**
     * Records the order, then runs `start` (which starts its process). The order is committed
     * before the process starts, so the first worker finds it; if starting fails, the order is
     * removed again and the caller gets the error: nothing half-accepted remains. (An instance
     * started but not attached is deleted by the caller's `discard`.)
     */
    async insertAndStart(
      body: CreateOrderBody,
      customerId: string | null,
      idempotencyKey: string | undefined,
      start: (orderId: string) => Promise<string>,
      requestHash?: string,
      discard?: (processInstanceKey: string) => Promise<void>,
    ): Promise<OrderRow> {
      const [row] = await db
        .insert(orders)
        .values({
          customerId,
          customerName: body.customer.name,
          customerPhone: body.customer.phone,
          customerLevel: body.customer.level,
          address: body.address,
          grid: body.grid,
          product: body.product,
          idempotencyKey: idempotencyKey ?? null,
          requestHash: idempotencyKey ? (requestHash ?? null) : null,
        })
        .returning();
      if (!row) throw new Error('insert returned no row');
      let processInstanceKey: string | undefined;
      try {
        processInstanceKey = await start(row.id);
        const [updated] = await db.update(orders).set({ processInstanceKey }).where(eq(orders.id, row.id)).returning();
        return updated ?? row;
      } catch (e) {
        if (processInstanceKey) await discard?.(processInstanceKey);
        await db.delete(orders).where(eq(orders.id, row.id));
        throw e;
      }
    },
    /** Whether the resource inventory (through its adapter) knows the grid: one it does not know cannot be served. */
    knowsGrid: (grid: string) => inventory.knowsGrid(grid),
    async findByIdempotencyKey(key: string) {
      const [row] = await db.select().from(orders).where(eq(orders.idempotencyKey, key));
      return row;
    },
    async find(id: string) {
      const [row] = await db.select().from(orders).where(eq(orders.id, id));
      return row;
    },
    async stages(processInstanceKey: string) {
      return db
        .select()
        .from(instanceStages)
        .where(eq(instanceStages.processInstanceKey, processInstanceKey))
        .orderBy(asc(instanceStages.startedAt), asc(instanceStages.elementInstanceKey));
    },
    async processState(processInstanceKey: string) {
      const [row] = await db
        .select({ state: processInstances.state })
        .from(processInstances)
        .where(and(eq(processInstances.processInstanceKey, processInstanceKey)));
      return row?.state as 'active' | 'completed' | 'terminated' | undefined;
    },
  };
}
export type OrderRepository = ReturnType<typeof createOrderRepository>;
