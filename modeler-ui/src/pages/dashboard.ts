import { localizedXml } from '../bpmn/localize.ts';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { api } from '../api.ts';
import heatModule, { type ElementDuration, type HeatOverlay } from '../bpmn/heat-overlay.ts';
import { createViewer, type Viewer } from '../bpmn/viewer.ts';
import { fill, h } from '../dom.ts';
import { elementName, lang, processName, t, tr } from '../i18n.ts';
import type { Route } from '../main.ts';
import { branch as branchLabel, group as groupLabel } from '../names.ts';
import '../styles/leader.css';
import { complaintStatsSection } from './complaint-stats.ts';
import { chaseUpRateSection } from './chase-ups.ts';

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

/** GET /kpis (api/domain/kpis/schemas.ts KpisSchema). */
interface Rate {
  total: number;
  met: number;
  rate: number | null;
}
interface StageDuration {
  processId: string;
  elementId: string;
  name: string | null;
  branch: string | null;
  count: number;
  p50WorkingMinutes: number;
  p90WorkingMinutes: number;
}
interface Kpis {
  period: { from: string; to: string };
  stageDurations: StageDuration[];
  slaCompliance: (Rate & { customerLevel: string })[];
  /** Trouble tickets: compliance had customer-caused waits counted, and the paused time (docs/sla-pauses.md). */
  slaPauses: {
    ticketsPaused: number;
    pausesCounted: number;
    pausesRefused: number;
    pausedWorkingHours: number;
    byLevel: { customerLevel: string; pausesCounted: Rate; pausedWorkingHours: number }[];
  };
  dispatchWithin15: Rate;
  acceptWithin30: Rate;
  onlineResolution: Rate;
  acceptancePass: Rate;
  rectificationOnTime: Rate;
  satisfaction: { responses: number; average: number | null };
  backlog: { owner: string; open: number; overdue: number; errorOrders: number }[];
}

const PROCESSES = [
  'home-broadband-new-install',
  'fault-trouble-ticket',
  'enterprise-line-new-install',
  'home-broadband-change',
  'complaint',
  'acceptance-handover',
];
const BRANCHES = ['urumqi', 'kashgar', 'yili', 'xian'];
const LEVELS = ['group', 'province', 'local-a', 'local-b', 'local-c'];
const PALETTE = ['#1668dc', '#13a8a8', '#fa8c16', '#722ed1', '#eb2f96', '#52c41a', '#2f54eb'];

/**
 * The tiles of each process: what leaders measure it by (a fault's dispatch and accept rates mean
 * nothing for an installation). Every process shows what closed in the period and its SLA.
 */
type TileKey =
  'closed' | 'sla' | 'online' | 'dispatch15' | 'accept30' | 'satisfaction' | 'acceptance' | 'rectification' | 'paused' | 'open';
const TILES: Record<string, TileKey[]> = {
  'home-broadband-new-install': ['closed', 'sla', 'satisfaction', 'open'],
  'fault-trouble-ticket': ['closed', 'sla', 'online', 'dispatch15', 'accept30', 'satisfaction', 'paused'],
  'enterprise-line-new-install': ['closed', 'sla', 'satisfaction', 'open'],
  'home-broadband-change': ['closed', 'sla', 'open'],
  complaint: ['closed', 'sla', 'satisfaction', 'open'],
  'acceptance-handover': ['acceptance', 'rectification', 'open'],
};

