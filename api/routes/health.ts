import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withEngineTimeout } from '../../engine/camunda.ts';

const ComponentSchema = z.object({
  status: z.enum(['up', 'down']),
  detail: z.string().optional(),
  version: z.string().optional(),
  latencyMs: z.number().optional(),
});
const HealthSchema = z.object({ status: z.enum(['ok', 'unavailable']), engine: ComponentSchema, db: ComponentSchema }).meta({
  id: 'Health',
  example: { status: 'ok', engine: { status: 'up', version: '8.6.0', latencyMs: 4 }, db: { status: 'up', latencyMs: 1 } },
});

async function timed<T>(check: () => Promise<T>) {
  const t = performance.now();
  const value = await check();
  return { value, latencyMs: Math.round(performance.now() - t) };
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
        timed(() => withEngineTimeout(app.camunda.rest.topology(), timeoutMs, 'the topology request'))
          .then(({ value, latencyMs }) => {
            const leaders = value.brokers.flatMap((b) => b.partitions).filter((p) => p.role === 'leader' && p.health === 'healthy');
            return leaders.length >= value.partitionsCount && value.partitionsCount > 0
              ? { status: 'up' as const, version: value.gatewayVersion, latencyMs }
              : { status: 'down' as const, detail: 'no healthy leader for every partition', version: value.gatewayVersion };
          })
          .catch((e: Error) => ({ status: 'down' as const, detail: `engine: ${e.message}` })),
        timed(() => withEngineTimeout(app.database.sql`select 1`, timeoutMs, 'the database ping'))
          .then(({ latencyMs }) => ({ status: 'up' as const, latencyMs }))
          .catch((e: Error) => ({
            status: 'down' as const,
            detail: `database: ${e.message.replace('the engine did not answer', 'no answer to')}`,
          })),
      ]);
      const ok = engine.status === 'up' && db.status === 'up';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', engine, db });
    },
  );
};
