import { BpmnModdle } from 'bpmn-moddle';
import { DmnModdle } from 'dmn-moddle';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json' with { type: 'json' };

/**
 * Whether an uploaded file says the same as the version deployed now. The engine's own duplicate
 * filtering compares bytes, but the modeler writes the XML its own way (indentation, namespace
 * order, attribute order) and the form editor lays out rows and ids of its own: a process owner who
 * opens a model and deploys it untouched would get a new version. Both sides are read into the
 * model (moddle for BPMN and DMN, the form's JSON) and written back the same way, so only what the
 * model says counts: elements, properties, extension elements and the diagram's layout.
 */

type Moddle = { fromXML(xml: string): Promise<{ rootElement: unknown }>; toXML(el: unknown, o?: object): Promise<{ xml: string }> };

const bpmn = new BpmnModdle({ camunda: camundaModdle }) as unknown as Moddle;
const dmn = new DmnModdle() as unknown as Moddle;

/**
 * Collections whose order means nothing to the engine or the diagram, which the modeler writes in
 * an order of its own (the diagram's shapes in drawing order, flows as they were connected).
 */
const UNORDERED = ['rootElements', 'flowElements', 'artifacts', 'planeElement', 'incoming', 'outgoing', 'laneSets', 'lanes', 'flowNodeRef'];

function sortUnordered(el: unknown, seen = new Set<unknown>()) {
  if (!el || typeof el !== 'object' || seen.has(el)) return;
  seen.add(el);
  const record = el as Record<string, unknown>;
  for (const key of UNORDERED) {
    const value = record[key];
    if (Array.isArray(value))
      value.sort((a: { id?: string }, b: { id?: string }) => String(a?.id ?? '').localeCompare(String(b?.id ?? '')));
  }
  for (const [key, value] of Object.entries(record)) {
    if (key.startsWith('$') || ['incoming', 'outgoing', 'sourceRef', 'targetRef', 'bpmnElement', 'attachedToRef', 'flowNodeRef'].includes(key))
      continue;
    if (Array.isArray(value)) value.forEach((v) => sortUnordered(v, seen));
    else if (value && typeof value === 'object') sortUnordered(value, seen);
  }
}

/** The XML as the model's writer puts it, or null when it does not parse (then it is not the same). */
async function canonicalXml(moddle: Moddle, xml: string): Promise<string | null> {
  try {
    const { rootElement } = await moddle.fromXML(xml);
    sortUnordered(rootElement);
    return (await moddle.toXML(rootElement, { format: false })).xml;
  } catch {
    return null;
  }
}

export async function sameBpmn(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [x, y] = await Promise.all([canonicalXml(bpmn, a), canonicalXml(bpmn, b)]);
  return x !== null && x === y;
}

export async function sameDmn(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [x, y] = await Promise.all([canonicalXml(dmn, a), canonicalXml(dmn, b)]);
  return x !== null && x === y;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** What the form-js editor writes of its own: who exported it, the schema version it read, component ids (tasks bind by key). */
const EDITOR_KEYS = new Set(['exporter', 'schemaVersion', 'executionPlatform', 'executionPlatformVersion']);

/**
 * A form as it behaves: keys sorted, editor bookkeeping left out, component ids left out, and each
 * component's row named by its order (the editor names rows randomly and gives every component
 * without a layout a row of its own).
 */
function canonicalForm(value: Json, root = true): Json {
  if (Array.isArray(value)) return value.map((v) => canonicalForm(v, false));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) {
    if (root && EDITOR_KEYS.has(key)) continue;
    if (key === 'components' && Array.isArray(value[key])) {
      const rows = new Map<string, string>();
      out[key] = (value[key] as Json[]).map((c, i) => {
        if (!c || typeof c !== 'object' || Array.isArray(c)) return canonicalForm(c, false);
        const { id: _id, layout, ...rest } = c as Record<string, Json>;
        const l = (layout && typeof layout === 'object' && !Array.isArray(layout) ? layout : {}) as Record<string, Json>;
        const rowKey = typeof l.row === 'string' ? `r:${l.row}` : `own:${i}`;
        if (!rows.has(rowKey)) rows.set(rowKey, `row-${rows.size + 1}`);
        return canonicalForm({ ...rest, layout: { row: rows.get(rowKey)!, columns: l.columns ?? null } }, false);
      });
      continue;
    }
    out[key] = canonicalForm(value[key] as Json, false);
  }
  return out;
}

export function sameForm(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonicalForm(a as Json)) === JSON.stringify(canonicalForm(b as Json));
}
