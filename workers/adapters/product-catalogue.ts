import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { productCatalogue } from '../../db/schema.ts';

export interface CatalogueProduct {
  code: string;
  name: string;
  bandwidthMbps: number;
  monthlyFeeCents: number;
}

/** CRM/BOSS product catalogue: what may be sold, at which fee. */
export interface ProductCatalogue {
  /** The active product with this code, or undefined. */
  find(code: string): Promise<CatalogueProduct | undefined>;
}

export class PostgresProductCatalogue implements ProductCatalogue {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async find(code: string) {
    const [row] = await this.db.select().from(productCatalogue).where(eq(productCatalogue.code, code));
    return row?.active
      ? { code: row.code, name: row.name, bandwidthMbps: row.bandwidthMbps, monthlyFeeCents: row.monthlyFeeCents }
      : undefined;
  }
}

export async function seedProductCatalogue(db: Db): Promise<void> {
  await db
    .insert(productCatalogue)
    .values([
      { code: 'HB-100M', name: '100M 家庭宽带', bandwidthMbps: 100, monthlyFeeCents: 4900 },
      { code: 'HB-300M', name: '300M 家庭宽带', bandwidthMbps: 300, monthlyFeeCents: 6900 },
      { code: 'HB-500M', name: '500M 家庭宽带', bandwidthMbps: 500, monthlyFeeCents: 9900 },
      { code: 'HB-1000M', name: '1000M 家庭宽带', bandwidthMbps: 1000, monthlyFeeCents: 12900 },
      { code: 'HB-50M', name: '50M 家庭宽带 (停售)', bandwidthMbps: 50, monthlyFeeCents: 2900, active: false },
    ])
    .onConflictDoNothing();
}
