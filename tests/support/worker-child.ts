import { pino } from 'pino';
import { z } from 'zod';
import { connectDatabase } from '../../db/client.ts';
import { createOperatonClient } from '../../engine/operaton.ts';
import { createWorkerDependencies } from '../../workers/dependencies.ts';
import { startWorkers } from '../../workers/runner.ts';
import { sideEffectJob } from './worker-probes.ts';

/**
 * The runner with one side-effect probe as a process of its own, for tests/worker-runner.test.ts to
 * SIGKILL in the middle of a handler. Prints `started <external task id>` on stdout when a handler
 * has done its side effect; its log goes to stderr.
 */
const env = z
  .object({
    ENGINE_URL: z.string().url(),
    DATABASE_URL: z.string().url(),
    WORKER_NAME: z.string(),
    TOPIC: z.string(),
    LOCK_MS: z.coerce.number().int().positive(),
    WORK_MS: z.coerce.number().int().min(0),
    LOG_LEVEL: z.string().default('warn'),
  })
  .parse(process.env);

const log = pino({ level: env.LOG_LEVEL, base: { service: 'worker-child' } }, pino.destination(2));
const database = connectDatabase(env.DATABASE_URL, { max: 2 });
const workers = startWorkers({
  engine: createOperatonClient({ baseUrl: env.ENGINE_URL }),
  deps: createWorkerDependencies(database.db),
  log,
  workerName: env.WORKER_NAME,
  definitions: [
    sideEffectJob({
      sql: database.sql,
      topic: env.TOPIC,
      worker: env.WORKER_NAME,
      lockMs: env.LOCK_MS,
      workMs: env.WORK_MS,
      onStart: (job) => process.stdout.write(`started ${job.key}\n`),
    }),
  ],
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void workers
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
