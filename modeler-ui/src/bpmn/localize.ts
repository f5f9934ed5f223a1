import { lang } from '../i18n.ts';

const CAMUNDA = 'http://camunda.org/schema/1.0/bpmn';

/**
 * A diagram to show in the reader's language: the models are named in Chinese and keep the English
 * name of each element as the extension property `name.en`; in English, those names are put in
 * place before the (read-only) viewer draws them. The modeler always edits the model as it is.
 */
export function localizedXml(xml: string): string {
  if (lang() === 'zh') return xml;
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) return xml;
  let changed = false;
  for (const property of Array.from(doc.getElementsByTagNameNS(CAMUNDA, 'property'))) {
    const value = property.getAttribute('value')?.trim();
    if (property.getAttribute('name') !== 'name.en' || !value) continue;
    // camunda:property → camunda:properties → bpmn:extensionElements → the named element
    const element = property.parentElement?.parentElement?.parentElement;
    if (element?.hasAttribute('name')) {
      element.setAttribute('name', value);
      changed = true;
    }
  }
  return changed ? new XMLSerializer().serializeToString(doc) : xml;
}
