import type { Db } from '../../../db/client.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { deliverMessage } from './deliver.ts';
import { createMessageRepository, type MessageState } from './repository.ts';

export interface SentMessage {
  id: number;
  /** delivered: the process has it; pending: recorded, the relay delivers it once the process waits (or the engine answers again). */
  state: MessageState;
  /** The same business key and message name were sent before: this is that message, not a second one. */
  repeated: boolean;
}

/**
 * A customer's message to a business object's process (a confirmation, a cancellation): recorded
 * first, then delivered at once if the process waits for it. If it does not wait yet, or the engine
 * does not answer, the message stays recorded and the relay (relay.ts) delivers it as soon as the
 * process waits. Throws only if the message could not be recorded (the database is down: 503).
 */
export async function sendMessage({
  db,
  engine,
  businessKey,
  messageName,
  variables,
  processInstanceKey,
  engineTimeoutMs,
  log,
}: {
  db: Db;
  engine: OperatonClient;
  businessKey: string;
  messageName: string;
  variables: Record<string, unknown>;
  processInstanceKey: string | null;
  engineTimeoutMs?: number;
  log?: { warn(context: object, message: string): void };
}): Promise<SentMessage> {
  const { row, repeated } = await createMessageRepository(db).record({ businessKey, messageName, processInstanceKey, variables });
  if (row.state !== 'pending') return { id: row.id, state: row.state, repeated };
  try {
    const { outcome, error } = await deliverMessage({ db, engine, id: row.id, engineTimeoutMs });
    if (error) log?.warn({ err: error, businessKey, messageName }, 'message recorded, not delivered yet: the relay will try again');
    return { id: row.id, state: outcome === 'busy' ? 'pending' : outcome, repeated };
  } catch (e) {
    // Recorded (committed above); the attempt itself failed (the database went away meanwhile): the relay delivers it later.
    log?.warn({ err: e, businessKey, messageName }, 'message recorded, delivery attempt failed: the relay will try again');
    return { id: row.id, state: 'pending', repeated };
  }
}
