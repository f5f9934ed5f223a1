import type { z } from 'zod';
import { isUnavailability } from '../plugins/problem-details.ts';

export type ListLog = { warn(context: object, message: string): void; error(context: object, message: string): void };

/**
 * One item of a list as the list route answers it, checked against the route's own response
 * schema: an item that cannot be built or does not fit (a row no schema foresaw) is logged with its
 * id and left out (undefined), so one bad row never turns a whole list, every page that holds it,
 * into a 500; so is one gone since the list was read. A database or engine away still answers 503.
 */
export async function answerable<S extends z.ZodType>(
  schema: S,
  id: string,
  build: () => Promise<unknown>,
  log: ListLog | undefined,
): Promise<z.infer<S> | undefined> {
  try {
    const checked = schema.safeParse(await build());
    if (checked.success) return checked.data;
    log?.error({ id, issues: checked.error.issues }, 'a list item does not fit its schema and was left out');
  } catch (e) {
    if (isUnavailability(e)) throw e;
    log?.error({ err: e, id }, 'a list item could not be built and was left out');
  }
  return undefined;
}
