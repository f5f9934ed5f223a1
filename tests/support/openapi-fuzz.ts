import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the fuzzer reads (as `app.swagger()` produces it). */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
export interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  example?: unknown;
  examples?: unknown[];
  default?: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path, e.g. /orders/{id} */
  path: string;
  operation: Operation;
}

/** Every operation of the document: new routes are fuzzed without touching the tests. */
export function routesOf(doc: OpenApiDocument): Route[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase() as Route['method'], path, operation })),
  );
}

/** Strings that have broken servers before: encodings, injections, huge numbers, control characters. */
const NASTY_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '99999999999999999999999999',
  '1e309',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  "' or 1=1 --",
  '"; drop table orders; --',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e',
  '😀',
  '__proto__',
  'constructor',
  'prototype',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  'HB20260101000001',
  'FT20260101000001',
  '2251799813685249',
  '9223372036854775807',
  '9223372036854775808',
  'a'.repeat(5000),
];

const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^\d{1,25}$/) },
);

function deref(schema: JsonSchema, doc: OpenApiDocument): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.split('/').pop()!;
  return doc.components?.schemas?.[name] ?? {};
}

/**
 * Values for a JSON schema: often valid-looking (so validation passes and the handler runs), often
 * not (wrong types, bounds, unknown fields, nasty strings).
 */
export function arbitraryFor(schema: JsonSchema | undefined, doc: OpenApiDocument, depth = 0): fc.Arbitrary<unknown> {
  const wild = depth > 3 ? fc.constantFrom<unknown>(null, 0, '', [], {}) : fc.jsonValue({ maxDepth: 2 });
  if (!schema) return wild;
  const s = deref(schema, doc);
  const candidates: fc.Arbitrary<unknown>[] = [];
  if (s.const !== undefined) candidates.push(fc.constant(s.const));
  if (s.enum) candidates.push(fc.constantFrom(...s.enum));
  for (const alternatives of [s.anyOf, s.oneOf]) {
    if (alternatives?.length) candidates.push(fc.oneof(...alternatives.map((a) => arbitraryFor(a, doc, depth + 1))));
  }
  if (s.allOf?.length) candidates.push(arbitraryFor(s.allOf[0], doc, depth + 1));
  if (s.example !== undefined) candidates.push(fc.constant(s.example));
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  for (const type of types) {
    if (type === 'string') {
      candidates.push(nastyString);
      if (s.format === 'date-time') candidates.push(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
      if (s.format === 'uri') candidates.push(fc.webUrl());
      if (s.format === 'email') candidates.push(fc.emailAddress());
      if (s.pattern) {
        try {
          candidates.push(fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length < 300));
        } catch {
          // a pattern JavaScript cannot compile: the nasty strings stay
        }
      }
    } else if (type === 'integer' || type === 'number') {
      candidates.push(
        fc.oneof(
          fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1_000_000 }),
          fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
        ),
      );
    } else if (type === 'boolean') {
      candidates.push(fc.boolean());
    } else if (type === 'null') {
      candidates.push(fc.constant(null));
    } else if (type === 'array') {
      candidates.push(fc.array(arbitraryFor(s.items, doc, depth + 1), { maxLength: depth > 1 ? 2 : 5 }));
    } else if (type === 'object') {
      const properties = Object.entries(s.properties ?? {});
      const known = Object.fromEntries(properties.map(([k, v]) => [k, arbitraryFor(v, doc, depth + 1)]));
      const required = s.required ?? [];
      // usually every required key, sometimes any subset
      const record = fc.record(known, { requiredKeys: [] });
      const complete = fc.record(known, { requiredKeys: required.filter((k) => k in known) });
      candidates.push(
        fc.oneof(
          { weight: 3, arbitrary: complete },
          { weight: 1, arbitrary: record },
          {
            weight: 1,
            arbitrary: fc
              .tuple(complete, fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }))
              .map(([a, b]) => ({ ...b, ...(a as object) })),
          },
        ),
      );
    }
  }
  if (candidates.length === 0) return wild;
  return fc.oneof({ weight: 4, arbitrary: fc.oneof(...candidates) }, { weight: 1, arbitrary: wild });
}

export interface FuzzRequest {
  method: Route['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

const HEADER_NOISE = fc.dictionary(
  fc.constantFrom('idempotency-key', 'x-request-id', 'accept', 'accept-language', 'if-none-match', 'x-forwarded-for', 'range', 'x-custom'),
  nastyString.map((v) => v.replace(/[^\x20-\x7e]/g, '').slice(0, 200)),
  { maxKeys: 3 },
);

/** A request for a route: path and query parameters, headers and body drawn from its schemas and from noise. */
export function requestFor(route: Route, doc: OpenApiDocument): fc.Arbitrary<FuzzRequest> {
  const params = route.operation.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const headerParams = params.filter((p) => p.in === 'header');
  const bodySchema = route.operation.requestBody?.content?.['application/json']?.schema;
  const str = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
  return fc
    .record({
      path: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, fc.oneof(nastyString, arbitraryFor(p.schema, doc).map(str))]))),
      query: fc.tuple(
        fc.record(Object.fromEntries(queryParams.map((p) => [p.name, arbitraryFor(p.schema, doc).map(str)])), { requiredKeys: [] }),
        fc.dictionary(nastyString, nastyString, { maxKeys: 2 }),
        fc.boolean(),
      ),
      headers: fc.tuple(
        fc.record(Object.fromEntries(headerParams.map((p) => [p.name, arbitraryFor(p.schema, doc).map(str)])), { requiredKeys: [] }),
        HEADER_NOISE,
      ),
      body: fc.oneof(
        { weight: 6, arbitrary: arbitraryFor(bodySchema, doc).map((v) => ({ kind: 'json' as const, text: JSON.stringify(v) ?? 'null' })) },
        { weight: 1, arbitrary: fc.string({ maxLength: 50 }).map((text) => ({ kind: 'json' as const, text })) },
        { weight: 1, arbitrary: fc.string({ maxLength: 50 }).map((text) => ({ kind: 'text' as const, text })) },
        { weight: 1, arbitrary: fc.constant({ kind: 'none' as const, text: '' }) },
      ),
    })
    .map(({ path, query, headers, body }) => {
      const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(path[name] ?? '')) || '%20');
      const [known, extra, withExtra] = query;
      const search = new URLSearchParams({ ...(withExtra ? extra : {}), ...(known as Record<string, string>) }).toString();
      const hdrs: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...headers[1], ...(headers[0] as Record<string, string>) })) {
        hdrs[k.toLowerCase()] = v.replace(/[^\x20-\x7e]/g, '').slice(0, 200);
      }
      const sendsBody = route.method !== 'GET' && route.method !== 'DELETE' && body.kind !== 'none';
      if (sendsBody) hdrs['content-type'] = body.kind === 'json' ? 'application/json' : 'text/plain';
      return { method: route.method, url: search ? `${url}?${search}` : url, headers: hdrs, ...(sendsBody ? { payload: body.text } : {}) };
    });
}
