import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadSettings } from '../config/settings.ts';
import { createCamundaClients } from '../engine/camunda.ts';
import { EngineSetupError, engineRssMb, stopEngine } from '../engine/native-engine.ts';
import { deployAndSeed } from './bootstrap.ts';
import { startInfrastructure } from './infrastructure.ts';

/**
 * npm start: PostgreSQL (embedded unless DATABASE_URL is set), the engine, deployment of
 * processes/, then the workers and the API as supervised child processes. Ctrl-C stops all
 * that this command started.
 */
const log = pino({ base: undefined, transport: undefined, level: 'info' });
const root = fileURLToPath(new URL('..', import.meta.url));
const settings = loadSettings();

let infra;
try {
  infra = await startInfrastructure('dev', (line) => log.info(line));
} catch (e) {
  log.fatal(e instanceof EngineSetupError ? e.message : e);
  process.exit(1);
}
const { database, engine, profile } = infra;
const camunda = createCamundaClients({ ZEEBE_GRPC_ADDRESS: engine.grpcAddress, ZEEBE_REST_ADDRESS: engine.restAddress });
await deployAndSeed({ databaseUrl: database.url, camunda, log });
await camunda.close();

const childEnv = {
  ...process.env,
  DATABASE_URL: database.url,
  ZEEBE_GRPC_ADDRESS: engine.grpcAddress,
  ZEEBE_REST_ADDRESS: engine.restAddress,
  CAMUNDA_MANAGEMENT_ADDRESS: engine.managementAddress,
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
  `up: API and web UI on http://${settings.HOST}:${settings.PORT} (OpenAPI at /docs), engine ${engine.restAddress} ` +
    `(RSS ${engineRssMb(engine.pid) ?? '?'} MB). Ctrl-C stops everything this command started.`,
);

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: stopping`);
  await Promise.all(
    [...children.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
          setTimeout(() => {
            c.kill('SIGKILL');
            resolve();
          }, 15_000).unref();
        }),
    ),
  );
  if (engine.started) await stopEngine(profile, (l) => log.info(l));
  if (database.embedded) await database.stop();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
