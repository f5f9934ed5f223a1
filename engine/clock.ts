/**
 * The engine's controlled clock (engine started with zeebe.clock.controlled=true). Timers fire
 * from this clock, so tests move it forward instead of waiting. See docs/engine.md.
 */
export function createEngineClock(managementAddress: string) {
  const url = `${managementAddress.replace(/\/+$/, '')}/actuator/clock`;
  const call = async (method: string, path = '', body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok)
      throw new Error(`engine clock ${method} ${path || '/'} answered ${res.status}; is the engine started with a controlled clock?`);
    return res.status === 204 ? undefined : ((await res.json()) as { epochMilli: number });
  };
  return {
    async now(): Promise<Date> {
      return new Date((await call('GET'))!.epochMilli);
    },
    async advance(ms: number): Promise<Date> {
      return new Date((await call('POST', '/add', { offsetMilli: ms }))!.epochMilli);
    },
    async reset(): Promise<void> {
      await call('DELETE');
    },
  };
}
