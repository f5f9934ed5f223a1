import { inject } from 'vitest';
import { pino } from 'pino';
import { buildApp } from '../../api/app.ts';
import { loadSettings } from '../../config/settings.ts';
import { connectDatabase, type Database } from '../../db/client.ts';
import { createCamundaClients, type CamundaClients } from '../../engine/camunda.ts';
import { startProjector, type Projector } from '../../read-model/projector.ts';
import { createWorkerDependencies } from '../../workers/dependencies.ts';
import { startWorkers, type RunningWorkers } from '../../workers/runner.ts';

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Platform {
  app: Awaited<ReturnType<typeof buildApp>>;
  database: Database;
  camunda: CamundaClients;
  projector: Projector;
  workers?: RunningWorkers;
  close(): Promise<void>;
}

/** The real platform in-process: API (app.inject), read-model projector and, optionally, the real workers. */
export async function startPlatform({ workers = true }: { workers?: boolean } = {}): Promise<Platform> {
  const settings = loadSettings({
    ...process.env,
    DATABASE_URL: inject('databaseUrl'),
    ZEEBE_GRPC_ADDRESS: inject('grpcAddress'),
    ZEEBE_REST_ADDRESS: inject('restAddress'),
  });
  const database = connectDatabase(inject('databaseUrl'));
  const camunda = createCamundaClients(settings, { failFast: true });
  const workerClients = createCamundaClients(settings);
  const projector = startProjector({ database, log: silentLog, pollMs: 200 });
  const app = await buildApp({ settings, database, camunda });
  const running = workers
    ? await startWorkers({ zeebe: workerClients.zeebe, deps: createWorkerDependencies(database.db), log: silentLog })
    : undefined;
  return {
    app,
    database,
    camunda,
    projector,
    workers: running,
    async close() {
      await running?.stop();
      await app.close();
      await projector.stop();
      await workerClients.close();
      await camunda.close();
      await database.close();
    },
  };
}

/** Polls until `check` returns a value that is not undefined/false, or fails with the last error. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
