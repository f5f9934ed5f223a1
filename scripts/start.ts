import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadSettings } from '../config/settings.ts';
import { createOperatonClient } from '../engine/operaton.ts';
import { OperatonSetupError, isOperatonHealthy, processRssMb, stopOperaton } from '../engine/operaton-engine.ts';
import { deployAndSeed } from './bootstrap.ts';
import { startDatabase, startInfrastructure } from './infrastructure.ts';

/**
 * npm start: PostgreSQL (embedded unless DATABASE_URL is set), the engine, deployment of
 * processes/, then the workers and the API as supervised child processes. Ctrl-C stops all
 * that this command started.
 */
const log = pino({ base: { service: 'start' }, level: 'info' });
const root = fileURLToPath(new URL('..', import.meta.url));
const settings = loadSettings();

/** Native: our own PostgreSQL (or DATABASE_URL) and engine. External (compose): DATABASE_URL and a running engine at ENGINE_URL. */
async function infrastructure() {
  if (settings.ENGINE_MODE === 'native') return startInfrastructure('dev', (line) => log.info(line));
  if (!settings.DATABASE_URL) throw new OperatonSetupError('ENGINE_MODE=external needs DATABASE_URL');
  const database = await startDatabase('dev', (line) => log.info(line));
  const engine = { baseUrl: settings.ENGINE_URL, pid: undefined, started: false, startupMs: 0, logFile: '' };
  log.info(`waiting for the engine at ${engine.baseUrl}`);
  const deadline = Date.now() + 300_000;
  while (!(await isOperatonHealthy(engine.baseUrl))) {
    if (Date.now() > deadline) throw new OperatonSetupError(`no engine answering at ${engine.baseUrl} after 300 s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return { database, engine, profile: undefined };
}

let infra: Awaited<ReturnType<typeof infrastructure>>;
try {
  infra = await infrastructure();
} catch (e) {
  log.fatal(e instanceof OperatonSetupError ? e.message : e);
  process.exit(1);
}
const { database, engine, profile } = infra;
await deployAndSeed({ databaseUrl: database.url, engine: createOperatonClient({ baseUrl: engine.baseUrl, timeoutMs: 60_000 }), log });

/**
 * Login tokens must survive an API restart (the supervisor restarts a crashed API): without a
 * configured JWT_SECRET, one is generated once and kept in .data/ (git-ignored, owner-only).
 */
function jwtSecret(): string {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = path.join(root, '.data/jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

const childEnv = {
  ...process.env,
  JWT_SECRET: jwtSecret(),
  DATABASE_URL: database.url,
  ENGINE_URL: engine.baseUrl,
};

let stopping = false;
const children = new Map<string, ChildProcess>();

/** Runs a service and restarts it if it dies (a crashed worker process must not stall the orders). */
function supervise(name: string, script: string, restarts = 0) {
  const child = spawn(process.execPath, [script], { cwd: root, env: childEnv, stdio: 'inherit' });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    const delay = Math.min(30_000, 1000 * 2 ** restarts);
    log.warn(`${name} exited (${signal ?? code}); restarting in ${delay / 1000} s`);
    setTimeout(() => supervise(name, script, restarts + 1), delay);
  });
}

supervise('workers', 'workers/main.ts');
supervise('api', 'api/server.ts');
log.info(
  `up: API and web UI on http://${settings.HOST}:${settings.PORT} (OpenAPI at /docs), engine ${engine.baseUrl} ` +
    `(RSS ${processRssMb(engine.pid) ?? '?'} MB). Ctrl-C stops everything this command started.`,
);

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: stopping`);
  await Promise.all(
    [...children.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          // A Ctrl-C reaches the children too: they may already be gone.
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const force = setTimeout(() => c.kill('SIGKILL'), 15_000);
          c.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
  if (engine.started && profile) await stopOperaton(profile, (l) => log.info(l));
  if (database.embedded) await database.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
