import type { BusinessCalendar } from '../../../calendar/business-calendar.ts';
import { inLanguage, type Language } from '../i18n/language.ts';
import { cancellationElements } from './cancellation-paths.ts';
import type { KpiRepository, Period } from './repository.ts';
import type { Kpis, KpiQuery } from './schemas.ts';
import type { SlaPauseKpis } from './sla-pauses.ts';

const DAY_MS = 24 * 3600_000;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

export function period(q: Pick<KpiQuery, 'from' | 'to' | 'process' | 'branch'>, now = new Date()): Period {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
  return { from, to, process: q.process, branch: q.branch };
}

const rate = (total: number, met: number) => ({ total, met, rate: total === 0 ? null : Math.round((met / total) * 1000) / 1000 });
/** Minutes to the hundredth (under a second's precision): a stage of 40 seconds reads 0.67, not 0. */
const minutes = (ms: number) => Math.round((ms / 60_000) * 100) / 100;

/**
 * p50 and p90 of each stage's working time, per process, element and (unless `byBranch` is false)
 * branch; the stages only a cancelled item passes (cancellation-paths.ts) are left out; names in
 * the reader's language.
 */
export async function stageDurations(
  kpis: KpiRepository,
  calendar: BusinessCalendar,
  p: Period,
  byBranch = true,
  language: Language = 'zh',
) {
  const stages = await kpis.completedStages(p);
  const cancelling = new Map<string, Set<string>>();
  for (const d of await kpis.latestDefinitions([...new Set(stages.map((s) => s.processId))]))
    cancelling.set(d.processId, await cancellationElements(d.xml, d.definitionKey));
  const groups = new Map<string, { processId: string; elementId: string; name: string | null; branch: string | null; ms: number[] }>();
  for (const stage of stages) {
    if (cancelling.get(stage.processId)?.has(stage.elementId)) continue;
    const s = byBranch ? stage : { ...stage, branch: null };
    const key = `${s.processId}\u0000${s.elementId}\u0000${s.branch ?? ''}`;
    let g = groups.get(key);
    if (!g)
      groups.set(
        key,
        (g = { processId: s.processId, elementId: s.elementId, name: inLanguage(language, s.name, s.nameEn), branch: s.branch, ms: [] }),
      );
    g.ms.push(calendar.workingMillisBetween(new Date(s.startedAt), new Date(s.endedAt)));
  }
  return [...groups.values()]
    .map((g) => {
      const sorted = g.ms.sort((a, b) => a - b);
      return {
        processId: g.processId,
        elementId: g.elementId,
        name: g.name,
        branch: g.branch,
        count: sorted.length,
        p50WorkingMinutes: minutes(percentile(sorted, 50)),
        p90WorkingMinutes: minutes(percentile(sorted, 90)),
      };
    })
    .sort(
      (a, b) =>
        a.processId.localeCompare(b.processId) || a.elementId.localeCompare(b.elementId) || (a.branch ?? '').localeCompare(b.branch ?? ''),
    );
}

export async function computeKpis(
  kpis: KpiRepository,
  calendar: BusinessCalendar,
  q: KpiQuery,
  slaPauses: (p: Period) => Promise<SlaPauseKpis>,
  language: Language = 'zh',
): Promise<Kpis> {
  const p = period(q);
  const [stages, sla, dispatch, accept, online, acceptance, satisfaction, backlog, paused] = await Promise.all([
    stageDurations(kpis, calendar, p, true, language),
    kpis.slaByLevel(p),
    kpis.taskWithin(p, 'dispatch-repair', 15),
    kpis.taskWithin(p, 'accept-repair', 30),
    kpis.onlineResolution(p),
    kpis.acceptance(p),
    kpis.satisfaction(p),
    kpis.backlog(p),
    slaPauses(p),
  ]);
  return {
    period: { from: p.from.toISOString(), to: p.to.toISOString() },
    filters: { process: q.process ?? null, branch: q.branch ?? null },
    stageDurations: stages,
    slaCompliance: sla.map((r) => ({
      customerLevel: (r.customerLevel ?? 'unknown') as Kpis['slaCompliance'][number]['customerLevel'],
      ...rate(Number(r.total), Number(r.met)),
    })),
    slaPauses: paused,
    dispatchWithin15: rate(Number(dispatch.total), Number(dispatch.met)),
    acceptWithin30: rate(Number(accept.total), Number(accept.met)),
    onlineResolution: rate(Number(online.total), Number(online.met)),
    acceptancePass: rate(Number(acceptance.total), Number(acceptance.passed)),
    rectificationOnTime: rate(Number(acceptance.rectified), Number(acceptance.onTime)),
    satisfaction: {
      responses: Number(satisfaction.responses),
      average: satisfaction.average === null ? null : Number(satisfaction.average),
    },
    backlog: backlog.map((b) => ({ owner: b.owner, open: Number(b.open), overdue: Number(b.overdue), errorOrders: Number(b.errorOrders) })),
  };
}
