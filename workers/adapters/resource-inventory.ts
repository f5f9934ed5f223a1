import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { resourcePorts } from '../../db/schema.ts';

export interface ReservedPort {
  olt: string;
  ponPort: string;
  splitterPort: number;
  /** e.g. "URC-TS-OLT01 0/1/2:7" */
  label: string;
}

/** The operator's resource management system (综合资源管理): access ports per grid. */
export interface ResourceInventory {
  /**
   * Reserves a free port in the grid for the order. Calling again with the same reservation key
   * returns the same port (idempotent). Undefined when the grid has no free port.
   */
  reservePort(request: { grid: string; orderId: string; reservationKey: string }): Promise<ReservedPort | undefined>;
  /** Releases what an order holds (cancellation). */
  releaseOrder(orderId: string): Promise<number>;
  /** Which of these orders hold reserved (not yet in-service) ports reserved before the given time. */
  holdingReservationsBefore(orderIds: string[], before: Date): Promise<string[]>;
  /** Releases all but the most recently reserved port of an order (after a relocation). */
  releaseAllButNewest(orderId: string): Promise<number>;
  /** The ports an order holds (reserved or in service), oldest first. */
  portsOf(orderId: string): Promise<(ReservedPort & { grid: string; status: string })[]>;
  /** Whether the inventory has access resources in this grid at all (free or not). */
  knowsGrid(grid: string): Promise<boolean>;
}

/** Simulator backed by our resource_port table; the real system replaces it behind the interface. */
export class PostgresResourceInventory implements ResourceInventory {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async reservePort({ grid, orderId, reservationKey }: { grid: string; orderId: string; reservationKey: string }) {
    return this.db.transaction(async (tx) => {
      const existing = await tx.select().from(resourcePorts).where(eq(resourcePorts.reservationKey, reservationKey));
      const row =
        existing[0] ??
        (
          await tx
            .update(resourcePorts)
            .set({ status: 'reserved', orderId, reservationKey, reservedAt: new Date() })
            .where(
              eq(
                resourcePorts.id,
                sql`(select id from ${resourcePorts} where ${and(eq(resourcePorts.grid, grid), eq(resourcePorts.status, 'free'))}
                     order by ${asc(resourcePorts.id)} limit 1 for update skip locked)`,
              ),
            )
            .returning()
        )[0];
      if (!row) return undefined;
      return { olt: row.olt, ponPort: row.ponPort, splitterPort: row.splitterPort, label: `${row.olt} ${row.ponPort}:${row.splitterPort}` };
    });
  }

  async releaseAllButNewest(orderId: string) {
    const released = await this.db
      .update(resourcePorts)
      .set({ status: 'free', orderId: null, reservationKey: null, reservedAt: null })
      .where(
        and(
          eq(resourcePorts.orderId, orderId),
          eq(resourcePorts.status, 'reserved'),
          sql`${resourcePorts.id} <> (select id from ${resourcePorts} where order_id = ${orderId} and status = 'reserved' order by reserved_at desc, id desc limit 1)`,
        ),
      )
      .returning({ id: resourcePorts.id });
    return released.length;
  }

  async portsOf(orderId: string) {
    const rows = await this.db
      .select()
      .from(resourcePorts)
      .where(and(eq(resourcePorts.orderId, orderId), inArray(resourcePorts.status, ['reserved', 'in-service'])))
      .orderBy(asc(resourcePorts.reservedAt), asc(resourcePorts.id));
    return rows.map((r) => ({
      grid: r.grid,
      status: r.status,
      olt: r.olt,
      ponPort: r.ponPort,
      splitterPort: r.splitterPort,
      label: `${r.olt} ${r.ponPort}:${r.splitterPort}`,
    }));
  }

  async holdingReservationsBefore(orderIds: string[], before: Date) {
    if (orderIds.length === 0) return [];
    const rows = await this.db
      .selectDistinct({ orderId: resourcePorts.orderId })
      .from(resourcePorts)
      .where(and(inArray(resourcePorts.orderId, orderIds), eq(resourcePorts.status, 'reserved'), lt(resourcePorts.reservedAt, before)));
    return rows.flatMap((r) => (r.orderId ? [r.orderId] : []));
  }

  async knowsGrid(grid: string) {
    const rows = await this.db.select({ id: resourcePorts.id }).from(resourcePorts).where(eq(resourcePorts.grid, grid)).limit(1);
    return rows.length > 0;
  }

  async releaseOrder(orderId: string) {
    const released = await this.db
      .update(resourcePorts)
      .set({ status: 'free', orderId: null, reservationKey: null, reservedAt: null })
      .where(and(eq(resourcePorts.orderId, orderId), eq(resourcePorts.status, 'reserved')))
      .returning({ id: resourcePorts.id });
    return released.length;
  }
}

/**
 * Seed data for the simulator: Urumqi and Xi'an grids with GPON ports (OLT, PON port, 1:16
 * splitter). Midong's only grid is fully in service, so orders there meet "insufficient resources".
 */
export async function seedResourceInventory(db: Db): Promise<void> {
  const [{ count }] = (await db.execute(sql`select count(*)::int as count from ${resourcePorts}`)) as unknown as [{ count: number }];
  if (count > 0) return;
  const grids: { grid: string; olt: string; pons: number; inService: boolean }[] = [
    { grid: 'URC-TS-01', olt: 'URC-TS-OLT01', pons: 4, inService: false },
    { grid: 'URC-TS-02', olt: 'URC-TS-OLT02', pons: 2, inService: false },
    { grid: 'URC-SY-01', olt: 'URC-SY-OLT01', pons: 4, inService: false },
    { grid: 'URC-SY-02', olt: 'URC-SY-OLT02', pons: 2, inService: false },
    { grid: 'URC-MD-01', olt: 'URC-MD-OLT01', pons: 1, inService: true },
    { grid: 'XA-YT-01', olt: 'XA-YT-OLT01', pons: 4, inService: false },
  ];
  const rows = grids.flatMap((g) =>
    Array.from({ length: g.pons * 16 }, (_, i) => ({
      grid: g.grid,
      olt: g.olt,
      ponPort: `0/1/${Math.floor(i / 16) + 1}`,
      splitterPort: (i % 16) + 1,
      status: g.inService ? 'in-service' : 'free',
    })),
  );
  await db.insert(resourcePorts).values(rows).onConflictDoNothing();
}
