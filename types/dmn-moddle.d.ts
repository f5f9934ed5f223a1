declare module 'dmn-moddle' {
  export class DmnModdle {
    fromXML(xml: string): Promise<{ rootElement: { drgElement: { id: string }[] }; warnings: unknown[] }>;
  }
}
