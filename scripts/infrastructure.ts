import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSettings } from '../config/settings.ts';
import { runMigrations } from '../db/migrate.ts';
import { ensureDatabaseServer, toJdbc, type DatabaseServer } from '../db/server.ts';
import { DEV_PORTS, TEST_PORTS, startEngine, type EngineProfile, type RunningEngine } from '../engine/native-engine.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export type Environment = 'dev' | 'test';

export interface Infrastructure {
  database: DatabaseServer;
  engine: RunningEngine;
  profile: EngineProfile;
}

/** The database each environment uses; tests get their own so they never touch a developer's data. */
export const DATABASE_NAME: Record<Environment, string> = { dev: 'telecom', test: 'telecom_test' };

export async function startDatabase(env: Environment, log: (l: string) => void = console.log): Promise<DatabaseServer> {
  const settings = loadSettings();
  const database = await ensureDatabaseServer({
    databaseUrl: settings.DATABASE_URL,
    database: DATABASE_NAME[env],
    dataDir: path.join(root, '.data/postgres'),
    embeddedPort: settings.EMBEDDED_PG_PORT,
    fresh: env === 'test',
    log,
  });
  await runMigrations(database.url);
  return database;
}

export function engineProfile(env: Environment, databaseUrl: string): EngineProfile {
  return {
    name: env,
    ...(env === 'dev' ? DEV_PORTS : TEST_PORTS),
    jdbc: toJdbc(databaseUrl),
    fresh: env === 'test',
  };
}

/** PostgreSQL (embedded unless DATABASE_URL is set), migrations, then the engine. */
export async function startInfrastructure(env: Environment, log: (l: string) => void = console.log): Promise<Infrastructure> {
  const database = await startDatabase(env, log);
  const profile = engineProfile(env, database.url);
  const engine = await startEngine(profile, log);
  return { database, engine, profile };
}
