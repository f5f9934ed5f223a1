/** The parts of bpmn-moddle elements (with camunda-bpmn-moddle) our bpmnlint rules read. */
export interface ModdleElement {
  $type: string;
  $parent?: ModdleElement;
  $descriptor?: { properties: { name: string; type: string; isAttr?: boolean; isMany?: boolean; ns?: { prefix: string } }[] };
  $attrs?: Record<string, unknown>;
  id?: string;
  body?: string;
  language?: string;
  extensionElements?: { values?: ModdleElement[] };
  get(name: string): unknown;
}

export interface Reporter {
  report(id: string | undefined, message: string): void;
}

/** The id of the element itself or of its closest ancestor that has one (extension elements have none). */
export function owningId(node: ModdleElement | undefined): string | undefined {
  for (let n = node; n; n = n.$parent) if (n.id) return n.id;
  return undefined;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function extensions(node: ModdleElement, type: string): ModdleElement[] {
  return (node.extensionElements?.values ?? []).filter((e) => e.$type === type);
}
