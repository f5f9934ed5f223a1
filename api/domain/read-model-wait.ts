import { ApiError } from '../errors.ts';

/**
 * The read model follows the engine by a few milliseconds: after starting something, wait briefly
 * until it shows, so the response describes what was just created.
 */
export async function eventuallyVisible<T>(read: () => Promise<T>, timeoutMs = 5000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404) || Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
