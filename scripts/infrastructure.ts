import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSettings } from '../config/settings.ts';
import { runMigrations } from '../db/migrate.ts';
import { ensureDatabaseServer, toJdbc, type DatabaseServer } from '../db/server.ts';
import { DEV_PORTS, TEST_PORTS, startEngine, type EngineProfile, type RunningEngine } from '../engine/native-engine.ts';
import type { OperatonProfile } from '../engine/operaton-engine.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export type Environment = 'dev' | 'test';

export interface Infrastructure {
  database: DatabaseServer;
  engine: RunningEngine;
  profile: EngineProfile;
}

/**
 * TEST_SLOT (0-9, default 0) lets several test runs share a machine: slot n gets its own
 * database, engine data and ports (offset by 100 × n).
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

/** The engine profile's name: its data, config and log live in .camunda/<name>/. */
export function profileName(env: Environment): string {
  if (env === 'dev') return 'dev';
  const slot = testSlot();
  return slot === 0 ? 'test' : `test-${slot}`;
}

export function portsFor(env: Environment): typeof DEV_PORTS {
  if (env === 'dev') return DEV_PORTS;
  const offset = 100 * testSlot();
  return Object.fromEntries(Object.entries(TEST_PORTS).map(([k, v]) => [k, v + offset])) as typeof TEST_PORTS;
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

export function engineProfile(env: Environment, databaseUrl: string): EngineProfile {
  return {
    name: profileName(env),
    ...portsFor(env),
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

/** Operaton's REST port per environment (tests: offset by 100 × TEST_SLOT). */
export const OPERATON_PORTS = { dev: 8080, test: 8089 };

/** Our Operaton engine app for an environment: its tables in the environment's database (schema `operaton`). */
export function operatonProfile(env: Environment, databaseUrl: string): OperatonProfile {
  return {
    name: `operaton-${profileName(env)}`,
    port: env === 'dev' ? OPERATON_PORTS.dev : OPERATON_PORTS.test + 100 * testSlot(),
    jdbc: toJdbc(databaseUrl),
    clockControl: env === 'test',
  };
}
