import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Validates our answers against the official TM Forum component schemas (tests/fixtures/tmf/*.yaml, copies of the TM Forum's documents).
 * OpenAPI 3.0 polymorphism is turned into JSON Schema ajv understands: a `oneOf` with a
 * discriminator becomes "@type must name one of the mapping's schemas, and then match it"
 * (plain oneOf would fail whenever two subtypes accept the same object); other discriminators
 * are dropped (the base schema still applies); `nullable` becomes a null type.
 */
const SPECS = {
  tmf622: new URL('../fixtures/tmf/TMF622-ProductOrdering-v5.0.0.oas.yaml', import.meta.url),
  tmf621: new URL('../fixtures/tmf/TMF621-Trouble_Ticket-v5.0.1.oas.yaml', import.meta.url),
};

type Json = Record<string, unknown>;

function adapt(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(adapt);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) if (k !== 'discriminator' && k !== 'nullable' && k !== 'example') out[k] = adapt(v);
  const schema = node as Json & { discriminator?: { propertyName: string; mapping?: Record<string, string> }; oneOf?: { $ref?: string }[] };
  if (schema.nullable === true && typeof schema.type === 'string') out.type = [schema.type, 'null'];
  if (schema.discriminator && schema.oneOf) {
    const prop = schema.discriminator.propertyName;
    const mapping =
      schema.discriminator.mapping ??
      Object.fromEntries(schema.oneOf.filter((o) => o.$ref).map((o) => [o.$ref!.split('/').at(-1)!, o.$ref!]));
    delete out.oneOf;
    out.required = [...((out.required as string[] | undefined) ?? []), prop];
    out.properties = { ...((out.properties as Json | undefined) ?? {}), [prop]: { enum: Object.keys(mapping) } };
    out.allOf = [
      ...((out.allOf as unknown[] | undefined) ?? []),
      ...Object.entries(mapping).map(([name, ref]) => ({ if: { properties: { [prop]: { const: name } } }, then: { $ref: ref } })),
    ];
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
for (const f of ['float', 'double', 'int32', 'int64', 'base64']) if (!ajv.formats[f]) ajv.addFormat(f, true);
for (const [id, url] of Object.entries(SPECS)) {
  const doc = parse(readFileSync(url, 'utf8')) as { components: { schemas: Json } };
  ajv.addSchema({ $id: `${id}.json`, components: { schemas: adapt(doc.components.schemas) } });
}

const cache = new Map<string, ValidateFunction>();

/** The errors of `body` against a component schema of a spec (empty when it conforms). */
export function tmfSchemaErrors(spec: keyof typeof SPECS, component: string, body: unknown): string[] {
  const ref = `${spec}.json#/components/schemas/${component}`;
  let validate = cache.get(ref);
  if (!validate) {
    validate = ajv.getSchema(ref);
    if (!validate) throw new Error(`no schema ${component} in ${spec}`);
    cache.set(ref, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
