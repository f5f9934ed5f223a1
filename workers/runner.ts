import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { EngineConflictError, EngineRequestError, EngineUnavailableError } from '../engine/errors.ts';
import { fromVariableDtos, numericKey, type ExternalTask, type OperatonClient } from '../engine/operaton.ts';
import type { WorkerDependencies } from './dependencies.ts';
import { BusinessError, ERROR_ORDER_SINCE, PermanentJobError, type JobContext, type JobDefinition } from './job-definition.ts';
import { jobDefinitions } from './registry.ts';

/** How long the engine keeps a task for a worker when its definition names no `timeoutMs`. */
export const DEFAULT_LOCK_MS = 60_000;
/** Retries of a service task without a `retries` extension property. */
export const DEFAULT_RETRIES = 3;
/** Handlers running at once in one worker process. */
const DEFAULT_MAX_CONCURRENCY = 32;
/** How long one fetchAndLock waits for a task (the engine answers at once when one is created). */
const DEFAULT_POLL_TIMEOUT_MS = 20_000;
/** How long a task action (complete, BPMN error, failure) is retried while the engine is away. */
const ACTION_RETRY_WINDOW_MS = 60_000;
/** How long stop() waits for running handlers to end in their action. */
const STOP_GRACE_MS = 10_000;

/** A delivered task as the runner hands it to `runJob`: the engine's identity of it and its one action. */
export interface ActivatedJob {
  key: string;
  type: string;
  processInstanceKey: string;
  elementInstanceKey: string;
  elementId: string;
  bpmnProcessId: string;
  businessKey?: string | null;
  /** Retries left before this attempt. */
  retries: number;
  /** Retries the service task started with (its `retries` extension property). */
  initialRetries: number;
  variables: Record<string, unknown>;
  /** When the engine created the task, on the engine's clock (ISO), if it said. */
  createdAt?: string | null;
  complete(variables: Record<string, unknown>): Promise<unknown>;
  error(error: { errorCode: string; errorMessage?: string; variables: Record<string, unknown> }): Promise<unknown>;
  fail(failure: { errorMessage: string; errorDetails?: string; retries: number; retryTimeout: number }): Promise<unknown>;
}

/** Retry back-off for transient trouble: 2 s, 4 s, 8 s … capped at 2 minutes. */
export function retryBackoffMs(attempt: number): number {
  return Math.min(120_000, 2_000 * 2 ** Math.max(0, attempt - 1));
}

/** Back-off while the engine cannot be reached or answers with an error: 250 ms, 500 ms … capped at 5 s. */
export function engineBackoffMs(attempt: number): number {
  return Math.min(5_000, 250 * 2 ** Math.max(0, attempt - 1));
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
    // The activity instance outlives the task's retries and redeliveries, and a task entered
    // again (a loop) gets a new one: exactly the scope one side effect should have.
    idempotencyKey: `${job.bpmnProcessId}:${job.elementId}:${job.elementInstanceKey}`,
  };
}

/** The retries a task starts with: its service task's `retries` extension property. */
export function initialRetries(task: Pick<ExternalTask, 'extensionProperties'>): number {
  const declared = Number(task.extensionProperties?.retries);
  return Number.isInteger(declared) && declared >= 0 ? declared : DEFAULT_RETRIES;
}

/**
 * Runs one job through its definition and ends it in exactly one action:
 * complete, BPMN error (business outcome), or failure with retries and a retry timeout.
 */
