import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { engineCommand } from '../engine-command.ts';
import { createMessageRepository, type MessageRow, type MessageState } from './repository.ts';

/**
 * The BPMN message a recorded one is delivered as. A message a process may wait for more than once
 * (a problem the customer reports, then again after the rectification) is recorded once per wait,
 * as `name#round`; the part after `#` only keeps the rounds apart.
 */
export function engineMessageName(recordedName: string): string {
  const at = recordedName.indexOf('#');
  return at === -1 ? recordedName : recordedName.slice(0, at);
}

/** What one attempt came to; `busy`: another attempt at the same message is under way (this one did nothing). */
export type DeliveryOutcome = MessageState | 'busy';

/**
 * One attempt to deliver a recorded message: correlated by message name and business key to what
 * waits for it now, with its variables set on the process. Attempts at the same message never
 * overlap (a transaction-scoped advisory lock: it assigns no transaction id, so the projector's
 * snapshot horizon is not held back while the engine is asked), so a message is correlated once
 * even when a request and the relay try it at the same moment.
 *
 * Nothing waits for it: it stays pending, unless its process instance has ended (expired). The
 * engine is unreachable or refuses: it stays pending with the error noted, and `error` says why.
 */
export async function deliverMessage({
  db,
  engine,
  id,
  engineTimeoutMs,
}: {
  db: Db;
  engine: OperatonClient;
  id: number;
  engineTimeoutMs?: number;
}): Promise<{ outcome: DeliveryOutcome; error?: unknown }> {
  return db.transaction(async (tx) => {
    const [lock] = (await tx.execute(
      sql`select pg_try_advisory_xact_lock(hashtextextended(${`engine-message:${id}`}, 0)) as locked`,
    )) as unknown as { locked: boolean }[];
    if (!lock?.locked) return { outcome: 'busy' as const };
    const messages = createMessageRepository(tx as unknown as Db);
    const message = await messages.find(id);
    if (!message) return { outcome: 'expired' as const };
    if (message.state !== 'pending') return { outcome: message.state };

    let outcome: MessageState;
    let note: string | null = null;
    let error: unknown;
    try {
      const answer = await engineCommand(
        `delivering ${message.messageName}`,
        () =>
          engine.correlateMessage({
            messageName: engineMessageName(message.messageName),
            businessKey: message.businessKey,
            processVariables: message.variables,
          }),
        { timeoutMs: engineTimeoutMs },
      );
      if (answer === 'correlated') outcome = 'delivered';
      else if (await instanceEnded(engine, message)) {
        outcome = 'expired';
        note = 'its process instance ended before it waited for this message';
      } else {
        outcome = 'pending';
        note = 'nothing waits for it yet';
      }
    } catch (e) {
      outcome = 'pending';
      note = (e as Error).message.slice(0, 1000);
      error = e;
    }
    await messages.noteAttempt(id, outcome, note);
    return { outcome, ...(error ? { error } : {}) };
  });
}

/** The business object's process instance has ended (or, unknown, none with its business key runs). */
async function instanceEnded(engine: OperatonClient, message: MessageRow): Promise<boolean> {
  if (message.processInstanceKey) return (await engine.processInstance(message.processInstanceKey)) === undefined;
  return (await engine.processInstances({ businessKey: message.businessKey })).length === 0;
}
