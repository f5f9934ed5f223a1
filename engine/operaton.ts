import { z } from 'zod';
import { EngineConflictError, EngineRequestError, EngineUnavailableError } from './errors.ts';

/**
 * Our client of Operaton's REST API (`/engine-rest`): the calls the workers, the API, the
 * deployment and the tests make, each with a deadline, its answer checked against a zod schema,
 * and the engine's refusals turned into our error types (see docs/decisions.md for why this is
 * ours and not generated: Operaton's OpenAPI artifact is not served from Maven Central here).
 *
 * Variables travel flat (strings, numbers, booleans) or as JSON objects and lists, which our
 * engine app stores with its JSON serializer (engine/src/.../JsonValueSerializer.java).
 */

/** A variable as the REST API carries it. */
export const VariableDtoSchema = z.object({
  type: z.string().nullish(),
  value: z.unknown(),
  valueInfo: z.record(z.string(), z.unknown()).nullish(),
});
export type VariableDto = z.infer<typeof VariableDtoSchema>;
export type Variables = Record<string, unknown>;

const INT32_MAX = 2 ** 31 - 1;

/** One JavaScript value as a typed REST variable. Objects and arrays become JSON object variables. */
export function toVariableDto(value: unknown): VariableDto {
  if (value === null || value === undefined) return { type: 'Null', value: null };
  if (typeof value === 'string') return { type: 'String', value };
  if (typeof value === 'boolean') return { type: 'Boolean', value };
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return { type: Math.abs(value) <= INT32_MAX ? 'Integer' : 'Long', value };
    return { type: 'Double', value };
  }
  if (value instanceof Date) return { type: 'String', value: value.toISOString() };
  return {
    type: 'Object',
    value: JSON.stringify(value),
    valueInfo: { serializationDataFormat: 'application/json', objectTypeName: Array.isArray(value) ? 'java.util.List' : 'java.util.Map' },
  };
}

export function toVariableDtos(variables: Variables | undefined): Record<string, VariableDto> {
  const out: Record<string, VariableDto> = {};
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (value !== undefined) out[name] = toVariableDto(value);
  }
  return out;
}

/** Typed REST variables (fetched with deserializeValues) back to plain values. */
export function fromVariableDtos(dtos: Record<string, VariableDto> | null | undefined): Variables {
  const out: Variables = {};
  for (const [name, dto] of Object.entries(dtos ?? {})) {
    let value = dto.value;
    // A JSON object variable fetched without deserialisation arrives as its text.
    if (dto.type === 'Object' && typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        /* keep the text */
      }
    }
    out[name] = value ?? null;
  }
  return out;
}

export const ExternalTaskSchema = z.object({
  id: z.string(),
  topicName: z.string(),
  workerId: z.string().nullish(),
  activityId: z.string(),
  activityInstanceId: z.string(),
  executionId: z.string(),
  processInstanceId: z.string(),
  processDefinitionId: z.string(),
  processDefinitionKey: z.string(),
  businessKey: z.string().nullish(),
  retries: z.number().int().nullish(),
  priority: z.number().nullish(),
  errorMessage: z.string().nullish(),
  lockExpirationTime: z.string().nullish(),
  /** When the engine created the task, on the engine's clock. */
  createTime: z.string().nullish(),
  variables: z.record(z.string(), VariableDtoSchema).nullish(),
  extensionProperties: z.record(z.string(), z.string()).nullish(),
});
export type ExternalTask = z.infer<typeof ExternalTaskSchema>;

export const TaskSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  assignee: z.string().nullish(),
  created: z.string().nullish(),
  due: z.string().nullish(),
  priority: z.number(),
  processInstanceId: z.string().nullish(),
  processDefinitionId: z.string().nullish(),
  executionId: z.string().nullish(),
  taskDefinitionKey: z.string().nullish(),
  operatonFormRef: z.object({ key: z.string(), binding: z.string().nullish(), version: z.number().nullish() }).nullish(),
});
export type Task = z.infer<typeof TaskSchema>;

const ProcessInstanceSchema = z.object({
  id: z.string(),
  definitionId: z.string().nullish(),
  businessKey: z.string().nullish(),
  ended: z.boolean().nullish(),
});
export type ProcessInstance = z.infer<typeof ProcessInstanceSchema>;

