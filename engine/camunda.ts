import { Camunda8 } from '@camunda8/sdk';
import type { Settings } from '../config/settings.ts';
import { EngineUnavailableError } from './errors.ts';
import { createEngineRest, type EngineRest } from './rest.ts';

export type ZeebeClient = ReturnType<Camunda8['getZeebeGrpcApiClient']>;

export interface CamundaClients {
  /** gRPC: deployments, instance creation, job streaming (stable across engine versions). */
  zeebe: ZeebeClient;
  /** REST v2: user tasks, topology. */
  rest: EngineRest;
  close(): Promise<void>;
}

/**
 * Builds the engine clients once per process. `failFast` turns off the gRPC client's own
 * reconnect loop, so an API request fails at once (503) when the engine is down instead of
 * waiting for it; workers keep the retries.
 */
export function createCamundaClients(
  settings: Pick<Settings, 'ZEEBE_GRPC_ADDRESS' | 'ZEEBE_REST_ADDRESS'> & { ENGINE_REQUEST_TIMEOUT_MS?: number },
  options: { failFast?: boolean } = {},
): CamundaClients {
  const c8 = new Camunda8({
    ZEEBE_GRPC_ADDRESS: settings.ZEEBE_GRPC_ADDRESS,
    ZEEBE_REST_ADDRESS: settings.ZEEBE_REST_ADDRESS,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_LOG_LEVEL: 'error',
    zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
    ...(options.failFast ? { ZEEBE_GRPC_CLIENT_RETRY: false } : {}),
  });
  return {
    zeebe: c8.getZeebeGrpcApiClient(),
    rest: createEngineRest(settings.ZEEBE_REST_ADDRESS, settings.ENGINE_REQUEST_TIMEOUT_MS ?? 5000),
    close: () => c8.closeAllClients(),
  };
}

export { EngineUnavailableError };

/** Bounds an engine call: a hung or refused call becomes EngineUnavailableError. */
export async function withEngineTimeout<T>(call: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EngineUnavailableError(`the engine did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([call, timeout]);
  } catch (e) {
    if (e instanceof EngineUnavailableError) throw e;
    if (isUnavailable(e)) throw new EngineUnavailableError(`the engine is unavailable (${what}): ${(e as Error).message}`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4) / RESOURCE_EXHAUSTED (8, the engine's backpressure), or a refused HTTP connection. */
export function isUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; cause?: { code?: unknown }; message?: string };
  return (
    err?.code === 14 ||
    err?.code === 4 ||
    err?.code === 8 ||
    err?.code === 'ECONNREFUSED' ||
    err?.cause?.code === 'ECONNREFUSED' ||
    /ECONNREFUSED|UNAVAILABLE|RESOURCE_EXHAUSTED|No connection established|fetch failed/i.test(err?.message ?? '')
  );
}

type PublishMessageRequest = Parameters<ZeebeClient['publishMessage']>[0];

/**
 * Publishes a message with a message id, once: when the engine still holds a message with that id
 * (gRPC ALREADY_EXISTS), an earlier attempt published it and a retried request has nothing to add.
 */
export async function publishMessageOnce(
  zeebe: ZeebeClient,
  message: PublishMessageRequest,
  timeoutMs: number,
  what: string,
): Promise<void> {
  try {
    await withEngineTimeout(zeebe.publishMessage(message), timeoutMs, what);
  } catch (e) {
    if (isAlreadyPublished(e)) return;
    throw e;
  }
}

/** gRPC ALREADY_EXISTS (6), as the engine answers a message id it still buffers. */
export function isAlreadyPublished(e: unknown): boolean {
  const err = e as { code?: unknown; message?: string };
  return err?.code === 6 || /ALREADY_EXISTS/.test(err?.message ?? '');
}
