import type { ActiveAlarm, LineRecord, NetworkSystems, OnuState, RadiusState, SourceName } from '../adapters/network-systems.ts';

export type FaultCategory =
  | 'fibre-cut'
  | 'optical-los'
  | 'onu-powered-off'
  | 'low-optical-power'
  | 'auth-failure'
  | 'arrears'
  | 'no-fault-found'
  | 'unknown-line'
  | 'undetermined';

export interface Diagnosis {
  category: FaultCategory;
  /** online: resolved without a field visit (在线解决); field: dispatch a crew. */
  recommendedAction: 'online' | 'field';
  summary: string;
  answeredSources: SourceName[];
  /** Sources that did not answer in time or failed: the diagnosis is partial without them. */
  missingSources: SourceName[];
  line?: { olt: string; ponPort: string; onuId: string; grid: string; service: string };
  elapsedMs: number;
}

export interface Findings {
  line?: LineRecord | undefined;
  onu?: (OnuState & { onuId: string }) | undefined;
  radius?: RadiusState | undefined;
  alarms?: ActiveAlarm[] | undefined;
}

export type SourceTimeouts = Record<SourceName, number>;
export const DEFAULT_TIMEOUTS: SourceTimeouts = { inventory: 1500, 'access-platform': 2000, radius: 1000, alarms: 1500 };

/** Asks the four systems at once, each bounded by its own timeout; whatever answered is classified. */
export async function prediagnose(
  account: string,
  systems: NetworkSystems,
  timeouts: SourceTimeouts = DEFAULT_TIMEOUTS,
): Promise<Diagnosis> {
  const started = performance.now();
  const ask = <T>(source: SourceName, query: (signal: AbortSignal) => Promise<T>) =>
    query(AbortSignal.timeout(timeouts[source])).then(
      (value) => ({ source, ok: true as const, value }),
      () => ({ source, ok: false as const, value: undefined }),
    );
  const [line, onu, radius, alarms] = await Promise.all([
    ask('inventory', (s) => systems.inventory.lineOf(account, s)),
    ask('access-platform', (s) => systems.accessPlatform.onuState(account, s)),
    ask('radius', (s) => systems.radius.authState(account, s)),
    ask('alarms', (s) => systems.alarms.activeAlarms(account, s)),
  ]);
  const answers = [line, onu, radius, alarms];
  const findings: Findings = { line: line.value, onu: onu.value, radius: radius.value, alarms: alarms.value };
  const verdict = classify(findings, { inventoryAnswered: line.ok });
  return {
    ...verdict,
    answeredSources: answers.filter((a) => a.ok).map((a) => a.source),
    missingSources: answers.filter((a) => !a.ok).map((a) => a.source),
    ...(line.value
      ? {
          line: {
            olt: line.value.olt,
            ponPort: line.value.ponPort,
            onuId: line.value.onuId,
            grid: line.value.grid,
            service: line.value.service,
          },
        }
      : {}),
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The pre-diagnosis rules, most specific evidence first. */
export function classify(f: Findings, { inventoryAnswered = true } = {}): Pick<Diagnosis, 'category' | 'recommendedAction' | 'summary'> {
  if (inventoryAnswered && !f.line) {
    return {
      category: 'unknown-line',
      recommendedAction: 'field',
      summary: 'No access line is recorded for this account; check the account and dispatch.',
    };
  }
  const cut = f.alarms?.find((a) => a.kind === 'fibre-cut' || a.kind === 'pon-los');
  if (cut) {
    return {
      category: 'fibre-cut',
      recommendedAction: 'field',
      summary: `Active ${cut.kind} alarm on ${cut.olt}${cut.ponPort ? ` PON ${cut.ponPort}` : ''}: repair the feeder fibre.`,
    };
  }
  if (f.onu?.status === 'los') {
    return {
      category: 'optical-los',
      recommendedAction: 'field',
      summary: `ONU ${f.onu.onuId} reports loss of signal: check the drop fibre and connectors on site.`,
    };
  }
  if (f.onu?.status === 'dying-gasp' || f.onu?.status === 'offline') {
    return {
      category: 'onu-powered-off',
      recommendedAction: 'online',
      summary: `ONU ${f.onu.onuId} lost power (${f.onu.status}): guide the customer to check the power adapter and restart it.`,
    };
  }
  if (f.radius?.lastAuthResult === 'reject-arrears') {
    return {
      category: 'arrears',
      recommendedAction: 'online',
      summary: 'Authentication refused for arrears: tell the customer how to pay; service resumes on payment.',
    };
  }
  if (f.radius?.lastAuthResult === 'reject-password') {
    return {
      category: 'auth-failure',
      recommendedAction: 'online',
      summary: 'Authentication refused (wrong password): reset the broadband password with the customer.',
    };
  }
  if (f.onu?.rxPowerDbm !== undefined && f.onu.rxPowerDbm !== null && f.onu.rxPowerDbm < -27) {
    return {
      category: 'low-optical-power',
      recommendedAction: 'field',
      summary: `Received optical power ${f.onu.rxPowerDbm} dBm is below -27 dBm: clean or replace connectors on site.`,
    };
  }
  if (f.onu?.status === 'online' && f.radius?.online && f.alarms) {
    return {
      category: 'no-fault-found',
      recommendedAction: 'online',
      summary: 'Line, ONU and session are up with no alarm: check the customer’s Wi-Fi and devices by phone.',
    };
  }
  return { category: 'undetermined', recommendedAction: 'field', summary: 'Not enough answers to decide remotely: dispatch a crew.' };
}