export async function runJob(definition: JobDefinition, job: ActivatedJob, deps: WorkerDependencies, log: Logger): Promise<unknown> {
  const context = jobContext(job);
  const input = definition.input.safeParse(job.variables);
  if (!input.success) {
    const problems = input.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    log.error({ problems }, 'task variables break the contract; raising an incident');
    return job.fail({ errorMessage: `invalid variables for ${job.type}: ${problems}`, retries: 0, retryTimeout: 0 });
  }
  const started = performance.now();
  let result: unknown;
  try {
    result = await definition.handler({ variables: input.data, job: context, deps, log });
  } catch (e) {
    if (e instanceof BusinessError) {
      log.info({ errorCode: e.code }, `business outcome: ${e.message}`);
      const variables =
        definition.errorOrder === e.code ? { ...e.variables, [ERROR_ORDER_SINCE]: errorOrderSince(job, deps) } : e.variables;
      return job.error({ errorCode: e.code, errorMessage: e.message, variables });
    }
    const error = e instanceof Error ? e : new Error(String(e));
    if (e instanceof PermanentJobError) {
      log.error({ err: e }, 'task cannot succeed; raising an incident');
      return job.fail({ errorMessage: error.message, errorDetails: error.stack, retries: 0, retryTimeout: 0 });
    }
    const retries = Math.max(0, job.retries - 1);
    const backoff = retries > 0 ? retryBackoffMs(Math.max(1, job.initialRetries - retries)) : 0;
    if (retries > 0) log.warn({ err: e, retriesLeft: retries, backoffMs: backoff }, 'transient failure; retrying after back-off');
    else log.error({ err: e }, 'transient failure and no retries left; raising an incident');
    return job.fail({ errorMessage: error.message || String(e), errorDetails: error.stack, retries, retryTimeout: backoff });
  }
  const output = definition.output.safeParse(result);
  if (!output.success) {
    const problems = output.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    log.error({ problems }, 'handler output breaks the contract; raising an incident');
    return job.fail({ errorMessage: `invalid output of ${job.type}: ${problems}`, retries: 0, retryTimeout: 0 });
  }
  log.info({ ms: Math.round(performance.now() - started) }, 'task completed');
  // a check that passes ends its error order: a later error of it starts a clock of its own
  const cleared = definition.errorOrder && job.variables[ERROR_ORDER_SINCE] != null ? { [ERROR_ORDER_SINCE]: null } : {};
  return job.complete({ ...(output.data as Record<string, unknown>), ...cleared });
}

/**
 * When the error order was first raised: kept from the variable when the same check raised it before
 * (and has not passed since); else when the engine created this check's task, on the engine's clock
 * (the timers count on it; a worker's own clock may differ).
 */
function errorOrderSince(job: ActivatedJob, deps: WorkerDependencies): number {
  const since = job.variables[ERROR_ORDER_SINCE];
  if (typeof since === 'number' && Number.isFinite(since)) return since;
  const created = job.createdAt ? Date.parse(job.createdAt) : NaN;
  return Number.isFinite(created) ? created : deps.now().getTime();
}

type Verdict = 'gone' | 'taken' | 'unavailable' | 'refused';

/**
 * What an engine refusal of a task action means. Operaton answers 404 "External task with id … does
 * not exist" for a task that is gone (completed by a redelivery, or its instance cancelled) and 400
 * "… cannot be completed by worker 'a'. It is locked by worker 'b'." for one another worker holds.
 */
