import { BpmnModdle } from 'bpmn-moddle';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json' with { type: 'json' };

export interface ProcessElementInfo {
  elementId: string;
  name: string | null;
  /** The English name (extension property `name.en`), shown through the language switch. */
  nameEn: string | null;
  elementType: string;
  formId: string | null;
}

interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  flowElements?: ModdleElement[];
  get(name: string): unknown;
}

/** The value of a `camunda:property` (extension properties) of an element. */
function extensionProperty(el: ModdleElement, name: string): string | null {
  const ext = el.get('extensionElements') as { values?: { $type: string; values?: { name?: string; value?: string }[] }[] } | undefined;
  for (const v of ext?.values ?? []) {
    if (v.$type !== 'camunda:Properties') continue;
    const value = v.values?.find((p) => p.name === name)?.value?.trim();
    if (value) return value;
  }
  return null;
}

/** The named elements of a BPMN document (names in Chinese and English for timelines, form ids — `camunda:formRef` — for task validation). */
export async function describeBpmn(xml: string): Promise<ProcessElementInfo[]> {
  const moddle = new BpmnModdle({ camunda: camundaModdle });
  const { rootElement } = (await moddle.fromXML(xml)) as { rootElement: { rootElements?: ModdleElement[] } };
  const out: ProcessElementInfo[] = [];
  const visit = (el: ModdleElement) => {
    if (el.id) {
      const formRef = el.$type === 'bpmn:UserTask' || el.$type === 'bpmn:StartEvent' ? el.get('camunda:formRef') : undefined;
      out.push({
        elementId: el.id,
        name: el.name?.trim() || null,
        nameEn: extensionProperty(el, 'name.en'),
        elementType: el.$type.replace(/^bpmn:/, ''),
        formId: typeof formRef === 'string' && formRef.trim() ? formRef.trim() : null,
      });
    }
    for (const child of el.flowElements ?? []) visit(child);
  };
  for (const root of rootElement.rootElements ?? []) if (root.$type === 'bpmn:Process') visit(root);
  return out;
}
