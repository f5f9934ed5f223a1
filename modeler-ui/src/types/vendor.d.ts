// Packages without type declarations that the UI imports.
declare module 'bpmnlint/lib/linter' {
  export default class Linter {
    constructor(options: { config: unknown; resolver: unknown });
    lint(definitions: unknown): Promise<Record<string, { id?: string; message: string; category: string }[]>>;
  }
}
declare module 'bpmnlint/lib/resolver/static-resolver' {
  export default class StaticResolver {
    constructor(cache: Record<string, unknown>);
  }
}
declare module 'virtual:bpmnlint-cache' {
  const cache: Record<string, unknown>;
  export default cache;
}
declare module 'virtual:repository-ids' {
  export const forms: string[];
  export const decisions: string[];
}
declare module 'dmn-js/lib/Modeler' {
  export default class DmnModeler {
    constructor(options: { container: HTMLElement | string; [key: string]: unknown });
    importXML(xml: string): Promise<{ warnings: unknown[] }>;
    saveXML(options?: { format?: boolean }): Promise<{ xml: string }>;
    on(event: string, callback: (...args: unknown[]) => void): void;
    getActiveViewer(): { get(name: string): unknown } | undefined;
    getViews(): { type: string; element: { id: string; name?: string } }[];
    open(view: unknown): Promise<unknown>;
    destroy(): void;
  }
}
declare module 'bpmn-js-i18n/translations/zn.js' {
  const translations: Record<string, string>;
  export default translations;
}
