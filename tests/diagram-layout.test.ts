import { readdirSync, readFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';
import { describe, expect, it } from 'vitest';

/**
 * The deployed diagrams stay readable: no label drawn over another label, over its own event or
 * over another element (a timer's "4小时" on top of the next timer, as process owners and leaders
 * saw it). Read from the diagrams' own layout (BPMN DI), as bpmn-js draws them.
 */
interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface DiElement {
  $type: string;
  id: string;
  bounds?: Bounds;
  isExpanded?: boolean;
  label?: { bounds?: Bounds };
  bpmnElement?: { $type: string };
}

const dir = new URL('../processes/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.bpmn'));
const overlap = (a: Bounds, b: Bounds) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('diagram layout', () => {
  it.each(files)('%s: no label covers another label or an element', async (file) => {
    const { rootElement } = await new BpmnModdle().fromXML(readFileSync(new URL(file, dir), 'utf8'));
    const diagrams = (rootElement as unknown as { diagrams: { plane: { planeElement: DiElement[] } }[] }).diagrams;
    const elements = diagrams.flatMap((d) => d.plane.planeElement);
    const labels = elements.filter((e) => e.label?.bounds).map((e) => ({ id: e.id, bounds: e.label!.bounds! }));
    // shapes drawn as boxes or symbols; an expanded (sub)process is a frame that holds its own labels
    const shapes = elements
      .filter((e) => e.$type === 'bpmndi:BPMNShape' && e.bounds && !e.isExpanded && !/Lane|Participant/.test(e.bpmnElement?.$type ?? ''))
      .map((e) => ({ id: e.id, bounds: e.bounds! }));
    const problems: string[] = [];
    labels.forEach((label, i) => {
      for (const other of labels.slice(i + 1))
        if (overlap(label.bounds, other.bounds)) problems.push(`${label.id} label / ${other.id} label`);
      for (const shape of shapes) if (overlap(label.bounds, shape.bounds)) problems.push(`${label.id} label / ${shape.id}`);
    });
    expect(problems).toEqual([]);
  });
});
