import { formatDuration, t } from '../i18n.ts';

/**
 * A diagram-js module drawing one instance's progress: canvas markers (CSS classes) for completed,
 * active (with SLA state) and incident elements and for the sequence flows taken; overlays for the
 * time spent in an active stage and for counts (loops, multi-instance).
 */
export interface ElementState {
  elementId: string;
  name: string | null;
  type: string;
  completed: number;
  active: number;
  terminated: number;
  incidents: number;
  activeSince: string | null;
  dueDate: string | null;
  slaState: 'on-time' | 'at-risk' | 'breached' | 'none';
}

interface Canvas {
  addMarker(id: string, marker: string): void;
  removeMarker(id: string, marker: string): void;
}
interface Overlays {
  add(id: string, type: string, overlay: { position: Record<string, number>; html: HTMLElement }): string;
  remove(filter: { type: string }): void;
}
interface ElementRegistry {
  get(id: string): unknown;
}

const MARKERS = ['st-completed', 'st-active', 'st-incident', 'st-taken', 'sla-on-time', 'sla-at-risk', 'sla-breached', 'sla-none'];

class ProgressOverlays {
  static $inject = ['canvas', 'overlays', 'elementRegistry'];
  private marked = new Set<string>();
  private canvas: Canvas;
  private overlays: Overlays;
  private registry: ElementRegistry;
  constructor(canvas: Canvas, overlays: Overlays, registry: ElementRegistry) {
    this.canvas = canvas;
    this.overlays = overlays;
    this.registry = registry;
  }

  show(elements: ElementState[], takenFlows: string[]) {
    for (const id of this.marked) for (const m of MARKERS) this.canvas.removeMarker(id, m);
    this.marked.clear();
    this.overlays.remove({ type: 'progress' });
    const mark = (id: string, marker: string) => {
      if (!this.registry.get(id)) return;
      this.canvas.addMarker(id, marker);
      this.marked.add(id);
    };
    for (const flow of takenFlows) mark(flow, 'st-taken');
    for (const e of elements) {
      if (!this.registry.get(e.elementId)) continue;
      if (e.incidents > 0) mark(e.elementId, 'st-incident');
      else if (e.active > 0) {
        mark(e.elementId, 'st-active');
        mark(e.elementId, `sla-${e.slaState}`);
      } else if (e.completed > 0) mark(e.elementId, 'st-completed');

      if (e.active > 0 && e.activeSince) {
        const html = document.createElement('span');
        html.className = `ov-time sla-${e.slaState}`;
        html.textContent = `${t('activeFor')} ${formatDuration(Date.now() - new Date(e.activeSince).getTime())}`;
        html.title = e.dueDate ? `due ${e.dueDate}` : '';
        // above the element: boundary timers and error events sit on its lower edge and stay readable
        this.overlays.add(e.elementId, 'progress', { position: { top: -20, left: 0 }, html });
      }
      const counts: [string, number][] = [];
      if (e.completed > 1 || (e.completed > 0 && e.active > 0)) counts.push(['ov-done', e.completed]);
      if (e.active > 1) counts.push(['ov-active', e.active]);
      if (e.incidents > 0) counts.push(['ov-incident', e.incidents]);
      if (counts.length > 0) {
        const html = document.createElement('span');
        html.className = 'ov-badge';
        for (const [cls, n] of counts) {
          const s = document.createElement('span');
          s.className = cls;
          s.textContent = String(n);
          html.append(s);
        }
        this.overlays.add(e.elementId, 'progress', { position: { top: -10, right: -6 }, html });
      }
    }
  }
}

export default {
  __init__: ['progressOverlays'],
  progressOverlays: ['type', ProgressOverlays],
};
export type { ProgressOverlays };
