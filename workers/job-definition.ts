import type { z } from 'zod';
import type { Logger } from 'pino';
import type { WorkerDependencies } from './dependencies.ts';

/** What a handler knows of the job it works on: the engine's identity of it. */
export interface JobContext {
  key: string;
  type: string;
  processInstanceKey: string;
  elementInstanceKey: string;
  elementId: string;
  bpmnProcessId: string;
  retries: number;
  /** A key stable across retries and redeliveries of this job: use it to make side effects idempotent. */
  idempotencyKey: string;
}

export interface HandlerArgs<I> {
  variables: I;
  job: JobContext;
  deps: WorkerDependencies;
  log: Logger;
}

/** One job type: its contract (type, input, output) and its handler. */
export interface JobDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  type: string;
  description: string;
  input: I;
  output: O;
  /** How long the engine waits for this job before handing it to another worker. */
  timeoutMs?: number;
  /**
   * The error code this check raises as an error order (错单), if any. The escalation clock of an
   * error order starts when it is first raised and keeps running when the same check raises it again
   * after a correction: the runner keeps `errorOrderSince` (epoch ms) on a repeat and clears it once
   * the check passes (see ERROR_ORDER_SINCE).
   */
  errorOrder?: string;
  handler(args: HandlerArgs<z.infer<I>>): Promise<z.infer<O>>;
}

export function defineJob<I extends z.ZodType, O extends z.ZodType>(definition: JobDefinition<I, O>): JobDefinition<I, O> {
  return definition;
}

/**
 * The variable holding when an error order was first raised (epoch ms): the fix task's due date and
 * its escalation timers count from it (`${dateTime().withMillis(errorOrderSince).plusHours(4).toDate()}`,
 * from now when a raiser other than our runner left it unset), and its escalations pass it on as
 * `clockStartedAt` so a level is escalated once per clock (workers/job-types/escalate.ts).
 */
export const ERROR_ORDER_SINCE = 'errorOrderSince';

/** A business outcome the process models with an error boundary event (job.error). */
export class BusinessError extends Error {
  override name = 'BusinessError';
  readonly code: string;
  readonly variables: Record<string, unknown>;
  constructor(code: string, message: string, variables: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.variables = variables;
  }
}

/**
 * Data that no retry can fix (e.g. variables that break the contract): the job fails with no
 * retries left, so an incident shows it to a person.
 */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}
