import { sql } from 'drizzle-orm';
import { ACCEPTANCE_PROCESS_ID } from '../../../contracts/acceptance.ts';
import type { Db } from '../../../db/client.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { ApiError } from '../../errors.ts';
import { engineCommand } from '../engine-command.ts';
import { startProcess } from '../record-and-start.ts';

/** A month's batch is its business object: its instance's business key. */
export const acceptanceBusinessKey = (month: string) => `acceptance-${month}`;

/** Starts the acceptance batch of a given month by hand (the timer starts one on the 5th of each month). */
export async function startAcceptanceBatch({
  month,
  engine,
  engineTimeoutMs,
}: {
  month: string;
  engine: OperatonClient;
  engineTimeoutMs?: number;
}) {
  const processInstanceKey = await startProcess({
    engine,
    bpmnProcessId: ACCEPTANCE_PROCESS_ID,
    businessKey: acceptanceBusinessKey(month),
    variables: { month },
    engineTimeoutMs,
  });
  return { processInstanceKey };
}

/** The month's batch (the latest, should a cancelled one have been restarted), from the read model. */
async function findBatch(db: Db, month: string) {
  const rows = (await db.execute(sql`
    select pi.process_instance_key::text as key, pi.state, pi.started_at as "startedAt", pi.ended_at as "endedAt"
    from process_instance pi
    join instance_variable v on v.scope_key = pi.process_instance_key and v.name = 'month' and v.value #>> '{}' = ${month}
    where pi.bpmn_process_id = ${ACCEPTANCE_PROCESS_ID}
    order by (pi.state = 'terminated'), pi.started_at desc limit 1`)) as unknown as {
    key: string;
    state: 'active' | 'completed' | 'terminated';
    startedAt: Date;
    endedAt: Date | null;
  }[];
  return rows[0];
}

export async function getAcceptanceBatch({ db, month }: { db: Db; month: string }) {
  const batch = await findBatch(db, month);
  if (!batch) throw new ApiError(404, 'BATCH_NOT_FOUND', 'No acceptance batch', `No acceptance batch has run for ${month}.`);
  const lines = (await db.execute(sql`
    select line_id as "lineId", branch, rectifications, rectified_on_time as "rectifiedOnTime"
    from line_acceptance where month = ${month} order by line_id`)) as unknown as {
    lineId: string;
    branch: string;
    rectifications: number;
    rectifiedOnTime: boolean | null;
  }[];
  const scores = (await db.execute(sql`
    select branch, lines, passed_first_time as "passedFirstTime", rectified_on_time as "rectifiedOnTime", score
    from acceptance_score where month = ${month} order by branch`)) as unknown as {
    branch: string;
    lines: number;
    passedFirstTime: number;
    rectifiedOnTime: number;
    score: number;
  }[];
  return {
    month,
    processInstanceKey: batch.key,
    state: batch.state,
    startedAt: new Date(batch.startedAt).toISOString(),
    endedAt: batch.endedAt ? new Date(batch.endedAt).toISOString() : null,
    lines,
    scores: scores.map((s) => ({ ...s, score: Number(s.score) })),
  };
}

/**
 * Starts a month's batch unless one is running or done (the timer on the 5th, or an earlier
 * request): a month is accepted once. Answers whether it started one.
 */
export async function requestAcceptanceBatch({
  db,
  month,
  engine,
  engineTimeoutMs,
}: {
  db: Db;
  month: string;
  engine: OperatonClient;
  engineTimeoutMs?: number;
}): Promise<{ created: boolean; processInstanceKey: string }> {
  const existing = await findBatch(db, month);
  if (existing && existing.state !== 'terminated') return { created: false, processInstanceKey: existing.key };
  // Serialise concurrent requests for the same month: the first starts, the others find it.
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`acceptance-batch:${month}`}))`);
    const again = await findBatch(tx as unknown as Db, month);
    if (again && again.state !== 'terminated') return { created: false, processInstanceKey: again.key };
    // One the read model does not show yet (just started by an earlier request): the engine knows it by its business key.
    const running = await engineCommand("looking for the month's batch", () =>
      engine.processInstances({ businessKey: acceptanceBusinessKey(month), processDefinitionKey: ACCEPTANCE_PROCESS_ID }),
    );
    const [first] = running;
    if (first) return { created: false, processInstanceKey: first.id };
    const { processInstanceKey } = await startAcceptanceBatch({ month, engine, engineTimeoutMs });
    return { created: true, processInstanceKey };
  });
}
