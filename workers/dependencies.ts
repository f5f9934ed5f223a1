import { loadBusinessCalendar, type BusinessCalendar } from '../calendar/business-calendar.ts';
import type { Db } from '../db/client.ts';
import { PostgresAcceptanceRegister, type AcceptanceRegister } from './adapters/acceptance-register.ts';
import { PostgresChangeStore, type ChangeStore } from './adapters/change-store.ts';
import { PostgresLineOrderStore, type LineOrderStore } from './adapters/line-order-store.ts';
import type { BillingSystem } from './adapters/billing.ts';
import type { OrderStore } from './adapters/order-store.ts';
import type { ResourceInventory } from './adapters/resource-inventory.ts';
import { PostgresBillingSimulator } from './adapters/billing.ts';
import { PostgresOrderStore } from './adapters/order-store.ts';
import { PostgresProductCatalogue, type ProductCatalogue } from './adapters/product-catalogue.ts';
import { PostgresResourceInventory } from './adapters/resource-inventory.ts';
import { createSimulatedNetworkSystems, type NetworkSystems } from './adapters/network-systems.ts';
import { PostgresTicketStore, type TicketStore } from './adapters/ticket-store.ts';
import { PostgresComplaintStore, type ComplaintStore } from './adapters/complaint-store.ts';
import { PostgresEvidenceRegister, type EvidenceRegister } from './adapters/evidence-register.ts';
import { PostgresSlaPauseStore, type SlaPauseStore } from './adapters/sla-pause-store.ts';
import { PostgresChaseUpStore, type ChaseUpStore } from './adapters/chase-up-store.ts';

/** Everything handlers may use; built once by the runner, replaced in unit tests. */
export interface WorkerDependencies {
  inventory: ResourceInventory;
  billing: BillingSystem;
  orders: OrderStore;
  catalogue: ProductCatalogue;
  tickets: TicketStore;
  complaints: ComplaintStore;
  /** Chase-ups: the response center's follow-up of an escalation. */
  chaseUps: ChaseUpStore;
  acceptance: AcceptanceRegister;
  /** Photos and documents uploaded on tasks (docs/evidence.md): which kinds a line or order has. */
  evidence: EvidenceRegister;
  changes: ChangeStore;
  lineOrders: LineOrderStore;
  /** The business calendar with the administrators' current overrides. */
  calendar(): Promise<BusinessCalendar>;
  networkSystems: NetworkSystems;
  /** SLA pauses for customer-caused waits on trouble tickets. */
  slaPauses: SlaPauseStore;
  now(): Date;
}

export function createWorkerDependencies(db: Db): WorkerDependencies {
  return {
    inventory: new PostgresResourceInventory(db),
    billing: new PostgresBillingSimulator(db),
    orders: new PostgresOrderStore(db),
    catalogue: new PostgresProductCatalogue(db),
    tickets: new PostgresTicketStore(db),
    complaints: new PostgresComplaintStore(db),
    chaseUps: new PostgresChaseUpStore(db),
    acceptance: new PostgresAcceptanceRegister(db),
    evidence: new PostgresEvidenceRegister(db),
    changes: new PostgresChangeStore(db),
    lineOrders: new PostgresLineOrderStore(db),
    calendar: () => loadBusinessCalendar(db),
    networkSystems: createSimulatedNetworkSystems(db),
    slaPauses: new PostgresSlaPauseStore(db),
    now: () => new Date(),
  };
}