const DefinitionSchema = z.object({
  id: z.string(),
  key: z.string(),
  version: z.number(),
  name: z.string().nullish(),
  resource: z.string().nullish(),
  deploymentId: z.string().nullish(),
});
const DeploymentSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  deployedProcessDefinitions: z.record(z.string(), DefinitionSchema).nullish(),
  deployedDecisionDefinitions: z.record(z.string(), DefinitionSchema).nullish(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

const IncidentSchema = z.object({
  id: z.string(),
  incidentType: z.string(),
  processInstanceId: z.string().nullish(),
  activityId: z.string().nullish(),
  configuration: z.string().nullish(),
  incidentMessage: z.string().nullish(),
});
export type Incident = z.infer<typeof IncidentSchema>;

const EventSubscriptionSchema = z.object({
  id: z.string(),
  eventType: z.string(),
  eventName: z.string().nullish(),
  activityId: z.string().nullish(),
  processInstanceId: z.string().nullish(),
  executionId: z.string().nullish(),
});
export type EventSubscription = z.infer<typeof EventSubscriptionSchema>;

const ErrorBodySchema = z.object({ type: z.string().nullish(), message: z.string().nullish() }).passthrough();

export interface FetchAndLockTopic {
  topicName: string;
  lockDuration: number;
  /** Only these variables (all when omitted). */
  variables?: string[];
  /** Only tasks of instances with this business key. */
  businessKey?: string;
}

export interface OperatonClientOptions {
  /** The engine's base address, e.g. http://127.0.0.1:8080 (the REST API is under /engine-rest). */
  baseUrl: string;
  /** Deadline of a call (long polls add their own wait). */
  timeoutMs?: number;
}

export type OperatonClient = ReturnType<typeof createOperatonClient>;

/** What Operaton's REST API names an exception it met because its database could not be reached. */
const ENGINE_DATABASE_DOWN_TYPES = new Set([
  'CannotCreateTransactionException',
  'DataAccessResourceFailureException',
  'CannotGetJdbcConnectionException',
  'TransactionSystemException',
  'SQLTransientConnectionException',
]);

export function createOperatonClient({ baseUrl, timeoutMs = 5000 }: OperatonClientOptions) {
  const base = `${baseUrl.replace(/\/+$/, '').replace(/\/engine-rest$/, '')}/engine-rest`;

  async function call<T>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      form?: FormData;
      query?: Record<string, string | number | boolean | undefined>;
      schema?: z.ZodType<T>;
      extraMs?: number;
      /** Gives up early (e.g. a worker stopping aborts its long poll); the call then fails as unavailable. */
      signal?: AbortSignal;
    } = {},
  ): Promise<T> {
    const query = Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined);
    const url = `${base}${path}${query.length ? `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)]))}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
        body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        signal: options.signal
          ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs + (options.extraMs ?? 0))])
          : AbortSignal.timeout(timeoutMs + (options.extraMs ?? 0)),
      });
    } catch (e) {
      throw new EngineUnavailableError(`the engine at ${baseUrl} did not answer ${method} ${path}: ${(e as Error).message}`);
    }
    if (res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504) {
      await res.body?.cancel().catch(() => {});
      throw new EngineUnavailableError(`the engine answered ${res.status} to ${method} ${path}`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let parsed: z.infer<typeof ErrorBodySchema> | undefined;
      try {
        parsed = ErrorBodySchema.parse(JSON.parse(text));
      } catch {
        parsed = undefined;
      }
      const type = parsed?.type ?? undefined;
      const message = `the engine refused ${method} ${path} (${res.status}${type ? ` ${type}` : ''}): ${(parsed?.message ?? text).slice(0, 500)}`;
      // Operaton wraps some optimistic-locking failures in a RestException (ENGINE-03005 "… updated by another transaction concurrently");
      // a persistence exception is, in practice, the same race seen by the database (a child execution inserted by a concurrent
      // command makes a delete violate the executions' foreign key; also the engine's database dropping a connection mid-command,
      // which a task completion reports as a RestException "… persistence layer"): retryable too, 503 if it persists.
      // The engine's own database is away (it keeps everything in PostgreSQL): a moment's unavailability, as a refused connection.
      if (
        (type && ENGINE_DATABASE_DOWN_TYPES.has(type)) ||
        /Could not open JDBC Connection|Connection is not available|An I\/O error occurred|Connection refused|This connection has been closed/i.test(
          parsed?.message ?? '',
        )
      ) {
        throw new EngineUnavailableError(message);
      }
      if (
        type === 'OptimisticLockingException' ||
        type === 'ProcessEnginePersistenceException' ||
        // ENGINE-03077 "Cannot resolve parent … perhaps it was deleted in the meantime": a concurrent branch (an escalation
        // timer's token ending) pruned the execution tree this command had loaded; the command was rolled back whole.
        /OptimisticLockingException|ENGINE-03005|ENGINE-03077|updated by another transaction concurrently|exception occurred in the persistence layer/.test(
          parsed?.message ?? '',
        )
      ) {
        throw new EngineConflictError(res.status, message, type);
      }
      throw new EngineRequestError(res.status, message, type);
    }
    if (res.status === 204 || !options.schema) {
      await res.body?.cancel().catch(() => {});
      return undefined as T;
    }
    const json: unknown = await res.json();
    const checked = options.schema.safeParse(json);
    if (!checked.success)
      throw new EngineRequestError(res.status, `unexpected answer to ${method} ${path}: ${checked.error.message.slice(0, 300)}`);
    return checked.data;
  }

  return {
    baseUrl,

    /** The engine answers (its engine list holds the default engine). */
    async healthy(): Promise<boolean> {
      try {
        const engines = await call('GET', '/engine', { schema: z.array(z.object({ name: z.string() })) });
        return engines.some((e) => e.name === 'default');
      } catch {
        return false;
      }
    },

    async version(): Promise<string> {
      return (await call('GET', '/version', { schema: z.object({ version: z.string() }) })).version;
    },

    // ── Deployments and definitions ───────────────────────────────────────────
    /** One deployment of several resources; with `changedOnly`, resources unchanged since the last deployment of that name are not deployed again. */
    async deploy(
      name: string,
      resources: { name: string; content: string | Uint8Array }[],
      { changedOnly = true } = {},
    ): Promise<Deployment> {
      const form = new FormData();
      form.set('deployment-name', name);
      form.set('deploy-changed-only', String(changedOnly));
      form.set('enable-duplicate-filtering', String(changedOnly));
      for (const r of resources) form.append(r.name, new Blob([r.content]), r.name);
      return call('POST', '/deployment/create', { form, schema: DeploymentSchema, extraMs: 30_000 });
    },

    async processDefinitionXml(id: string): Promise<string> {
      return (await call('GET', `/process-definition/${encodeURIComponent(id)}/xml`, { schema: z.object({ bpmn20Xml: z.string() }) }))
        .bpmn20Xml;
    },

    /** The DMN XML of a deployed decision definition (the whole resource it came from). */
    async decisionDefinitionXml(id: string): Promise<string> {
      return (await call('GET', `/decision-definition/${encodeURIComponent(id)}/xml`, { schema: z.object({ dmnXml: z.string() }) })).dmnXml;
    },

    /** Deployed process or decision definitions, e.g. the latest version of a key (`{ key, latestVersion: true }`). */
    async definitions(
      kind: 'process' | 'decision',
      query: { key?: string; latestVersion?: boolean; deploymentId?: string },
    ): Promise<z.infer<typeof DefinitionSchema>[]> {
      return call('GET', kind === 'process' ? '/process-definition' : '/decision-definition', { query, schema: z.array(DefinitionSchema) });
    },

    /** The resources (files) a deployment holds: only those it deployed anew when unchanged ones were skipped. */
    async deploymentResources(deploymentId: string): Promise<{ id: string; name: string }[]> {
      return call('GET', `/deployment/${encodeURIComponent(deploymentId)}/resources`, {
        schema: z.array(z.object({ id: z.string(), name: z.string() })),
      });
    },

    async evaluateDecision(key: string, variables: Variables): Promise<Variables[]> {
      const rows = await call('POST', `/decision-definition/key/${encodeURIComponent(key)}/evaluate`, {
        body: { variables: toVariableDtos(variables) },
        schema: z.array(z.record(z.string(), VariableDtoSchema)),
      });
      return rows.map((r) => fromVariableDtos(r));
    },

    // ── Process instances ────────────────────────────────────────────────────
    async startProcess(
      key: string,
      { businessKey, variables }: { businessKey?: string; variables?: Variables } = {},
    ): Promise<ProcessInstance> {
      return call('POST', `/process-definition/key/${encodeURIComponent(key)}/start`, {
        body: { businessKey, variables: toVariableDtos(variables) },
        schema: ProcessInstanceSchema,
      });
    },

    async processInstance(id: string): Promise<ProcessInstance | undefined> {
      try {
        return await call('GET', `/process-instance/${encodeURIComponent(id)}`, { schema: ProcessInstanceSchema });
      } catch (e) {
        if (e instanceof EngineRequestError && e.status === 404) return undefined;
        throw e;
      }
    },

    async processInstances(query: {
      businessKey?: string;
      processDefinitionKey?: string;
      superProcessInstance?: string;
    }): Promise<ProcessInstance[]> {
      return call('GET', '/process-instance', { query, schema: z.array(ProcessInstanceSchema) });
    },

    /** Cancels a running instance (its end event carries `reason` as the delete reason); an instance already gone is not an error. */
    async cancelProcessInstance(id: string, reason?: string): Promise<'cancelled' | 'not-found'> {
      try {
        await call('POST', '/process-instance/delete', {
          body: { processInstanceIds: [id], deleteReason: reason, skipCustomListeners: false, skipSubprocesses: false },
          schema: z.unknown(),
        });
      } catch (e) {
        if (e instanceof EngineRequestError && e.status === 404) return 'not-found';
        throw e;
      }
      return 'cancelled';
    },

    /**
     * Cancels at once (synchronously) an instance, skipping nothing; 'not-found' when it has already
     * ended. A delete that meets a concurrent change of the instance (a worker completing a task in it)
     * is simply tried again.
     */
    async deleteProcessInstance(id: string): Promise<'cancelled' | 'not-found'> {
      try {
        await retryOnConflict(() => call('DELETE', `/process-instance/${encodeURIComponent(id)}`, { query: { failIfNotExists: true } }));
        return 'cancelled';
      } catch (e) {
        if (e instanceof EngineRequestError && e.status === 404) return 'not-found';
        throw e;
      }
    },

    async variables(processInstanceId: string): Promise<Variables> {
      const dtos = await call('GET', `/process-instance/${encodeURIComponent(processInstanceId)}/variables`, {
        query: { deserializeValues: true },
        schema: z.record(z.string(), VariableDtoSchema),
      });
      return fromVariableDtos(dtos);
    },

    async setVariables(processInstanceId: string, variables: Variables): Promise<void> {
      await call('POST', `/process-instance/${encodeURIComponent(processInstanceId)}/variables`, {
        body: { modifications: toVariableDtos(variables) },
      });
    },

    /** Message subscriptions an instance (or its children, by business key) waits on right now. */
    async eventSubscriptions(query: {
      processInstanceId?: string;
      eventName?: string;
      eventType?: 'message' | 'signal' | 'conditional';
    }): Promise<EventSubscription[]> {
      return call('GET', '/event-subscription', { query, schema: z.array(EventSubscriptionSchema) });
    },

    /**
     * Correlates a message to what waits for it now (Operaton keeps no message for later): by
     * business key, process instance or process variables. Answers 'no-match' when nothing waits.
     */
    async correlateMessage(message: {
      messageName: string;
      businessKey?: string;
      processInstanceId?: string;
      correlationKeys?: Variables;
      processVariables?: Variables;
      all?: boolean;
    }): Promise<'correlated' | 'no-match'> {
      try {
        await call('POST', '/message', {
          body: {
            messageName: message.messageName,
            businessKey: message.businessKey,
            processInstanceId: message.processInstanceId,
            correlationKeys: message.correlationKeys ? toVariableDtos(message.correlationKeys) : undefined,
            processVariables: toVariableDtos(message.processVariables),
            all: message.all ?? false,
          },
        });
        return 'correlated';
      } catch (e) {
        if (
          e instanceof EngineRequestError &&
          e.status === 400 &&
          /MismatchingMessageCorrelation|No process definition or execution matches/i.test(e.message)
        ) {
          return 'no-match';
        }
        throw e;
      }
    },

    // ── User tasks ───────────────────────────────────────────────────────────
    async task(id: string): Promise<Task | undefined> {
      try {
        return await call('GET', `/task/${encodeURIComponent(id)}`, { schema: TaskSchema });
      } catch (e) {
        if (e instanceof EngineRequestError && e.status === 404) return undefined;
        throw e;
      }
    },

    async tasks(query: {
      processInstanceId?: string;
      taskDefinitionKey?: string;
      candidateGroup?: string;
      processInstanceBusinessKey?: string;
    }): Promise<Task[]> {
      return call('GET', '/task', { query, schema: z.array(TaskSchema) });
    },

    async claimTask(id: string, userId: string): Promise<void> {
      await call('POST', `/task/${encodeURIComponent(id)}/claim`, { body: { userId } });
    },

    /** Sets the assignee whoever held it (a takeover); null frees the task. */
    async setAssignee(id: string, userId: string | null): Promise<void> {
      await call('POST', `/task/${encodeURIComponent(id)}/assignee`, { body: { userId } });
    },

    async unclaimTask(id: string): Promise<void> {
      await call('POST', `/task/${encodeURIComponent(id)}/unclaim`, { body: {} });
    },

    async completeTask(id: string, variables: Variables): Promise<void> {
      await call('POST', `/task/${encodeURIComponent(id)}/complete`, { body: { variables: toVariableDtos(variables) } });
    },

    // ── External tasks (workers) ─────────────────────────────────────────────
    /** Long poll: answers as soon as a task of these topics is there, or after `asyncResponseTimeout` with none. */
    async fetchAndLock(request: {
      workerId: string;
      maxTasks: number;
      /** Omitted: answers at once, without joining the engine's queue of pending long polls. */
      asyncResponseTimeout?: number;
      topics: FetchAndLockTopic[];
      usePriority?: boolean;
      /** Aborts the long poll (a stopping worker); Operaton keeps the request pending until its timeout regardless. */
      signal?: AbortSignal;
    }): Promise<ExternalTask[]> {
      return call('POST', '/external-task/fetchAndLock', {
        body: {
          workerId: request.workerId,
          maxTasks: request.maxTasks,
          usePriority: request.usePriority ?? true,
          asyncResponseTimeout: request.asyncResponseTimeout,
          topics: request.topics.map((t) => ({
            topicName: t.topicName,
            lockDuration: t.lockDuration,
            variables: t.variables,
            businessKey: t.businessKey,
            deserializeValues: true,
            includeExtensionProperties: true,
          })),
        },
        schema: z.array(ExternalTaskSchema),
        extraMs: request.asyncResponseTimeout,
        signal: request.signal,
      });
    },

    async completeExternalTask(id: string, workerId: string, variables: Variables, localVariables?: Variables): Promise<void> {
      await call('POST', `/external-task/${encodeURIComponent(id)}/complete`, {
        body: { workerId, variables: toVariableDtos(variables), localVariables: toVariableDtos(localVariables) },
      });
    },

    async externalTaskBpmnError(
      id: string,
      workerId: string,
      error: { errorCode: string; errorMessage?: string; variables?: Variables },
    ): Promise<void> {
      await call('POST', `/external-task/${encodeURIComponent(id)}/bpmnError`, {
        body: { workerId, errorCode: error.errorCode, errorMessage: error.errorMessage, variables: toVariableDtos(error.variables) },
      });
    },

    /** Reports a failure: with retries > 0 the task comes back after retryTimeout ms; with 0 an incident is raised. */
    async externalTaskFailure(
      id: string,
      workerId: string,
      failure: { errorMessage: string; errorDetails?: string; retries: number; retryTimeout: number },
    ): Promise<void> {
      await call('POST', `/external-task/${encodeURIComponent(id)}/failure`, {
        body: {
          workerId,
          errorMessage: failure.errorMessage.slice(0, 3900),
          errorDetails: failure.errorDetails,
          retries: failure.retries,
          retryTimeout: failure.retryTimeout,
        },
      });
    },

    async extendLock(id: string, workerId: string, newDuration: number): Promise<void> {
      await call('POST', `/external-task/${encodeURIComponent(id)}/extendLock`, { body: { workerId, newDuration } });
    },

    async unlockExternalTask(id: string): Promise<void> {
      await call('POST', `/external-task/${encodeURIComponent(id)}/unlock`);
    },

    async setExternalTaskRetries(id: string, retries: number): Promise<void> {
      await call('PUT', `/external-task/${encodeURIComponent(id)}/retries`, { body: { retries } });
    },

    async externalTasks(query: {
      processInstanceId?: string;
      topicName?: string;
      activityId?: string;
      locked?: boolean;
    }): Promise<ExternalTask[]> {
      return call('GET', '/external-task', { query, schema: z.array(ExternalTaskSchema) });
    },

    // ── Jobs and incidents ────────────────────────────────────────────────────
    async incidents(query: { processInstanceId?: string; incidentId?: string }): Promise<Incident[]> {
      return call('GET', '/incident', { query, schema: z.array(IncidentSchema) });
    },

    async setJobRetries(id: string, retries: number): Promise<void> {
      await call('PUT', `/job/${encodeURIComponent(id)}/retries`, { body: { retries } });
    },
  };
}

/** The numeric part of an engine id (`intake-order:12345` → `12345`; ids are numeric with our engine's id generator). */
export function numericKey(id: string | null | undefined): string | null {
  if (!id) return null;
  const m = /(\d+)$/.exec(id);
  return m ? m[1]! : null;
}

/** Retries a command while it loses an optimistic-locking race (a concurrent command changed the same instance). */
export async function retryOnConflict<T>(command: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await command();
    } catch (e) {
      if (!(e instanceof EngineConflictError) || attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.random() * 20));
    }
  }
}
