import type { Logger } from 'pino';
import { seedDemoUsers } from '../api/domain/auth/users.ts';
import { connectDatabase } from '../db/client.ts';
import { deployDefinitions } from '../definitions/deploy.ts';
import type { CamundaClients } from '../engine/camunda.ts';
import { seedEnterpriseLines } from '../workers/adapters/acceptance-register.ts';
import { seedNetworkSystems } from '../workers/adapters/network-systems.ts';
import { seedProductCatalogue } from '../workers/adapters/product-catalogue.ts';
import { seedResourceInventory } from '../workers/adapters/resource-inventory.ts';

/** After the engine is up: deploy everything in processes/ and seed the simulators' data. */
export async function deployAndSeed({
  databaseUrl,
  camunda,
  log,
}: {
  databaseUrl: string;
  camunda: CamundaClients;
  log: Pick<Logger, 'info'>;
}) {
  const deployment = await deployDefinitions(camunda.zeebe);
  log.info(`deployed ${deployment.deployments.length} resources from processes/`);
  const database = connectDatabase(databaseUrl, { max: 2 });
  try {
    await seedResourceInventory(database.db);
    await seedNetworkSystems(database.db);
    await seedProductCatalogue(database.db);
    await seedEnterpriseLines(database.db);
    await seedDemoUsers(database.db);
  } finally {
    await database.close();
  }
}
