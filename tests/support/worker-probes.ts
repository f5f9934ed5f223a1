import { z } from 'zod';
import type { Sql } from '../../db/client.ts';
import { defineJob, type JobContext } from '../../workers/job-definition.ts';

/**
 * A worker definition whose side effect can be counted (tests/worker-runner.test.ts, and the worker
 * it runs as a child process, tests/support/worker-child.ts): every delivery of a task is recorded,
 * and its side effect is one row keyed by `job.idempotencyKey`, written once however often the task
 * comes.
 */
export async function createProbeTables(sql: Sql): Promise<void> {
  await sql`create table if not exists test_worker_delivery (
    id bigserial primary key, topic text not null, idempotency_key text not null, external_task_id text not null,
    worker text not null, retries int not null, started_at timestamptz not null default clock_timestamp())`;
  await sql`create table if not exists test_worker_effect (
    idempotency_key text primary key, worker text not null, done_at timestamptz not null default clock_timestamp())`;
}

export async function dropProbeTables(sql: Sql): Promise<void> {
  await sql`drop table if exists test_worker_delivery, test_worker_effect`;
}

export interface Delivery {
  topic: string;
  idempotency_key: string;
  external_task_id: string;
  worker: string;
  retries: number;
  /** Epoch milliseconds. */
  started_at: number;
}

export async function deliveriesOf(sql: Sql, topic: string): Promise<Delivery[]> {
  return sql<Delivery[]>`
    select topic, idempotency_key, external_task_id, worker, retries, (extract(epoch from started_at) * 1000)::float8 as started_at
    from test_worker_delivery where topic = ${topic} order by id`;
}

export async function effectsOf(sql: Sql, idempotencyKeys: string[]): Promise<{ idempotency_key: string; worker: string }[]> {
  return sql`select idempotency_key, worker from test_worker_effect where idempotency_key = any(${idempotencyKeys}) order by done_at`;
}

export function sideEffectJob(options: {
  sql: Sql;
  topic: string;
  /** Written with each delivery and effect: which worker did it. */
  worker: string;
  /** The lock on a fetched task (the definition's timeoutMs). */
  lockMs: number;
  /** How long the handler works after its side effect. */
  workMs?: number;
  onStart?: (job: JobContext) => void;
}) {
  return defineJob({
    type: options.topic,
    description: 'test: records its delivery, does its side effect once per task, then works a while',
    input: z.looseObject({}),
    output: z.object({ effectDoneBy: z.string() }),
    timeoutMs: options.lockMs,
    async handler({ job }) {
      const { sql } = options;
      await sql`insert into test_worker_delivery (topic, idempotency_key, external_task_id, worker, retries)
                values (${job.type}, ${job.idempotencyKey}, ${job.key}, ${options.worker}, ${job.retries})`;
      await sql`insert into test_worker_effect (idempotency_key, worker) values (${job.idempotencyKey}, ${options.worker})
                on conflict (idempotency_key) do nothing`;
      options.onStart?.(job);
      if (options.workMs) await new Promise((r) => setTimeout(r, options.workMs));
      const [effect] = await sql<{ worker: string }[]>`select worker from test_worker_effect where idempotency_key = ${job.idempotencyKey}`;
      return { effectDoneBy: effect!.worker };
    },
  });
}