/** A working-time duration people read: 40 秒, 45 分钟, 2 小时 15 分钟 (longer ones stay in hours: working days count 24 h). */
export function readableMinutes(minutes: number): string {
  const zh = lang() === 'zh';
  if (minutes < 1) return zh ? `${Math.max(1, Math.round(minutes * 60))} 秒` : `${Math.max(1, Math.round(minutes * 60))} s`;
  if (minutes < 60) return zh ? `${Math.round(minutes)} 分钟` : `${Math.round(minutes)} min`;
  const hours = Math.floor(minutes / 60);
  const rest = Math.round(minutes - hours * 60);
  if (zh) return rest ? `${hours} 小时 ${rest} 分钟` : `${hours} 小时`;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

const pct = (r: Rate) => (r.rate === null ? '—' : `${(r.rate * 100).toFixed(1)}%`);

export function render(root: HTMLElement, route: Route) {
  const state = { process: route.query.get('process') ?? 'home-broadband-new-install', branch: '', days: 30 };
  const charts: echarts.ECharts[] = [];
  let viewer: Viewer | null = null;
  let shownProcess = '';

  const select = (name: 'process' | 'branch' | 'days', options: [string, string][]) =>
    h(
      'select',
      {
        name,
        onchange: (e: Event) => {
          const value = (e.target as HTMLSelectElement).value;
          if (name === 'days') state.days = Number(value);
          else state[name] = value;
          void load();
        },
      },
      options.map(([value, label]) => h('option', { value, selected: String(state[name]) === value }, label)),
    );

  const tiles = h('div', { class: 'kpi-row', 'data-testid': 'kpi-tiles' });
  const chartHosts = {
    durations: h('div', { class: 'chart', 'data-chart': 'durations' }),
    sla: h('div', { class: 'chart', 'data-chart': 'sla' }),
    online: h('div', { class: 'chart', 'data-chart': 'online' }),
    backlog: h('div', { class: 'chart', 'data-chart': 'backlog' }),
  };
  const heatHost = h('div', { class: 'heat-canvas', 'data-testid': 'heat-canvas' });
  const complaints = complaintStatsSection({ branch: () => state.branch });
  const chaseRate = chaseUpRateSection({ days: () => state.days, branch: () => state.branch });
  const card = (title: string, body: HTMLElement, wide = false) =>
    h('section', { class: `chart-card${wide ? ' wide' : ''}` }, h('h2', {}, title), body);
  const durationsCard = card(t('kpi_stageDurations'), chartHosts.durations, true);
  durationsCard.append(h('p', { class: 'chart-note', 'data-testid': 'working-time-note' }, t('workingTimeNote')));
  // Online resolution is a fault ticket's measure: shown for that process only.
  const onlineCard = card(t('kpi_online'), chartHosts.online);

  root.append(
    h(
      'div',
      { class: 'dash' },
      h(
        'div',
        { class: 'dash-filters' },
        h('h1', {}, t('dashTitle')),
        h(
          'label',
          {},
          t('process'),
          select(
            'process',
            PROCESSES.map((p) => [p, processName(p)]),
          ),
        ),
        h('label', {}, t('branch'), select('branch', [['', t('all')], ...BRANCHES.map((b) => [b, branchLabel(b)] as [string, string])])),
        h(
          'label',
          {},
          t('period'),
          select('days', [
            ['7', t('days7')],
            ['30', t('days30')],
            ['90', t('days90')],
          ]),
        ),
      ),
      tiles,
      h(
        'div',
        { class: 'charts' },
        durationsCard,
        card(t('kpi_sla'), chartHosts.sla),
        onlineCard,
        card(t('kpi_backlog'), chartHosts.backlog, true),
        card(`${t('heatTitle')} · ${t('heatHint')}`, heatHost, true),
        complaints.element,
        chaseRate.element,
      ),
    ),
  );
  for (const host of Object.values(chartHosts)) charts.push(echarts.init(host, undefined, { renderer: 'canvas' }));
  const [durationsChart, slaChart, onlineChart, backlogChart] = charts as [
    echarts.ECharts,
    echarts.ECharts,
    echarts.ECharts,
    echarts.ECharts,
  ];
  const onResize = () => charts.forEach((c) => c.resize());
  window.addEventListener('resize', onResize);

  async function load() {
    const to = new Date();
    const from = new Date(to.getTime() - state.days * 86_400_000);
    const query = { process: state.process, branch: state.branch || undefined, from: from.toISOString(), to: to.toISOString() };
    let kpis: Kpis;
    try {
      kpis = await api<Kpis>('/kpis', { query });
    } catch (e) {
      fill(tiles, h('div', { class: 'error-box' }, (e as Error).message));
      return;
    }
    drawTiles(kpis);
    onlineCard.hidden = state.process !== 'fault-trouble-ticket';
    drawDurations(kpis.stageDurations.filter((r) => r.processId === state.process));
    drawSla(kpis.slaCompliance, kpis.slaPauses);
    drawOnline(kpis.onlineResolution);
    drawBacklog(kpis.backlog);
    const durations = await api<StageDuration[]>('/kpis/stage-durations', { query }).catch(() => kpis.stageDurations);
    await drawHeat(durations);
  }

  function drawTiles(k: Kpis) {
    const tile = (key: TileKey, label: string, value: string, sub: string) =>
      h(
        'div',
        { class: 'kpi', 'data-tile': key },
        h('div', { class: 'label' }, label),
        h('div', { class: 'value' }, value),
        h('div', { class: 'sub' }, sub),
      );
    const zh = lang() === 'zh';
    const n = (r: Rate) => (zh ? `${r.met} / ${r.total} 件` : `${r.met} of ${r.total}`);
    const closed = k.slaCompliance.reduce((a, r) => a + r.total, 0);
    const met = k.slaCompliance.reduce((a, r) => a + r.met, 0);
    const sla = { total: closed, met, rate: closed ? met / closed : null };
    const open = k.backlog.reduce((a, r) => a + r.open, 0);
    const overdue = k.backlog.reduce((a, r) => a + r.overdue, 0);
    const all: Record<TileKey, () => HTMLElement> = {
      closed: () => tile('closed', t('kpi_closed'), String(closed), `${processName(state.process)}`),
      sla: () => tile('sla', t('kpi_slaOverall'), pct(sla), n(sla)),
      online: () => tile('online', t('kpi_online'), pct(k.onlineResolution), n(k.onlineResolution)),
      dispatch15: () => tile('dispatch15', t('kpi_dispatch15'), pct(k.dispatchWithin15), n(k.dispatchWithin15)),
      accept30: () => tile('accept30', t('kpi_accept30'), pct(k.acceptWithin30), n(k.acceptWithin30)),
      satisfaction: () =>
        tile(
          'satisfaction',
          t('kpi_satisfaction'),
          k.satisfaction.average === null ? '—' : k.satisfaction.average.toFixed(1),
          zh ? `${k.satisfaction.responses} 次回访` : `${k.satisfaction.responses} revisits`,
        ),
      acceptance: () => tile('acceptance', t('kpi_acceptance'), pct(k.acceptancePass), n(k.acceptancePass)),
      rectification: () => tile('rectification', t('kpi_rectification'), pct(k.rectificationOnTime), n(k.rectificationOnTime)),
      paused: () =>
        tile(
          'paused',
          t('kpi_paused'),
          zh ? `${k.slaPauses.pausedWorkingHours} 工作小时` : `${k.slaPauses.pausedWorkingHours} working h`,
          zh
            ? `${k.slaPauses.ticketsPaused} 单 · ${k.slaPauses.pausesCounted} 次计入 · ${k.slaPauses.pausesRefused} 次未获确认`
            : `${k.slaPauses.ticketsPaused} tickets · ${k.slaPauses.pausesCounted} counted · ${k.slaPauses.pausesRefused} refused`,
        ),
      open: () => tile('open', t('kpi_open'), String(open), zh ? `其中超时 ${overdue} 件` : `${overdue} overdue`),
    };
    fill(
      tiles,
      (TILES[state.process] ?? ['closed', 'sla', 'open']).map((key) => all[key]()),
    );
  }

  const empty = (chart: echarts.ECharts) =>
    chart.setOption(
      {
        title: { text: t('noData'), left: 'center', top: 'middle', textStyle: { color: '#7b8794', fontSize: 13, fontWeight: 'normal' } },
        xAxis: { show: false },
        yAxis: { show: false },
        series: [],
      },
      true,
    );

  /**
   * P50 working time per stage and branch as horizontal bars (stage names in full on the left):
   * minutes while every stage is short, hours otherwise; the tooltip reads "2 小时 15 分钟".
   */
  function drawDurations(rows: StageDuration[]) {
    if (rows.length === 0) return empty(durationsChart);
    const stages = [...new Set(rows.map((r) => r.elementId))]
      .map((id) => ({ id, p50: Math.max(...rows.filter((r) => r.elementId === id).map((r) => r.p50WorkingMinutes)) }))
      .sort((a, b) => b.p50 - a.p50)
      .slice(0, 12)
      .reverse()
      .map((s) => s.id);
    const branches = [...new Set(rows.map((r) => r.branch ?? ''))];
    // Hours for real stages, minutes while every stage is short, seconds for a demonstration's clicks.
    const longest = Math.max(...rows.map((r) => r.p50WorkingMinutes));
    const zh = lang() === 'zh';
    const [unit, perMinute] = longest >= 120 ? [t('hours'), 1 / 60] : longest >= 1 ? [zh ? '分钟' : 'min', 1] : [zh ? '秒' : 's', 60];
    const scale = (minutes: number) => +(minutes * perMinute).toFixed(perMinute === 60 ? 0 : 2);
    const labelOf = (id: string) => elementName(id, rows.find((r) => r.elementId === id)?.name);
    // What the chart draws, for people's assistive tools and the browser tests (a canvas has no text).
    Object.assign(chartHosts.durations.dataset, {
      stages: stages.map(labelOf).join('|'),
      series: branches.map((b) => branchLabel(b || null)).join('|'),
      unit,
    });
    chartHosts.durations.setAttribute('aria-label', `${t('kpi_stageDurations')}: ${stages.map(labelOf).join('、')}`);
    durationsChart.resize({ height: Math.max(260, 70 + stages.length * (18 + 10 * branches.length)) });
    durationsChart.setOption(
      {
        color: PALETTE,
        tooltip: {
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          formatter: (params: { seriesName: string; dataIndex: number; marker: string }[]) => {
            const id = stages[params[0]!.dataIndex]!;
            const lines = params.map((p) => {
              const row = rows.find((r) => r.elementId === id && branchLabel(r.branch) === p.seriesName);
              return row
                ? `${p.marker}${p.seriesName}: P50 ${readableMinutes(row.p50WorkingMinutes)} · P90 ${readableMinutes(row.p90WorkingMinutes)} (${row.count})`
                : '';
            });
            return [labelOf(id), ...lines.filter(Boolean)].join('<br>');
          },
        },
        legend: { top: 0 },
        grid: { left: 12, right: 56, top: 32, bottom: 28, containLabel: true },
        yAxis: {
          type: 'category',
          data: stages.map(labelOf),
          axisLabel: { fontSize: 12, width: 200, overflow: 'break' },
        },
        xAxis: { type: 'value', name: unit, nameTextStyle: { fontSize: 12 }, axisLabel: { fontSize: 12 } },
        series: branches.map((b) => ({
          name: branchLabel(b || null),
          type: 'bar',
          barMaxWidth: 14,
          label: {
            show: branches.length === 1,
            position: 'right',
            fontSize: 11,
            formatter: (p: { value: number }) => `${p.value} ${unit}`,
          },
          data: stages.map((id) => {
            const row = rows.find((r) => r.elementId === id && (r.branch ?? '') === b);
            return row ? scale(row.p50WorkingMinutes) : null;
          }),
        })),
      },
      true,
    );
  }

  function drawSla(rows: (Rate & { customerLevel: string })[], paused: Kpis['slaPauses']) {
    if (rows.every((r) => r.total === 0)) return empty(slaChart);
    const ordered = LEVELS.map((l) => rows.find((r) => r.customerLevel === l)).filter((r): r is Rate & { customerLevel: string } => !!r);
    // Beside the official figure (customer-caused waits excluded), the same tickets had the paused time counted.
    const counted = ordered.map((r) => paused.byLevel.find((b) => b.customerLevel === r.customerLevel));
    const withCounted = counted.some((c) => c && c.pausesCounted.total > 0);
    slaChart.setOption(
      {
        tooltip: {
          trigger: 'axis',
          formatter: (p: { dataIndex: number }[]) => {
            const r = ordered[p[0]!.dataIndex]!;
            const c = counted[p[0]!.dataIndex];
            return `${tr(`level_${r.customerLevel}`)}: ${pct(r)} (${r.met}/${r.total})${
              withCounted && c ? `<br>${t('kpi_slaPausesCounted')}: ${pct(c.pausesCounted)} · ${c.pausedWorkingHours} h` : ''
            }`;
          },
        },
        grid: { left: 48, right: 16, top: 16, bottom: withCounted ? 56 : 32 },
        xAxis: { type: 'category', data: ordered.map((r) => tr(`level_${r.customerLevel}`, r.customerLevel)) },
        yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
        series: [
          {
            type: 'bar',
            barMaxWidth: 36,
            label: { show: true, position: 'top', formatter: (p: { dataIndex: number }) => pct(ordered[p.dataIndex]!) },
            data: ordered.map((r) => ({
              value: r.rate === null ? 0 : +(r.rate * 100).toFixed(1),
              itemStyle: { color: (r.rate ?? 1) >= 0.95 ? '#1a7f4b' : (r.rate ?? 1) >= 0.85 ? '#d48806' : '#c4282d' },
            })),
            name: t('kpi_slaPausesExcluded'),
          },
          ...(withCounted
            ? [
                {
                  type: 'bar' as const,
                  name: t('kpi_slaPausesCounted'),
                  barMaxWidth: 36,
                  itemStyle: { color: '#9aa5b1' },
                  label: {
                    show: true,
                    position: 'top' as const,
                    formatter: (p: { dataIndex: number }) => pct(counted[p.dataIndex]!.pausesCounted),
                  },
                  data: counted.map((c) => (c?.pausesCounted.rate == null ? 0 : +(c.pausesCounted.rate * 100).toFixed(1))),
                },
              ]
            : []),
        ],
        ...(withCounted ? { legend: { bottom: 0 } } : {}),
      },
      true,
    );
  }

  function drawOnline(r: Rate) {
    if (r.total === 0) return empty(onlineChart);
    onlineChart.setOption(
      {
        color: ['#1668dc', '#d9e2ec'],
        tooltip: { trigger: 'item' },
        legend: { bottom: 0 },
        series: [
          {
            type: 'pie',
            radius: ['55%', '78%'],
            label: { show: true, position: 'center', formatter: () => pct(r), fontSize: 22, fontWeight: 600, color: '#0b4f9c' },
            data: [
              { name: lang() === 'zh' ? '在线解决' : 'Resolved online', value: r.met },
              { name: lang() === 'zh' ? '上门处理' : 'Field visit', value: r.total - r.met },
            ],
          },
        ],
      },
      true,
    );
  }

  function drawBacklog(rows: Kpis['backlog']) {
    if (rows.length === 0) return empty(backlogChart);
    const sorted = [...rows].sort((a, b) => a.open - b.open).slice(-12);
    chartHosts.backlog.setAttribute(
      'aria-label',
      `${t('kpi_backlog')}: ${sorted.map((r) => `${groupLabel(r.owner)} ${r.open}`).join('、')}`,
    );
    backlogChart.setOption(
      {
        color: ['#1668dc', '#c4282d', '#fa8c16'],
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0 },
        grid: { left: 180, right: 24, top: 28, bottom: 24 },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: sorted.map((r) => groupLabel(r.owner)), axisLabel: { fontSize: 12 } },
        series: [
          { name: lang() === 'zh' ? '未超时' : 'On time', type: 'bar', stack: 'open', data: sorted.map((r) => r.open - r.overdue) },
          { name: lang() === 'zh' ? '已超时' : 'Overdue', type: 'bar', stack: 'open', data: sorted.map((r) => r.overdue) },
          {
            name: lang() === 'zh' ? '其中错单' : 'Error orders',
            type: 'bar',
            barGap: '-100%',
            barWidth: 4,
            data: sorted.map((r) => r.errorOrders),
          },
        ],
      },
      true,
    );
  }

  async function drawHeat(rows: StageDuration[]) {
    if (shownProcess !== state.process) {
      viewer?.destroy();
      viewer = createViewer(heatHost, [heatModule]);
      const xml = await api<string>(`/process-definitions/${encodeURIComponent(state.process)}/xml`, { text: true });
      await viewer.importXML(localizedXml(xml));
      (viewer.get('canvas') as { zoom(v: string): void }).zoom('fit-viewport');
      shownProcess = state.process;
    }
    // One value per element: the rows of all branches weighted by how many stages each had.
    const byElement = new Map<string, ElementDuration>();
    for (const r of rows.filter((x) => x.processId === state.process || !x.processId)) {
      const d = byElement.get(r.elementId) ?? { elementId: r.elementId, count: 0, p50Minutes: 0, p90Minutes: 0 };
      const total = d.count + r.count;
      d.p50Minutes = (d.p50Minutes * d.count + r.p50WorkingMinutes * r.count) / Math.max(1, total);
      d.p90Minutes = Math.max(d.p90Minutes, r.p90WorkingMinutes);
      d.count = total;
      byElement.set(r.elementId, d);
    }
    (viewer!.get('heatOverlay') as HeatOverlay).show([...byElement.values()]);
  }

  void load();
  return () => {
    complaints.stop();
    chaseRate.stop();
    window.removeEventListener('resize', onResize);
    charts.forEach((c) => c.dispose());
    viewer?.destroy();
  };
}
