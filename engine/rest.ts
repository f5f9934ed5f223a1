import { EngineRequestError, EngineUnavailableError } from './errors.ts';

export { EngineRequestError };

export interface Topology {
  gatewayVersion: string;
  partitionsCount: number;
  brokers: { partitions: { partitionId: number; role: string; health: string }[] }[];
}

/**
 * The few REST v2 calls we make, on fetch with a deadline. Why not the SDK's REST client: against
 * an engine that is down, its request library raises uncaught rejections after the caller has
 * given up (seen in tests), which would crash the API process. See docs/decisions.md.
 */
export function createEngineRest(baseUrl: string, timeoutMs: number) {
  const base = baseUrl.replace(/\/+$/, '').replace(/\/v2$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${base}/v2${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new EngineUnavailableError(`the engine at ${base} did not answer ${method} ${path}: ${(e as Error).message}`);
    }
    if (res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504) {
      // 429: the engine's backpressure (its request limit is exhausted), a moment's unavailability, not the caller's fault
      await res.body?.cancel().catch(() => {});
      throw new EngineUnavailableError(`the engine answered ${res.status} to ${method} ${path}`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new EngineRequestError(res.status, `the engine refused ${method} ${path} (${res.status}): ${text.slice(0, 500)}`);
    }
    return res;
  }
  return {
    async topology(): Promise<Topology> {
      return (await call('GET', '/topology')).json() as Promise<Topology>;
    },
    async completeUserTask(userTaskKey: string, variables: Record<string, unknown>): Promise<void> {
      await call('POST', `/user-tasks/${encodeURIComponent(userTaskKey)}/completion`, { variables });
    },
    /** Claims a task for `assignee`; refused (409) when someone else holds it and `allowOverride` is false. */
    async assignUserTask(userTaskKey: string, assignee: string, allowOverride: boolean): Promise<void> {
      await call('POST', `/user-tasks/${encodeURIComponent(userTaskKey)}/assignment`, { assignee, allowOverride, action: 'claim' });
    },
    async unassignUserTask(userTaskKey: string): Promise<void> {
      await call('DELETE', `/user-tasks/${encodeURIComponent(userTaskKey)}/assignee`);
    },
  };
}
export type EngineRest = ReturnType<typeof createEngineRest>;
