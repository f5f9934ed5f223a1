import { lang } from '../i18n.ts';

/**
 * The decision a task's form asks for, as two buttons instead of a box left unticked: a checkbox
 * marked with `properties["decision.yes"]` / `["decision.no"]` (审核通过 / 驳回, English beside
 * them as `decision.yes.en` / `decision.no.en`); `["decision.note"]` names the field that must say
 * why when the answer is no. The API requires the same (api/domain/tasks/form-schema.ts).
 */
export interface FormDecision {
  key: string;
  yes: string;
  no: string;
  noteKey: string | null;
  noteLabel: string | null;
}

interface Component {
  type?: string;
  key?: string;
  label?: string;
  properties?: Record<string, unknown>;
  components?: Component[];
}

const text = (props: Record<string, unknown>, key: string, fallback: string) => {
  const zh = typeof props[key] === 'string' ? (props[key] as string) : fallback;
  const en = props[`${key}.en`];
  return lang() === 'en' && typeof en === 'string' && en.trim() ? en : zh;
};

function* componentsOf(components: Component[] = []): Generator<Component> {
  for (const c of components) {
    yield c;
    yield* componentsOf(c.components);
  }
}

export function decisionOf(schema: { components?: Component[] } | null | undefined): FormDecision | null {
  if (!schema) return null;
  const all = [...componentsOf(schema.components)];
  const box = all.find((c) => c.type === 'checkbox' && c.key && typeof c.properties?.['decision.yes'] === 'string');
  if (!box?.key || !box.properties) return null;
  const noteKey = typeof box.properties['decision.note'] === 'string' ? (box.properties['decision.note'] as string) : null;
  const note = noteKey ? all.find((c) => c.key === noteKey) : undefined;
  return {
    key: box.key,
    yes: text(box.properties, 'decision.yes', '通过'),
    no: text(box.properties, 'decision.no', '驳回'),
    noteKey,
    noteLabel: note ? text(note.properties ?? {}, 'label', note.label ?? noteKey ?? '') : null,
  };
}

/** The form without the decision's box: the buttons answer it. */
export function withoutDecision<T extends { components?: Component[] }>(schema: T, decision: FormDecision): T {
  const strip = (components: Component[] = []): Component[] =>
    components
      .filter((c) => !(c.type === 'checkbox' && c.key === decision.key))
      .map((c) => (c.components ? { ...c, components: strip(c.components) } : c));
  return { ...schema, components: strip(schema.components) };
}
