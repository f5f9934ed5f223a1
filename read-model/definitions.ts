import { BpmnModdle } from 'bpmn-moddle';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };

export interface ProcessElementInfo {
  elementId: string;
  name: string | null;
  elementType: string;
  formId: string | null;
}

interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  flowElements?: ModdleElement[];
  extensionElements?: { values?: { $type: string; formId?: string; formKey?: string }[] };
}

/** The named elements of a BPMN document (names for timelines, form ids for task validation). */
export async function describeBpmn(xml: string): Promise<ProcessElementInfo[]> {
  const moddle = new BpmnModdle({ zeebe: zeebeModdle });
  const { rootElement } = (await moddle.fromXML(xml)) as { rootElement: { rootElements?: ModdleElement[] } };
  const out: ProcessElementInfo[] = [];
  const visit = (el: ModdleElement) => {
    if (el.id) {
      const form = el.extensionElements?.values?.find((v) => v.$type === 'zeebe:FormDefinition');
      out.push({
        elementId: el.id,
        name: el.name?.trim() || null,
        elementType: el.$type.replace(/^bpmn:/, ''),
        formId: form?.formId ?? null,
      });
    }
    for (const child of el.flowElements ?? []) visit(child);
  };
  for (const root of rootElement.rootElements ?? []) if (root.$type === 'bpmn:Process') visit(root);
  return out;
}
