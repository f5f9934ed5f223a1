import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const ComponentSchema = z.object({
  status: z.enum(['up', 'down']),
  detail: z.string().optional(),
  version: z.string().optional(),
  latencyMs: z.number().optional(),
});
const HealthSchema = z.object({ status: z.enum(['ok', 'unavailable']), engine: ComponentSchema, db: ComponentSchema }).meta({
  id: 'Health',
  example: { status: 'ok', engine: { status: 'up', version: '1.0.3', latencyMs: 4 }, db: { status: 'up', latencyMs: 1 } },
});

async function timed<T>(check: () => Promise<T>) {
  const t = performance.now();
  const value = await check();
  return { value, latencyMs: Math.round(performance.now() - t) };
}

/** A health check answers within `ms` whatever the component does. */
async function within<T>(ms: number, what: string, check: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([check, late]);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Whether the engine and the database answer',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const timeoutMs = Math.min(app.settings.ENGINE_REQUEST_TIMEOUT_MS, 3000);
      const [engine, db] = await Promise.all([
        // Up when the REST API answers with its default engine (GET /engine-rest/engine); the version beside it.
        timed(() => within(timeoutMs, 'the engine list', Promise.all([app.engine.healthy(), app.engine.version().catch(() => undefined)])))
          .then(({ value: [up, version], latencyMs }) =>
            up
              ? { status: 'up' as const, ...(version ? { version } : {}), latencyMs }
              : { status: 'down' as const, detail: 'engine: GET /engine-rest/engine gave no default engine (unreachable or starting)' },
          )
          .catch((e: Error) => ({ status: 'down' as const, detail: `engine: ${e.message}` })),
        timed(() => within(timeoutMs, 'the database ping', app.database.sql`select 1`))
          .then(({ latencyMs }) => ({ status: 'up' as const, latencyMs }))
          .catch((e: Error) => ({ status: 'down' as const, detail: `database: ${e.message}` })),
      ]);
      const ok = engine.status === 'up' && db.status === 'up';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', engine, db });
    },
  );
};
