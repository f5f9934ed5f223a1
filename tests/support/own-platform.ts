import { runMigrations } from '../../db/migrate.ts';
import { toJdbc } from '../../db/server.ts';
import { createCamundaClients } from '../../engine/camunda.ts';
import { TEST_PORTS, startEngine, stopEngine, type EngineProfile, type RunningEngine } from '../../engine/native-engine.ts';
import { deployAndSeed } from '../../scripts/bootstrap.ts';
import { testSlot } from '../../scripts/infrastructure.ts';
import { startOwnCluster, type OwnCluster } from './pg-cluster.ts';

/**
 * The test profile's ports moved by `offset` (and by the slot's 100 × n): an engine of a suite's
 * own never collides with the slot's shared engine (offset 0) or another slot's.
 */
export function ownPorts(offset: number): typeof TEST_PORTS {
  const shift = 100 * testSlot() + offset;
  return Object.fromEntries(Object.entries(TEST_PORTS).map(([k, v]) => [k, v + shift])) as typeof TEST_PORTS;
}

export interface OwnInfrastructure {
  cluster: OwnCluster;
  databaseUrl: string;
  profile: EngineProfile;
  engine: RunningEngine;
  /** Stops the engine and removes the cluster. */
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster and an engine of a suite's own (for faults that must not reach the shared
 * ones: stopping PostgreSQL), migrated, deployed and seeded like the global setup does.
 */
export async function startOwnInfrastructure({ name, portOffset }: { name: string; portOffset: number }): Promise<OwnInfrastructure> {
  const log = (line: string) => (process.env.TEST_LOG_LEVEL ? console.log(`[${name}] ${line}`) : undefined);
  const cluster = await startOwnCluster({ prefix: `${name}-`, durable: false });
  try {
    const databaseUrl = await cluster.createDatabase('telecom');
    await runMigrations(databaseUrl);
    const profile: EngineProfile = { name: `${name}-${testSlot()}`, ...ownPorts(portOffset), jdbc: toJdbc(databaseUrl), fresh: true };
    // An engine of this profile left by an interrupted run of this suite holds old state.
    await stopEngine(profile, () => {});
    const engine = await startEngine(profile, log);
    const camunda = createCamundaClients({ ZEEBE_GRPC_ADDRESS: engine.grpcAddress, ZEEBE_REST_ADDRESS: engine.restAddress });
    try {
      await deployAndSeed({ databaseUrl, camunda, log: { info: log } });
    } finally {
      await camunda.close();
    }
    return {
      cluster,
      databaseUrl,
      profile,
      engine,
      async stop() {
        await stopEngine(profile, () => {});
        cluster.destroy();
      },
    };
  } catch (e) {
    cluster.destroy();
    throw e;
  }
}
