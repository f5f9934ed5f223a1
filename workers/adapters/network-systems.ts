import { and, eq, isNull, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { simAlarms, simLines, simOnuStates, simRadius, simSourceBehaviour } from '../../db/schema.ts';

/** The four systems fault pre-diagnosis (故障预判断) asks, each behind its own interface. */
export interface LineRecord {
  account: string;
  grid: string;
  olt: string;
  ponPort: string;
  onuId: string;
  service: string;
}
export interface OnuState {
  status: 'online' | 'offline' | 'los' | 'dying-gasp';
  rxPowerDbm: number | null;
}
export interface RadiusState {
  lastAuthResult: 'accept' | 'reject-password' | 'reject-arrears';
  online: boolean;
}
export interface ActiveAlarm {
  olt: string;
  ponPort: string | null;
  kind: string;
  raisedAt: Date;
}

export interface ResourceInventoryLookup {
  lineOf(account: string, signal: AbortSignal): Promise<LineRecord | undefined>;
}
/** Keyed by the account, like the others, so all four can be asked at once. */
export interface AccessPlatform {
  onuState(account: string, signal: AbortSignal): Promise<(OnuState & { onuId: string }) | undefined>;
}
export interface RadiusServer {
  authState(account: string, signal: AbortSignal): Promise<RadiusState | undefined>;
}
export interface AlarmMonitor {
  /** Active alarms on the network elements that serve the account. */
  activeAlarms(account: string, signal: AbortSignal): Promise<ActiveAlarm[]>;
}

export interface NetworkSystems {
  inventory: ResourceInventoryLookup;
  accessPlatform: AccessPlatform;
  radius: RadiusServer;
  alarms: AlarmMonitor;
}

export type SourceName = 'inventory' | 'access-platform' | 'radius' | 'alarms';

/**
 * Simulators backed by our sim_* tables. Each first behaves as sim_source_behaviour says
 * (latency, or hanging until the caller gives up), like a remote system would.
 */
export function createSimulatedNetworkSystems(db: Db): NetworkSystems {
  const behave = async (source: SourceName, signal: AbortSignal) => {
    const [b] = await db.select().from(simSourceBehaviour).where(eq(simSourceBehaviour.source, source));
    const wait = b?.hang ? 3_600_000 : (b?.latencyMs ?? 0);
    if (wait > 0) await delay(wait, signal);
    signal.throwIfAborted();
  };
  return {
    inventory: {
      async lineOf(account, signal) {
        await behave('inventory', signal);
        const [row] = await db.select().from(simLines).where(eq(simLines.account, account));
        return row;
      },
    },
    accessPlatform: {
      async onuState(account, signal) {
        await behave('access-platform', signal);
        const [row] = await db
          .select({ onuId: simOnuStates.onuId, status: simOnuStates.status, rxPowerDbm: simOnuStates.rxPowerDbm })
          .from(simOnuStates)
          .innerJoin(simLines, eq(simLines.onuId, simOnuStates.onuId))
          .where(eq(simLines.account, account));
        return row ? { onuId: row.onuId, status: row.status as OnuState['status'], rxPowerDbm: row.rxPowerDbm } : undefined;
      },
    },
    radius: {
      async authState(account, signal) {
        await behave('radius', signal);
        const [row] = await db.select().from(simRadius).where(eq(simRadius.account, account));
        return row ? { lastAuthResult: row.lastAuthResult as RadiusState['lastAuthResult'], online: row.online } : undefined;
      },
    },
    alarms: {
      async activeAlarms(account, signal) {
        await behave('alarms', signal);
        return db
          .select({ olt: simAlarms.olt, ponPort: simAlarms.ponPort, kind: simAlarms.kind, raisedAt: simAlarms.raisedAt })
          .from(simAlarms)
          .innerJoin(simLines, eq(simLines.olt, simAlarms.olt))
          .where(
            and(
              eq(simLines.account, account),
              isNull(simAlarms.clearedAt),
              or(isNull(simAlarms.ponPort), eq(simAlarms.ponPort, simLines.ponPort)),
            ),
          );
      },
    },
  };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * Seed data: Urumqi home and enterprise lines in the states pre-diagnosis must tell apart
 * (fibre cut on a PON, ONU powered off, wrong password, arrears, low optical level, no fault).
 */
export async function seedNetworkSystems(db: Db): Promise<void> {
  const existing = await db.select({ account: simLines.account }).from(simLines).limit(1);
  if (existing.length > 0) return;
  const lines = [
    {
      account: '0991-HB-100001',
      grid: 'URC-TS-01',
      olt: 'URC-TS-OLT01',
      ponPort: '0/1/1',
      onuId: 'ZTEG-A1000001',
      service: 'broadband',
      onu: 'online',
      rx: -19.2,
      radius: 'accept',
      online: true,
    },
    {
      account: '0991-HB-100002',
      grid: 'URC-TS-01',
      olt: 'URC-TS-OLT01',
      ponPort: '0/1/3',
      onuId: 'ZTEG-A1000002',
      service: 'broadband',
      onu: 'los',
      rx: null,
      radius: 'accept',
      online: false,
    },
    {
      account: '0991-HB-100003',
      grid: 'URC-TS-02',
      olt: 'URC-TS-OLT02',
      ponPort: '0/1/1',
      onuId: 'HWTC-B2000003',
      service: 'broadband',
      onu: 'dying-gasp',
      rx: null,
      radius: 'accept',
      online: false,
    },
    {
      account: '0991-HB-100004',
      grid: 'URC-SY-01',
      olt: 'URC-SY-OLT01',
      ponPort: '0/1/2',
      onuId: 'HWTC-B2000004',
      service: 'broadband',
      onu: 'online',
      rx: -21.0,
      radius: 'reject-password',
      online: false,
    },
    {
      // a second wrong-password line, so suites that need one do not make each other's faults "repeated"
      account: '0991-HB-100007',
      grid: 'URC-TS-02',
      olt: 'URC-TS-OLT02',
      ponPort: '0/2/5',
      onuId: 'ZTEG-A1000007',
      service: 'broadband',
      onu: 'online',
      rx: -19.4,
      radius: 'reject-password',
      online: false,
    },
    {
      account: '0991-HB-100005',
      grid: 'URC-SY-01',
      olt: 'URC-SY-OLT01',
      ponPort: '0/1/2',
      onuId: 'ZTEG-A1000005',
      service: 'broadband',
      onu: 'online',
      rx: -20.4,
      radius: 'reject-arrears',
      online: false,
    },
    {
      account: '0991-HB-100006',
      grid: 'URC-SY-02',
      olt: 'URC-SY-OLT02',
      ponPort: '0/1/1',
      onuId: 'ZTEG-A1000006',
      service: 'broadband',
      onu: 'online',
      rx: -28.6,
      radius: 'accept',
      online: true,
    },
    {
      account: '0991-DL-200001',
      grid: 'URC-TS-01',
      olt: 'URC-TS-OLT01',
      ponPort: '0/1/3',
      onuId: 'HWTC-E3000001',
      service: 'dedicated-line',
      onu: 'los',
      rx: null,
      radius: 'accept',
      online: false,
    },
  ] as const;
  await db.transaction(async (tx) => {
    await tx
      .insert(simLines)
      .values(lines.map(({ account, grid, olt, ponPort, onuId, service }) => ({ account, grid, olt, ponPort, onuId, service })));
    await tx.insert(simOnuStates).values(lines.map((l) => ({ onuId: l.onuId, status: l.onu, rxPowerDbm: l.rx })));
    await tx.insert(simRadius).values(
      lines.map((l) => ({
        account: l.account,
        lastAuthResult: l.radius,
        online: l.online,
        sessionStartedAt: l.online ? new Date() : null,
      })),
    );
    // A fibre cut on URC-TS-OLT01 PON 0/1/3 (a road works crew cut the feeder cable).
    await tx.insert(simAlarms).values([{ olt: 'URC-TS-OLT01', ponPort: '0/1/3', kind: 'fibre-cut' }]);
    await tx
      .insert(simSourceBehaviour)
      .values((['inventory', 'access-platform', 'radius', 'alarms'] as const).map((source) => ({ source, latencyMs: 0 })))
      .onConflictDoNothing();
  });
}
