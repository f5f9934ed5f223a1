import { EngineConflictError, EngineRequestError, EngineUnavailableError } from '../../engine/errors.ts';
import { retryOnConflict } from '../../engine/operaton.ts';

/**
 * One engine command as the API sends it: tried again while it loses an optimistic-locking race
 * (a worker or another request changed the same instance at that moment; nothing was changed by
 * the losing attempt), and answered 503 with Retry-After, never 500, if it keeps losing. Each call
 * has the client's own deadline (ENGINE_REQUEST_TIMEOUT_MS); `timeoutMs` bounds the whole command.
 */
export async function engineCommand<T>(what: string, command: () => Promise<T>, { timeoutMs }: { timeoutMs?: number } = {}): Promise<T> {
  const attempt = retryOnConflict(command).catch((e: unknown) => {
    if (e instanceof EngineConflictError)
      throw new EngineUnavailableError(`the engine is busy with the same instance (${what}); try again`);
    throw e;
  });
  if (!timeoutMs) return attempt;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EngineUnavailableError(`the engine did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The engine answered that the thing named does not exist (any more): Operaton says so with 404, 400 or 500 and these types. */
export function isGone(e: unknown): boolean {
  if (!(e instanceof EngineRequestError) || e instanceof EngineConflictError) return false;
  if (e.status === 404) return true;
  return (
    e.engineType === 'NullValueException' ||
    e.engineType === 'NotFoundException' ||
    (e.engineType === 'RestException' && /Cannot find|does not exist|not found/i.test(e.message))
  );
}
