import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { billingChanges, billingStarts } from '../../db/schema.ts';

export interface BillingStart {
  orderId: string;
  productCode: string;
  monthlyFeeCents: number;
  startedAt: Date;
}

export interface BillingChange {
  orderId: string;
  action: 'change' | 'stop';
  productCode: string;
  monthlyFeeCents: number;
  effectiveAt: Date;
}

/** CRM/BOSS billing: starts, changes and stops charging a subscription. */
export interface BillingSystem {
  /** Starts billing once per idempotency key; a repeated call returns the first start. */
  startBilling(request: BillingStart & { idempotencyKey: string }): Promise<BillingStart>;
  /** Changes (new product) or stops billing once per idempotency key. */
  changeBilling(request: BillingChange & { idempotencyKey: string }): Promise<void>;
}

/** Simulator backed by our billing_start table. */
export class PostgresBillingSimulator implements BillingSystem {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async startBilling({ idempotencyKey, orderId, productCode, monthlyFeeCents, startedAt }: BillingStart & { idempotencyKey: string }) {
    await this.db
      .insert(billingStarts)
      .values({ idempotencyKey, orderId, productCode, monthlyFeeCents, startedAt })
      .onConflictDoNothing({ target: billingStarts.idempotencyKey });
    const [row] = await this.db.select().from(billingStarts).where(eq(billingStarts.idempotencyKey, idempotencyKey));
    if (!row) throw new Error(`billing start ${idempotencyKey} vanished`);
    return { orderId: row.orderId, productCode: row.productCode, monthlyFeeCents: row.monthlyFeeCents, startedAt: row.startedAt };
  }

  async changeBilling(request: BillingChange & { idempotencyKey: string }) {
    await this.db.insert(billingChanges).values(request).onConflictDoNothing({ target: billingChanges.idempotencyKey });
  }
}
