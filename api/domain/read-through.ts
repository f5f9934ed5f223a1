/**
 * A tiny read-through cache with single flight: concurrent readers of one id share one load, and
 * the answer is reused for `ttlMs`. For hot status pages only; writers call `forget`.
 */
export function readThrough<T>(ttlMs: number, maxEntries = 10_000) {
  const entries = new Map<string, { value: Promise<T>; until: number }>();
  return {
    get(key: string, load: () => Promise<T>): Promise<T> {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.until > now) return hit.value;
      if (entries.size >= maxEntries) entries.clear();
      const value = load();
      entries.set(key, { value, until: now + ttlMs });
      value.catch(() => entries.delete(key));
      return value;
    },
    forget(key: string) {
      entries.delete(key);
    },
  };
}
