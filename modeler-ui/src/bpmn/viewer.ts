import 'camunda-bpmn-js/dist/assets/camunda-platform-navigated-viewer.css';
import NavigatedViewer from 'camunda-bpmn-js/lib/camunda-platform/NavigatedViewer';

/**
 * A read-only diagram in the Camunda 7 dialect that Operaton runs (camunda-bpmn-moddle, so the
 * `camunda:` attributes and extension elements are read, not dropped as unknown), with our modules
 * (progress or heat overlays).
 */
export function createViewer(container: HTMLElement, additionalModules: object[] = []) {
  return new NavigatedViewer({ container, additionalModules: additionalModules as never });
}
export type Viewer = ReturnType<typeof createViewer>;
