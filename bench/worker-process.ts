import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { pino } from 'pino';
import { connectDatabase } from '../db/client.ts';
import { createOperatonClient } from '../engine/operaton.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import type { JobDefinition } from '../workers/job-definition.ts';
import { jobDefinitions } from '../workers/registry.ts';
import { startWorkers } from '../workers/runner.ts';

/**
 * The real workers as a child process, for the benchmark and the fault-injection tests, with
 * these knobs (environment):
 * - WORKER_JOB_TIMEOUT_MS: the lock on a fetched task; the engine hands it to another worker after
 *   this (a killed worker's tasks come back sooner than the production 60 s);
 * - WORKER_NOOP_TYPES: comma-separated job types completed at once with no variables (the
 *   benchmark's baseline process);
 * - WORKER_PICKUP_FILE: each handler start is appended as `jobKey,epochMs` (job pickup latency);
 * - WORKER_HOLD_MS: each handler holds its task this long after its work, before the task's action
 *   (tests/engine-cluster.test.ts kills an engine node while its worker holds tasks whose work is done);
 * - WORKER_POLL_TIMEOUT_MS: how long one long poll waits (bench/cluster.ts: a short poll).
 * DATABASE_URL and ENGINE_URL name the platform, as for workers/main.ts.
 */
const env = z
  .object({
    DATABASE_URL: z.string().url(),
    ENGINE_URL: z.string().url(),
    WORKER_JOB_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
    WORKER_NOOP_TYPES: z.string().default(''),
    WORKER_PICKUP_FILE: z.string().optional(),
    WORKER_HOLD_MS: z.coerce.number().int().min(0).default(0),
    WORKER_POLL_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
    LOG_LEVEL: z.string().default('warn'),
  })
  .parse(process.env);

const log = pino({ level: env.LOG_LEVEL, base: { service: 'workers' } });
const pickups: string[] = [];
const flush = () => {
  if (env.WORKER_PICKUP_FILE && pickups.length > 0) appendFileSync(env.WORKER_PICKUP_FILE, pickups.splice(0).join(''));
};
const timed = (d: JobDefinition): JobDefinition => ({
  ...d,
  ...(env.WORKER_JOB_TIMEOUT_MS ? { timeoutMs: env.WORKER_JOB_TIMEOUT_MS } : {}),
  handler: async (args) => {
    if (env.WORKER_PICKUP_FILE) pickups.push(`${args.job.key},${Date.now()}\n`);
    const result = await d.handler(args);
    if (env.WORKER_HOLD_MS > 0) await new Promise((r) => setTimeout(r, env.WORKER_HOLD_MS));
    return result;
  },
});
const noop = (type: string): JobDefinition => ({
  type,
  description: 'benchmark baseline: does nothing',
  input: z.looseObject({}),
  output: z.object({}),
  handler: async () => ({}),
});

const definitions = [
  ...jobDefinitions,
  ...env.WORKER_NOOP_TYPES.split(',')
    .filter(Boolean)
    .map((t) => noop(t)),
].map(timed);

const database = connectDatabase(env.DATABASE_URL);
const engine = createOperatonClient({ baseUrl: env.ENGINE_URL });
const workers = await startWorkers({
  engine,
  deps: createWorkerDependencies(database.db),
  log,
  definitions,
  ...(env.WORKER_POLL_TIMEOUT_MS ? { pollTimeoutMs: env.WORKER_POLL_TIMEOUT_MS } : {}),
});
const flusher = setInterval(flush, 500);
process.send?.('ready');

const shutdown = async () => {
  clearInterval(flusher);
  await workers.stop();
  flush();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
