import { runMigrations } from '../../db/migrate.ts';
import { toJdbc } from '../../db/server.ts';
import { createOperatonClient } from '../../engine/operaton.ts';
import { startOperaton, stopOperaton, type OperatonProfile, type RunningOperaton } from '../../engine/operaton-engine.ts';
import { deployAndSeed } from '../../scripts/bootstrap.ts';
import { enginePort, testSlot } from '../../scripts/infrastructure.ts';
import { startOwnCluster, type OwnCluster } from './pg-cluster.ts';

/**
 * The test engine's port moved by `offset` (and by the slot's 100 × n): an engine of a suite's
 * own never collides with the slot's shared engine (offset 0) or another slot's.
 */
export function ownPort(offset: number): number {
  return enginePort('test') + offset;
}

export interface OwnInfrastructure {
  cluster: OwnCluster;
  databaseUrl: string;
  profile: OperatonProfile;
  engine: RunningOperaton;
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
    const profile: OperatonProfile = {
      name: `${name}-${testSlot()}`,
      port: ownPort(portOffset),
      jdbc: toJdbc(databaseUrl),
      clockControl: true,
    };
    // An engine of this profile left by an interrupted run of this suite holds old state.
    await stopOperaton(profile, () => {});
    const engine = await startOperaton(profile, log);
    await deployAndSeed({ databaseUrl, engine: createOperatonClient({ baseUrl: engine.baseUrl, timeoutMs: 60_000 }), log: { info: log } });
    return {
      cluster,
      databaseUrl,
      profile,
      engine,
      async stop() {
        await stopOperaton(profile, () => {});
        cluster.destroy();
      },
    };
  } catch (e) {
    cluster.destroy();
    throw e;
  }
}
