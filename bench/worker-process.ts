import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { pino } from 'pino';
import { connectDatabase } from '../db/client.ts';
import { createCamundaClients } from '../engine/camunda.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import type { JobDefinition } from '../workers/job-definition.ts';
import { jobDefinitions } from '../workers/registry.ts';
import { startWorkers } from '../workers/runner.ts';

/**
 * The real workers as a child process, for the benchmark and the fault-injection tests, with
 * three knobs (environment):
 * - WORKER_JOB_TIMEOUT_MS: the engine hands a job to another worker after this (a killed worker's
 *   jobs come back sooner than the production 60 s);
 * - WORKER_NOOP_TYPES: comma-separated job types completed at once with no variables (the
 *   benchmark's baseline process);
 * - WORKER_PICKUP_FILE: each handler start is appended as `jobKey,epochMs` (job pickup latency).
 * DATABASE_URL, ZEEBE_GRPC_ADDRESS and ZEEBE_REST_ADDRESS name the platform, as for workers/main.ts.
 */
const env = z
  .object({
    DATABASE_URL: z.string().url(),
    ZEEBE_GRPC_ADDRESS: z.string(),
    ZEEBE_REST_ADDRESS: z.string().url(),
    WORKER_JOB_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
    WORKER_NOOP_TYPES: z.string().default(''),
    WORKER_PICKUP_FILE: z.string().optional(),
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
  handler: (args) => {
    if (env.WORKER_PICKUP_FILE) pickups.push(`${args.job.key},${Date.now()}\n`);
    return d.handler(args);
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
const camunda = createCamundaClients(env);
const workers = await startWorkers({ zeebe: camunda.zeebe, deps: createWorkerDependencies(database.db), log, definitions });
const flusher = setInterval(flush, 500);
process.send?.('ready');

const shutdown = async () => {
  clearInterval(flusher);
  await workers.stop();
  flush();
  await camunda.close();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
