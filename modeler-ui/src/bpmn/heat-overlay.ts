/**
 * A diagram-js module colouring each element by how long it takes (p90, working time): pale for
 * quick stages, deep red for the slow ones, with a p50 / p90 label: where the process loses time.
 */
import { lang } from '../i18n.ts';

export interface ElementDuration {
  elementId: string;
  count: number;
  p50Minutes: number;
  p90Minutes: number;
}

interface ElementRegistry {
  get(id: string): unknown;
  getGraphics(id: string): SVGElement | undefined;
}
interface Overlays {
  add(id: string, type: string, overlay: { position: Record<string, number>; html: HTMLElement }): string;
  remove(filter: { type: string }): void;
}

/** 45 分钟, 2.5 小时, 12 小时 (English: 45 min, 2.5 h): short enough to sit under a task. */
const hours = (minutes: number) => {
  const zh = lang() === 'zh';
  if (minutes < 1) return `${Math.max(1, Math.round(minutes * 60))} ${zh ? '秒' : 's'}`;
  if (minutes < 60) return `${Math.round(minutes)} ${zh ? '分钟' : 'min'}`;
  const h = minutes >= 600 ? String(Math.round(minutes / 60)) : (minutes / 60).toFixed(1);
  return `${h} ${zh ? '小时' : 'h'}`;
};

class HeatOverlay {
  static $inject = ['elementRegistry', 'overlays'];
  private registry: ElementRegistry;
  private overlays: Overlays;
  constructor(registry: ElementRegistry, overlays: Overlays) {
    this.registry = registry;
    this.overlays = overlays;
  }

  show(durations: ElementDuration[]) {
    this.overlays.remove({ type: 'heat' });
    const max = Math.max(1, ...durations.map((d) => d.p90Minutes));
    for (const d of durations) {
      const gfx = this.registry.getGraphics(d.elementId);
      if (!gfx) continue;
      const share = Math.sqrt(d.p90Minutes / max);
      const shape = gfx.querySelector<SVGElement>('.djs-visual > :first-child');
      if (shape) {
        // from pale yellow (hsl 50) to deep red (hsl 0)
        shape.style.fill = `hsl(${Math.round(50 - 50 * share)}, 90%, ${Math.round(92 - 42 * share)}%)`;
        shape.style.stroke = share > 0.6 ? '#8c1d18' : '#7a5b00';
      }
      const html = document.createElement('span');
      html.className = 'ov-heat';
      html.dataset.elementId = d.elementId;
      html.textContent = `P50 ${hours(d.p50Minutes)} · P90 ${hours(d.p90Minutes)}`;
      html.title = lang() === 'zh' ? `${d.count} 次（工作时间）` : `${d.count} times (working time)`;
      this.overlays.add(d.elementId, 'heat', { position: { bottom: -4, left: 0 }, html });
    }
  }
}

export default {
  __init__: ['heatOverlay'],
  heatOverlay: ['type', HeatOverlay],
};
export type { HeatOverlay };
