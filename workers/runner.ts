import type { Logger } from 'pino';
import { isUnavailable, type ZeebeClient } from '../engine/camunda.ts';
import type { WorkerDependencies } from './dependencies.ts';
import { BusinessError, PermanentJobError, type JobContext, type JobDefinition } from './job-definition.ts';
import { jobDefinitions } from './registry.ts';

/** What the runner needs of an activated job (the SDK's ZeebeJob satisfies it). */
export interface ActivatedJob {
  key: string;
  type: string;
  processInstanceKey: string;
  elementInstanceKey: string;
  elementId: string;
  bpmnProcessId: string;
  retries: number;
  variables: Record<string, unknown>;
  customHeaders?: Record<string, unknown>;
  complete(variables?: Record<string, unknown>): Promise<unknown>;
  error(error: { errorCode: string; errorMessage?: string; variables: Record<string, unknown> }): Promise<unknown>;
  fail(failure: { errorMessage: string; retries?: number; retryBackOff?: number }): Promise<unknown>;
}

/** Retry back-off for transient trouble: 2 s, 4 s, 8 s … capped at 2 minutes. */
export function retryBackoffMs(attempt: number): number {
  return Math.min(120_000, 2_000 * 2 ** Math.max(0, attempt - 1));
}

export function jobContext(job: ActivatedJob): JobContext {
  return {
    key: job.key,
    type: job.type,
    processInstanceKey: job.processInstanceKey,
    elementInstanceKey: job.elementInstanceKey,
    elementId: job.elementId,
    bpmnProcessId: job.bpmnProcessId,
    retries: job.retries,
    // The element instance outlives the job's retries and redeliveries, and a task entered
    // again (a loop) gets a new one: exactly the scope one side effect should have.
    idempotencyKey: `${job.bpmnProcessId}:${job.elementId}:${job.elementInstanceKey}`,
  };
}

/**
 * Runs one job through its definition and ends it in exactly one job action:
 * complete, BPMN error (business outcome), or fail with retries and back-off.
 */
export async function runJob(definition: JobDefinition, job: ActivatedJob, deps: WorkerDependencies, baseLog: Logger): Promise<unknown> {
  const context = jobContext(job);
  const businessKey = typeof job.variables.orderId === 'string' ? job.variables.orderId : undefined;
  const log = baseLog.child({ jobType: job.type, jobKey: job.key, processInstanceKey: job.processInstanceKey, businessKey });
  const input = definition.input.safeParse(job.variables);
  if (!input.success) {
    const problems = input.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    log.error({ problems }, 'job variables break the contract; raising an incident');
    return job.fail({ errorMessage: `invalid variables for ${job.type}: ${problems}`, retries: 0 });
  }
  const started = performance.now();
  try {
    const result = await definition.handler({ variables: input.data, job: context, deps, log });
    const output = definition.output.parse(result) as Record<string, unknown>;
    log.info({ ms: Math.round(performance.now() - started) }, 'job completed');
    return await job.complete(output);
  } catch (e) {
    if (e instanceof BusinessError) {
      log.info({ errorCode: e.code }, `business outcome: ${e.message}`);
      return job.error({ errorCode: e.code, errorMessage: e.message, variables: e.variables });
    }
    if (e instanceof PermanentJobError) {
      log.error({ err: e }, 'job cannot succeed; raising an incident');
      return job.fail({ errorMessage: e.message, retries: 0 });
    }
    const retries = Math.max(0, job.retries - 1);
    // Attempts so far, counted down from the retries left (BPMN sets 3–5).
    const backoff = retryBackoffMs(Math.max(1, 5 - retries));
    log.warn({ err: e, retriesLeft: retries, backoffMs: backoff }, 'transient failure; retrying with back-off');
    return job.fail({ errorMessage: (e as Error).message ?? String(e), retries, retryBackOff: backoff });
  }
}

/**
 * Opens a job stream, retrying with back-off while the engine pushes back (a busy engine answers
 * the first poll with RESOURCE_EXHAUSTED): a worker process must come up, not exit, under load.
 */
export async function openWithRetry<T>(open: () => Promise<T>, type: string, log: Logger, deadlineMs = 120_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (!isUnavailable(e) || Date.now() > deadline) throw e;
      const wait = Math.min(10_000, 250 * 2 ** (attempt - 1));
      log.warn({ jobType: type, code, attempt, waitMs: wait }, 'engine busy while opening the job stream; retrying');
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

/** Opens one gRPC job stream per job type (jobs are pushed as they are created). */
export async function startWorkers(options: {
  zeebe: ZeebeClient;
  deps: WorkerDependencies;
  log: Logger;
  definitions?: JobDefinition[];
  workerName?: string;
}): Promise<RunningWorkers> {
  const { zeebe, deps, log } = options;
  const workerName = options.workerName ?? `workers-${process.pid}`;
  const inFlight = new Set<Promise<unknown>>();
  const open = (definition: JobDefinition) =>
    zeebe.streamJobs({
      type: definition.type,
      worker: workerName,
      timeout: definition.timeoutMs ?? 60_000,
      pollInterval: 10_000,
      tenantIds: ['<default>'],
      taskHandler: (job) => {
        const run = runJob(definition, job as unknown as ActivatedJob, deps, log);
        inFlight.add(run);
        void run.finally(() => inFlight.delete(run));
        return run as never;
      },
    });
  const streams = await Promise.all(
    (options.definitions ?? jobDefinitions).map((definition) => openWithRetry(() => open(definition), definition.type, log)),
  );
  log.info({ jobTypes: (options.definitions ?? jobDefinitions).map((d) => d.type), workerName }, 'workers streaming jobs');
  return {
    async stop() {
      for (const s of streams) s.close();
      // Let running handlers end in a job action; the engine re-offers the rest after their timeout.
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 10_000))]);
    },
  };
}