function verdictOf(e: unknown): Verdict {
  if (e instanceof EngineUnavailableError || e instanceof EngineConflictError) return 'unavailable';
  if (e instanceof EngineRequestError) {
    if (e.status === 404 || /does not exist|not found/i.test(e.message)) return 'gone';
    if (/locked by worker|cannot be (completed|reported|extended) by worker/i.test(e.message)) return 'taken';
  }
  return 'refused';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

let runnersInProcess = 0;

export interface RunningWorkers {
  stop(): Promise<void>;
}

export interface WorkerOptions {
  engine: OperatonClient;
  deps: WorkerDependencies;
  log: Logger;
  definitions?: JobDefinition[];
  /** The engine's name for this worker (its locks carry it); default `workers-<host>-<pid>`. */
  workerName?: string;
  /** Handlers running at once; a poll asks for no more tasks than there are free slots. */
  maxConcurrency?: number;
  /** How long one long poll waits for a task before asking again. */
  pollTimeoutMs?: number;
}

/**
 * Works the definitions' topics as Operaton external tasks: one long poll (fetchAndLock) for all
 * topics at a time, each task run through its definition by `runJob`, its lock extended while a long
 * handler works, and its one action retried while the engine is away. Polling never gives up.
 */
export function startWorkers(options: WorkerOptions): RunningWorkers {
  const { engine, deps, log } = options;
  const definitions = options.definitions ?? jobDefinitions;
  const workerId = options.workerName ?? `workers-${hostname()}-${process.pid}${++runnersInProcess > 1 ? `-${runnersInProcess}` : ''}`;
  const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  const pollTimeoutMs = options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
  const byTopic = new Map<string, JobDefinition>();
  for (const definition of definitions) {
    if (byTopic.has(definition.type)) throw new Error(`two worker definitions for the topic ${definition.type}`);
    byTopic.set(definition.type, definition);
  }
  const lockMs = (definition: JobDefinition) => definition.timeoutMs ?? DEFAULT_LOCK_MS;
  const topics = definitions.map((d) => ({ topicName: d.type, lockDuration: lockMs(d) }));

  const running = new Set<Promise<void>>();
  /** stop() was called: no new polls, back-off waits end. */
  const stopping = new AbortController();
  /** Gives up the pending long poll's HTTP request. */
  const pollAborted = new AbortController();
  let slotFreed: () => void = () => {};
  /** Resolves when a handler ends or the workers stop. */
  const freeSlot = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        slotFreed = () => {};
        stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      slotFreed = done;
      stopping.signal.addEventListener('abort', done, { once: true });
    });
  let polling = false;
  const retryWakeups = new Set<NodeJS.Timeout>();

  /**
   * Ends the task in one engine call, retried while the engine is away. Answers the engine's refusal
   * when it refused the action for good, nothing otherwise (done, or nothing more this worker can do).
   */
  async function settle(action: string, send: () => Promise<void>, taskLog: Logger): Promise<Error | undefined> {
    const deadline = Date.now() + ACTION_RETRY_WINDOW_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await send();
        return undefined;
      } catch (e) {
        const verdict = verdictOf(e);
        if (verdict === 'gone') {
          taskLog.info({ action, err: e }, 'the task is gone (done by a redelivery, or its instance ended); nothing to do');
          return undefined;
        }
        if (verdict === 'taken') {
          taskLog.warn({ action, err: e }, 'another worker holds the task now (our lock expired); it will do it');
          return undefined;
        }
        // A 5xx other than unavailability may be the engine's passing trouble (an NPE under load): try it a few times.
        const again = verdict === 'unavailable' || (e instanceof EngineRequestError && e.status >= 500 && attempt < 3);
        if (!again) {
          taskLog.error({ action, err: e }, 'the engine refused the task action');
          return e instanceof Error ? e : new Error(String(e));
        }
        if (Date.now() >= deadline) {
          taskLog.error({ action, err: e, attempts: attempt }, 'the engine stayed away; the task comes back when its lock expires');
          return undefined;
        }
        const wait = engineBackoffMs(attempt);
        taskLog.warn({ action, err: e, attempt, waitMs: wait }, 'task action failed; trying again');
        await sleep(wait);
      }
    }
  }

  /** Keeps the task's lock while its handler runs: extended by a full lock every half lock. */
  function keepLocked(task: ExternalTask, lock: number, taskLog: Logger): () => void {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const schedule = (ms: number) => {
      if (!done) timer = setTimeout(() => void extend(), ms);
    };
    const extend = async () => {
      try {
        await engine.extendLock(task.id, workerId, lock);
        taskLog.debug({ lockMs: lock }, 'lock extended');
        schedule(lock / 2);
      } catch (e) {
        const verdict = verdictOf(e);
        if (verdict === 'gone' || verdict === 'taken' || /expired/i.test((e as Error).message)) {
          taskLog.warn({ err: e }, 'lost the lock of a running task; its action may be refused');
          return;
        }
        taskLog.warn({ err: e }, 'could not extend the lock; trying again');
        schedule(Math.min(lock / 4, 2_000));
      }
    };
    schedule(lock / 2);
    return () => {
      done = true;
      clearTimeout(timer);
    };
  }

  /**
   * Operaton does not wake a pending long poll when a retry timeout runs out (only when a task is
   * created or unlocked), so at the due time of a retry we set we ask once more without waiting.
   */
  function wakeAtRetry(retryTimeout: number) {
    const timer = setTimeout(() => {
      retryWakeups.delete(timer);
      if (stopping.signal.aborted || !polling || running.size >= maxConcurrency) return;
      engine
        // No asyncResponseTimeout: answered at once, never queued beside (or, with unique worker requests, in place of) our long poll.
        .fetchAndLock({ workerId, maxTasks: 1, usePriority: true, topics })
        .then((tasks) => tasks.forEach(dispatchUnlessStopping))
        .catch((e: unknown) => log.debug({ err: e }, 'fetch at a retry due time failed; the next poll finds the task'));
    }, retryTimeout + 50);
    timer.unref();
    retryWakeups.add(timer);
  }

  async function work(task: ExternalTask) {
    const definition = byTopic.get(task.topicName)!;
    const taskLog = log.child({
      topic: task.topicName,
      externalTaskId: task.id,
      processInstanceId: task.processInstanceId,
      businessKey: task.businessKey ?? undefined,
      activityId: task.activityId,
    });
    const lock = lockMs(definition);
    const release = keepLocked(task, lock, taskLog);
    const initial = initialRetries(task);
    const fail = async (failure: { errorMessage: string; errorDetails?: string; retries: number; retryTimeout: number }) => {
      const refused = await settle('failure', () => engine.externalTaskFailure(task.id, workerId, failure), taskLog);
      if (!refused && failure.retries > 0) wakeAtRetry(failure.retryTimeout);
    };
    /** complete or BPMN error; one the engine refuses for good (e.g. the next step's expression fails) becomes an incident. */
    const finish = async (action: string, send: () => Promise<void>) => {
      const refused = await settle(action, send, taskLog);
      if (refused) await fail({ errorMessage: `the engine refused ${action}: ${refused.message}`, retries: 0, retryTimeout: 0 });
    };
    const job: ActivatedJob = {
      key: task.id,
      type: task.topicName,
      processInstanceKey: task.processInstanceId,
      elementInstanceKey: numericKey(task.activityInstanceId) ?? task.activityInstanceId,
      elementId: task.activityId,
      bpmnProcessId: task.processDefinitionKey,
      businessKey: task.businessKey,
      retries: task.retries ?? initial,
      initialRetries: initial,
      variables: fromVariableDtos(task.variables),
      createdAt: task.createTime,
      complete: (variables) => finish('complete', () => engine.completeExternalTask(task.id, workerId, variables)),
      error: (error) => finish('bpmnError', () => engine.externalTaskBpmnError(task.id, workerId, error)),
      fail,
    };
    try {
      await runJob(definition, job, deps, taskLog);
    } catch (e) {
      taskLog.error({ err: e }, 'the runner failed on a task; it comes back when its lock expires');
    } finally {
      release();
    }
  }

  function dispatch(task: ExternalTask) {
    const run = work(task).finally(() => {
      running.delete(run);
      slotFreed();
    });
    running.add(run);
  }

  /** A task that arrives after stop() goes back to the engine at once, for another worker. */
  function dispatchUnlessStopping(task: ExternalTask) {
    if (!stopping.signal.aborted) return dispatch(task);
    engine.unlockExternalTask(task.id).catch(() => {});
  }

  async function poll() {
    polling = true;
    for (let failures = 0; !stopping.signal.aborted;) {
      const free = maxConcurrency - running.size;
      if (free <= 0) {
        await freeSlot();
        continue;
      }
      let tasks: ExternalTask[];
      try {
        tasks = await engine.fetchAndLock({
          workerId,
          maxTasks: free,
          usePriority: true,
          asyncResponseTimeout: pollTimeoutMs,
          topics,
          signal: pollAborted.signal,
        });
        failures = 0;
      } catch (e) {
        if (stopping.signal.aborted) break;
        failures++;
        const wait = engineBackoffMs(failures);
        log.warn({ err: e, attempt: failures, waitMs: wait }, 'fetchAndLock failed; polling again after back-off');
        await sleep(wait + Math.random() * 100, stopping.signal);
        continue;
      }
      for (const task of tasks) dispatchUnlessStopping(task);
    }
    polling = false;
  }

  const polled = poll();
  log.info({ topics: definitions.map((d) => d.type), workerId, maxConcurrency }, 'workers polling external tasks');
  return {
    async stop() {
      stopping.abort();
      for (const timer of retryWakeups) clearTimeout(timer);
      // Operaton keeps a long poll pending until its timeout even when its client has gone, and locks new
      // tasks for it (they come back only when that lock expires). With the engine's servlet context parameter
      // `fetch-and-lock-unique-worker-request=true` a new request of the same worker replaces the pending one:
      // this one asks for nothing and ends at once, and the engine answers our pending poll now. Without that
      // setting it is harmless, and the poll aborted below may still lock a task for its remaining time.
      const replacePendingPoll = () =>
        engine.fetchAndLock({ workerId, maxTasks: 0, asyncResponseTimeout: 1, topics, signal: AbortSignal.timeout(2_000) }).catch(() => {});
      await replacePendingPoll();
      pollAborted.abort();
      await polled;
      // A poll the loop sent just as stop() was called can reach the engine after that request: it would wait
      // there for its whole timeout and lock a new task (60 s) for nobody. Once the loop has ended, nothing
      // of ours is sent after this second request, which replaces it. (Seen in bench/cluster.ts: an 80 s pickup.)
      await replacePendingPoll();
      // Let running handlers end in their action; the engine hands the rest to another worker when their locks expire.
      const graceOver = new AbortController();
      await Promise.race([Promise.allSettled([...running]), sleep(STOP_GRACE_MS, graceOver.signal)]);
      graceOver.abort();
      log.info({ unfinished: running.size }, 'workers stopped');
    },
  };
}
