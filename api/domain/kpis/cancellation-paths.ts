import { BpmnModdle } from 'bpmn-moddle';

/**
 * The elements of a process that only a cancelled item passes: the customer's cancellation (an
 * event sub-process), compensation handlers (undoing reservations), and every step from which the
 * process can only end cancelled (错单撤销 closings, 撤单). Stage durations leave them out: the time a
 * cancelled order spends being closed is no stage of the work leaders compare.
 */
interface Element {
  $type: string;
  id: string;
  triggeredByEvent?: boolean;
  isForCompensation?: boolean;
  flowElements?: Element[];
  outgoing?: { targetRef?: Element }[];
  attachedToRef?: Element;
}

/** An end event of a cancellation: its id says so (order-cancelled, order-error-cancelled, line-order-cancelled, …). */
const CANCELLED_END = /cancel/i;

const moddle = new BpmnModdle();
const cache = new Map<string, Set<string>>();

export async function cancellationElements(xml: string, cacheKey?: string): Promise<Set<string>> {
  const cached = cacheKey ? cache.get(cacheKey) : undefined;
  if (cached) return cached;
  const found = new Set<string>();
  let definitions: { rootElements?: Element[] };
  try {
    definitions = (await moddle.fromXML(xml)).rootElement as unknown as { rootElements?: Element[] };
  } catch {
    return found;
  }
  const scopes: Element[][] = [];
  const walk = (elements: Element[] | undefined, cancelling: boolean) => {
    if (!elements) return;
    scopes.push(elements);
    for (const el of elements) {
      const inCancellation = cancelling || (el.$type === 'bpmn:SubProcess' && !!el.triggeredByEvent);
      if (inCancellation || el.isForCompensation) found.add(el.id);
      if (el.flowElements) walk(el.flowElements, inCancellation);
    }
  };
  for (const root of definitions.rootElements ?? []) if (root.$type === 'bpmn:Process') walk(root.flowElements, false);

  // From which steps can the process only end cancelled? (ends reachable along sequence flows, boundary events included)
  for (const elements of scopes) {
    const boundary = new Map<string, Element[]>();
    for (const el of elements)
      if (el.$type === 'bpmn:BoundaryEvent' && el.attachedToRef)
        boundary.set(el.attachedToRef.id, [...(boundary.get(el.attachedToRef.id) ?? []), el]);
    const reachableEnds = (from: Element): string[] => {
      const seen = new Set<string>([from.id]);
      const queue = [from];
      const out: string[] = [];
      for (let el = queue.shift(); el; el = queue.shift()) {
        if (el.$type === 'bpmn:EndEvent') out.push(el.id);
        for (const n of [...(el.outgoing ?? []).map((f) => f.targetRef), ...(boundary.get(el.id) ?? [])])
          if (n && !seen.has(n.id)) {
            seen.add(n.id);
            queue.push(n);
          }
      }
      return out;
    };
    for (const el of elements) {
      if (el.$type === 'bpmn:SequenceFlow') continue;
      const reached = reachableEnds(el);
      if (reached.length > 0 && reached.every((id) => CANCELLED_END.test(id))) found.add(el.id);
    }
  }
  if (cacheKey) cache.set(cacheKey, found);
  return found;
}
