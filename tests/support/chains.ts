import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COMPLETED_AMONG_SQL, ChainDriver, type ChainDriverOptions, type Transport } from '../../bench/chain-driver.ts';
import type { Sql } from '../../db/client.ts';
import type { Platform } from './platform.ts';

/** The chain driver's transport through `platform.app.inject` (as admin). */
export function injectTransport(platform: Platform): Transport {
  return async (method, url, body) => {
    const res = await platform.app.inject({ method, url, ...(body === undefined ? {} : { payload: body as object }) });
    let parsed: unknown = res.body;
    try {
      parsed = res.body ? res.json() : undefined;
    } catch {
      // not JSON
    }
    return { status: res.statusCode, body: parsed };
  };
}

/** A chain driver on the platform: API calls through inject, completion seen in the read model. */
export function chainDriverOn(platform: Platform, options: Partial<ChainDriverOptions> = {}): ChainDriver {
  return new ChainDriver({
    transport: injectTransport(platform),
    completedAmong: async (ids) =>
      ids.length === 0 ? [] : (await platform.database.sql.unsafe<{ id: string }[]>(COMPLETED_AMONG_SQL, [ids])).map((r) => r.id),
    pollMs: 200,
    ...options,
  });
}

/**
 * Free ports for `count` more orders in a grid (a new OLT of its own), so that a suite running
 * hundreds of orders never meets "insufficient resources" left by earlier suites.
 */
export async function addFreePorts(platform: Platform, { grid = 'URC-TS-01', olt, count }: { grid?: string; olt: string; count: number }) {
  await platform.database.sql`
    insert into resource_port (grid, olt, pon_port, splitter_port, status)
    select ${grid}, ${olt}, '0/9/' || (n / 16), n % 16, 'free' from generate_series(0, ${count - 1}) n
    on conflict do nothing`;
}

const workerScript = fileURLToPath(new URL('../../bench/worker-process.ts', import.meta.url));

/** The real workers as a child process (bench/worker-process.ts), resolved once it streams jobs. */
export async function spawnWorkers(env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(workerScript, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', process.env.TEST_LOG_LEVEL ? 'inherit' : 'ignore', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code, signal) => reject(new Error(`workers exited (${signal ?? code}) before streaming`)));
  });
  return child;
}

export interface SupervisedWorkers {
  /** SIGKILLs the workers process; the supervisor starts a new one after `downMs`. */
  killAndRestart(downMs: number): Promise<void>;
  /** Times the process died without being killed by us (e.g. it could not open its job streams). */
  readonly crashes: number;
  stop(): Promise<void>;
}

/**
 * The workers as a supervised child process, as `npm start` runs them: a process that exits on
 * its own is started again (a workers process whose job streams cannot open under the engine's
 * backpressure exits, and is restarted).
 */
export async function superviseWorkers(env: Record<string, string>): Promise<SupervisedWorkers> {
  let child: ChildProcess | undefined;
  let crashes = 0;
  let stopping = false;
  const start = async (): Promise<void> => {
    for (;;) {
      try {
        child = await spawnWorkers(env);
        const mine = child;
        mine.once('exit', () => {
          if (stopping || mine !== child || (mine as ChildProcess & { killedByUs?: boolean }).killedByUs) return;
          crashes++;
          void new Promise((r) => setTimeout(r, 500)).then(start);
        });
        return;
      } catch {
        crashes++;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  await start();
  return {
    get crashes() {
      return crashes;
    },
    async killAndRestart(downMs) {
      const victim = child;
      if (victim) {
        (victim as ChildProcess & { killedByUs?: boolean }).killedByUs = true;
        await kill(victim);
      }
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      stopping = true;
      if (child) await kill(child, 'SIGTERM');
    },
  };
}

/** SIGKILL, resolved when the process is gone. */
export async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await gone;
}

/** Per order: ports held and billing starts recorded (each must be exactly one). */
export async function sideEffectsOf(sql: Sql, orderIds: string[]) {
  const ports = await sql<{ order_id: string; n: number }[]>`
    select order_id, count(*)::int as n from resource_port where order_id = any(${orderIds}) group by order_id`;
  const billing = await sql<{ order_id: string; n: number }[]>`
    select order_id, count(*)::int as n from billing_start where order_id = any(${orderIds}) group by order_id`;
  const labels = await sql<{ n: number; distinct: number }[]>`
    select count(*)::int as n, count(distinct (olt, pon_port, splitter_port))::int as distinct from resource_port where order_id = any(${orderIds})`;
  const states = await sql<{ state: string; n: number }[]>`
    select state, count(*)::int as n from orders where id = any(${orderIds}) group by state`;
  return {
    portsPerOrder: new Map(ports.map((r) => [r.order_id, r.n])),
    billingPerOrder: new Map(billing.map((r) => [r.order_id, r.n])),
    portRows: labels[0]!.n,
    distinctPorts: labels[0]!.distinct,
    states: Object.fromEntries(states.map((r) => [r.state, r.n])),
  };
}
