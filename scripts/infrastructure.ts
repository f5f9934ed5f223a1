import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSettings } from '../config/settings.ts';
import { runMigrations } from '../db/migrate.ts';
import { ensureDatabaseServer, toJdbc, type DatabaseServer } from '../db/server.ts';
import { startOperaton, type OperatonProfile, type RunningOperaton } from '../engine/operaton-engine.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export type Environment = 'dev' | 'test';

export interface Infrastructure {
  database: DatabaseServer;
  engine: RunningOperaton;
  profile: OperatonProfile;
}

/**
 * TEST_SLOT (0-9, default 0) lets several test runs share a machine: slot n gets its own
 * database and engine port (offset by 100 × n).
 */
export function testSlot(env: NodeJS.ProcessEnv = process.env): number {
  const slot = Number(env.TEST_SLOT ?? 0);
  if (!Number.isInteger(slot) || slot < 0 || slot > 9) throw new Error(`TEST_SLOT must be 0-9, got ${env.TEST_SLOT}`);
  return slot;
}

/** The database each environment uses; tests get their own so they never touch a developer's data. */
export function databaseName(env: Environment): string {
  if (env === 'dev') return 'telecom';
  const slot = testSlot();
  return slot === 0 ? 'telecom_test' : `telecom_test_${slot}`;
}

/** The name of an environment's engine: its log and pid file live in .operaton/operaton-<name>/. */
export function profileName(env: Environment): string {
  if (env === 'dev') return 'dev';
  const slot = testSlot();
  return slot === 0 ? 'test' : `test-${slot}`;
}

/** The engine's REST port per environment (tests: offset by 100 × TEST_SLOT). */
export const OPERATON_PORTS = { dev: 8080, test: 8089 };

export function enginePort(env: Environment): number {
  return env === 'dev' ? OPERATON_PORTS.dev : OPERATON_PORTS.test + 100 * testSlot();
}

export async function startDatabase(env: Environment, log: (l: string) => void = console.log): Promise<DatabaseServer> {
  const settings = loadSettings();
  const database = await ensureDatabaseServer({
    databaseUrl: settings.DATABASE_URL,
    database: databaseName(env),
    dataDir: path.join(root, '.data/postgres'),
    embeddedPort: settings.EMBEDDED_PG_PORT,
    fresh: env === 'test',
    log,
  });
  await runMigrations(database.url);
  return database;
}

/** Our Operaton engine app for an environment: its tables in the environment's database (schema `operaton`). */
export function operatonProfile(env: Environment, databaseUrl: string): OperatonProfile {
  return { name: `operaton-${profileName(env)}`, port: enginePort(env), jdbc: toJdbc(databaseUrl), clockControl: env === 'test' };
}

/** PostgreSQL (embedded unless DATABASE_URL is set), migrations, then the engine. */
export async function startInfrastructure(env: Environment, log: (l: string) => void = console.log): Promise<Infrastructure> {
  const database = await startDatabase(env, log);
  const profile = operatonProfile(env, database.url);
  const engine = await startOperaton(profile, log);
  return { database, engine, profile };
}
