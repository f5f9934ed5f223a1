import type { Logger } from 'pino';
import { seedDemoUsers } from '../api/domain/auth/users.ts';
import { connectDatabase } from '../db/client.ts';
import { deployDefinitions } from '../definitions/deploy.ts';
import type { OperatonClient } from '../engine/operaton.ts';
import { seedEnterpriseLines } from '../workers/adapters/acceptance-register.ts';
import { seedNetworkSystems } from '../workers/adapters/network-systems.ts';
import { seedProductCatalogue } from '../workers/adapters/product-catalogue.ts';
import { seedResourceInventory } from '../workers/adapters/resource-inventory.ts';
import { seedNoticeContacts } from '../workers/adapters/sms-gateway.ts';

/** After the engine is up: deploy everything in processes/ and seed the simulators' data. */
export async function deployAndSeed({
  databaseUrl,
  engine,
  log,
}: {
  databaseUrl: string;
  engine: OperatonClient;
  log: Pick<Logger, 'info'>;
}) {
  await deploy(engine, log);
  await seed(databaseUrl);
}

export async function deploy(engine: OperatonClient, log: Pick<Logger, 'info'>) {
  const deployment = await deployDefinitions(engine);
  log.info(`deployed ${deployment.deployments.length} resources from processes/`);
}

/** The simulators' data (inventory, network systems, catalogue, enterprise lines) and the demo users; idempotent. */
export async function seed(databaseUrl: string) {
  const database = connectDatabase(databaseUrl, { max: 2 });
  try {
    await seedResourceInventory(database.db);
    await seedNetworkSystems(database.db);
    await seedProductCatalogue(database.db);
    await seedEnterpriseLines(database.db);
    await seedDemoUsers(database.db);
    await seedNoticeContacts(database.db);
  } finally {
    await database.close();
  }
}
