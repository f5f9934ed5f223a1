import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ACCESS } from '../domain/auth/access.ts';
import { StatusIdParamsSchema, StatusViewSchema } from '../domain/status/schemas.ts';
import { getStatus } from '../domain/status/use-cases.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

/** The plain status page's data: where an order, change, line order, ticket or complaint is, in words. */
export const statusRoutes: FastifyPluginAsyncZod = async (app) => {
  const progress = app.statusReads;
  app.get(
    '/status/:id',
    {
      config: { access: ACCESS.everyone },
      schema: {
        tags: ['status'],
        summary:
          'Where an order, change, line order, ticket or complaint is: current stage(s), timeline, SLA due and ETA (zh-CN and English)',
        description: 'Customers see only their own (another number answers 404). The id prefix says what it is: HB, CH, DL, FT or CP.',
        params: StatusIdParamsSchema,
        response: { 200: StatusViewSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => getStatus({ caller: principal(request), id: request.params.id, progress }),
  );
};
