import 'camunda-bpmn-js/dist/assets/camunda-cloud-navigated-viewer.css';
import NavigatedViewer from 'camunda-bpmn-js/lib/camunda-cloud/NavigatedViewer';

/** A read-only diagram (Camunda 8 flavour) with our modules (progress or heat overlays). */
export function createViewer(container: HTMLElement, additionalModules: object[] = []) {
  return new NavigatedViewer({ container, additionalModules: additionalModules as never });
}
export type Viewer = ReturnType<typeof createViewer>;
