import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from './support/platform.ts';

interface Operation {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema?: { example?: unknown; $ref?: string }; example?: unknown; examples?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { example?: unknown; examples?: unknown }> };
}

let platform: Platform;
let spec: Spec;

beforeAll(async () => {
  platform = await startPlatform({ workers: false });
  await platform.fastify.ready();
  spec = platform.fastify.swagger() as unknown as Spec;
});
afterAll(() => platform?.close());

const operations = () =>
  Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

/** A body schema's example: on the schema itself or on the component it references. */
function exampleOf(media: NonNullable<Operation['requestBody']>['content'][string]): unknown {
  if (media.example !== undefined || media.examples !== undefined) return media.example ?? media.examples;
  const schema = media.schema;
  if (!schema) return undefined;
  if (schema.example !== undefined) return schema.example;
  const ref = schema.$ref?.split('/').pop();
  const component = ref ? spec.components.schemas[ref] : undefined;
  return component?.example ?? component?.examples;
}

describe('the OpenAPI document at /docs', () => {
  it('is served as JSON and as the Swagger UI', async () => {
    expect((await platform.fastify.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
    expect((await platform.fastify.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('describes every operation: summary, tag, a success response and its errors', () => {
    const gaps: string[] = [];
    for (const { name, op } of operations()) {
      if (!op.summary) gaps.push(`${name}: no summary`);
      if (!op.tags?.length) gaps.push(`${name}: no tag`);
      const codes = Object.keys(op.responses);
      if (!codes.some((c) => c.startsWith('2'))) gaps.push(`${name}: no success response`);
      if (op.security && !(codes.includes('401') && codes.includes('403'))) gaps.push(`${name}: protected but 401/403 not documented`);
      const hasInput = (op.parameters?.length ?? 0) > 0 || op.requestBody !== undefined;
      if (hasInput && !codes.includes('400')) gaps.push(`${name}: takes input but 400 not documented`);
    }
    expect(gaps).toEqual([]);
  });

  it('gives an example for every request body', () => {
    const gaps = operations()
      .filter(({ op }) => op.requestBody)
      .flatMap(({ name, op }) =>
        Object.entries(op.requestBody!.content)
          .filter(([, media]) => exampleOf(media) === undefined)
          .map(([type]) => `${name} ${type}`),
      );
    expect(gaps).toEqual([]);
  });
});
