import { inject } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../api/app.ts';
import { createUserRepository, toPrincipal } from '../../api/domain/auth/users.ts';
import { loadSettings } from '../../config/settings.ts';
import { connectDatabase, type Database } from '../../db/client.ts';
import { createOperatonClient, type OperatonClient } from '../../engine/operaton.ts';
import { createOperatonClock } from '../../engine/operaton-engine.ts';
import { startProjector, type Projector } from '../../read-model/projector.ts';
import { createWorkerDependencies } from '../../workers/dependencies.ts';
import { startWorkers, type RunningWorkers } from '../../workers/runner.ts';

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

type App = Awaited<ReturnType<typeof buildApp>>;

export interface Platform {
  /**
   * The API as the operations administrator: `app.inject` adds an admin token unless the request
   * carries its own Authorization header. Suites about processes act as admin; who may do what
   * is tested role by role in authorization.test.ts through `fastify` and `tokenFor`.
   */
  app: { inject(options: InjectOptions): Promise<LightMyRequestResponse> };
  /** The Fastify app itself, no token added. */
  fastify: App;
  /** A signed token for a demo user (api/domain/auth/users.ts), as POST /auth/login would issue. */
  tokenFor(username: string): Promise<string>;
  database: Database;
  /** Our Operaton client (the API's, no retries of its own beyond the request deadline). */
  engine: OperatonClient;
  /** The engine's test clock: timers fire from it. */
  clock: ReturnType<typeof createOperatonClock>;
  projector: Projector;
  workers?: RunningWorkers;
  close(): Promise<void>;
}

/** The real platform in-process: API (app.inject), read-model projector and, optionally, the real workers. */
export async function startPlatform({
  workers = true,
  env = {},
}: {
  workers?: boolean;
  /** Settings to override (config/settings.ts), e.g. HUB_CUSTOMER_CALLBACKS. */
  env?: Record<string, string>;
} = {}): Promise<Platform> {
  return startPlatformOn({
    databaseUrl: inject('databaseUrl'),
    engineUrl: inject('operatonUrl'),
    workers,
    // Test subscribers listen on loopback: let customers' hubs call back there (a test checks the default refuses it).
    settings: { HUB_CUSTOMER_CALLBACKS: 'any', ...env },
  });
}

/** startPlatform() for given addresses: the API, the projector and, optionally, the real workers in-process. */
export async function startPlatformOn({
  databaseUrl,
  engineUrl,
  workers = true,
  settings: overrides = {},
}: {
  databaseUrl: string;
  engineUrl: string;
  workers?: boolean;
  settings?: Record<string, string>;
}): Promise<Platform> {
  const settings = loadSettings({
    ...process.env,
    ...overrides,
    DATABASE_URL: databaseUrl,
    ENGINE_URL: engineUrl,
  });
  const database = connectDatabase(databaseUrl);
  const engine = createOperatonClient({ baseUrl: engineUrl, timeoutMs: settings.ENGINE_REQUEST_TIMEOUT_MS });
  const projector = startProjector({ database, log: silentLog, pollMs: 200 });
  // What was deployed before this suite (the run's setup, earlier suites) is in the read model before any test reads it.
  await projector.catchUp();
  const app = await buildApp({ settings, database, engine, log: silentLog });
  const running = workers
    ? await startWorkers({
        engine: createOperatonClient({ baseUrl: engineUrl }),
        deps: createWorkerDependencies(database.db),
        log: silentLog,
      })
    : undefined;
  const tokenFor = (username: string) => signTokenFor(app, database, username);
  const adminToken = await tokenFor('admin');
  return {
    app: {
      inject: (options) => app.inject({ ...options, headers: { authorization: `Bearer ${adminToken}`, ...(options.headers ?? {}) } }),
    },
    fastify: app,
    tokenFor,
    database,
    engine,
    clock: createOperatonClock(engineUrl),
    projector,
    workers: running,
    async close() {
      await running?.stop();
      await app.close();
      await projector.stop();
      await database.close();
    },
  };
}

/** A token for a demo user, signed by `app` as POST /auth/login would issue it. */
export async function signTokenFor(app: App, database: Database, username: string): Promise<string> {
  const user = await createUserRepository(database.db).findActive(username);
  if (!user) throw new Error(`no user ${username}: demo users are seeded by the global setup`);
  return app.jwt.sign(toPrincipal(user));
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

/**
 * Starts a process instance directly in the engine (suites that walk a process without its API),
 * with the business key the API would give it: the business object's id, or `acceptance-<month>`.
 */
export async function startInstance(
  platform: Pick<Platform, 'engine'>,
  { bpmnProcessId, variables, businessKey }: { bpmnProcessId: string; variables: Record<string, unknown>; businessKey?: string },
): Promise<{ processInstanceKey: string }> {
  const key =
    businessKey ??
    (['changeId', 'lineOrderId', 'ticketId', 'complaintId', 'orderId'].map((k) => variables[k]).find((v) => typeof v === 'string') as
      string | undefined) ??
    (typeof variables.month === 'string' ? `acceptance-${variables.month}` : undefined);
  const instance = await platform.engine.startProcess(bpmnProcessId, { businessKey: key, variables });
  return { processInstanceKey: instance.id };
}
