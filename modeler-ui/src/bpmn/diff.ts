/**
 * Element-level diff of two BPMN documents (the edited one against the deployed version): which
 * flow elements, processes and participants were added, removed or changed. Layout (DI) is left
 * out: moving a shape changes nothing the engine runs.
 */
export interface Change {
  id: string;
  type: string;
  name?: string;
  kind: 'added' | 'removed' | 'changed';
  /** For a changed element: the properties that differ. */
  properties?: string[];
}

interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  $descriptor: { properties: { name: string; isReference?: boolean; isMany?: boolean }[] };
  $attrs?: Record<string, unknown>;
  [key: string]: unknown;
}

const SKIP = new Set([
  'flowElements',
  'incoming',
  'outgoing',
  'di',
  'laneSets',
  'artifacts',
  'rootElements',
  'diagrams',
  'lanes',
  'participants',
  'messageFlows',
]);
const CONTAINERS = ['rootElements', 'flowElements', 'participants', 'messageFlows', 'artifacts', 'laneSets', 'lanes'];

function isElement(v: unknown): v is ModdleElement {
  return !!v && typeof v === 'object' && '$type' in v;
}

/** A comparable value of one property: references become ids, contained elements are walked. */
function plain(value: unknown, isReference: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => plain(v, isReference));
  if (!isElement(value)) return value;
  if (isReference) return value.id;
  return signature(value);
}

function signature(el: ModdleElement): Record<string, unknown> {
  const out: Record<string, unknown> = { $type: el.$type };
  for (const p of el.$descriptor.properties) {
    if (SKIP.has(p.name) || p.name === 'id') continue;
    const value = el[p.name];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[p.name] = plain(value, !!p.isReference);
  }
  if (el.$attrs && Object.keys(el.$attrs).length) out.$attrs = { ...el.$attrs };
  return out;
}

export function collect(definitions: ModdleElement): Map<string, ModdleElement> {
  const found = new Map<string, ModdleElement>();
  const walk = (el: ModdleElement) => {
    if (el.id && el.$type !== 'bpmn:Definitions' && !el.$type.startsWith('bpmndi:')) found.set(el.id, el);
    for (const key of CONTAINERS) {
      const children = el[key];
      if (Array.isArray(children)) children.filter(isElement).forEach(walk);
    }
  };
  walk(definitions);
  return found;
}

export function diff(deployed: ModdleElement, edited: ModdleElement): Change[] {
  const before = collect(deployed);
  const after = collect(edited);
  const changes: Change[] = [];
  for (const [id, el] of after) {
    const old = before.get(id);
    if (!old) {
      changes.push({ id, type: el.$type, name: el.name, kind: 'added' });
      continue;
    }
    const a = signature(old);
    const b = signature(el);
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const properties = [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    if (properties.length) changes.push({ id, type: el.$type, name: el.name, kind: 'changed', properties });
  }
  for (const [id, el] of before) if (!after.has(id)) changes.push({ id, type: el.$type, name: el.name, kind: 'removed' });
  return changes;
}
