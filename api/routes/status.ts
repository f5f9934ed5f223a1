import { preferredLanguage } from '../domain/i18n/language.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ACCESS, canSee } from '../domain/auth/access.ts';
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
    async (request, reply) => {
      const caller = principal(request);
      const { id } = request.params;
      const subject = await progress.findSubject(id);
      const lang = preferredLanguage(request.headers['accept-language']);
      // Hot path: the serialised view, shared by everyone allowed to see it, for the cache period.
      if (subject && canSee(caller, subject.customerId)) {
        const body = await progress.view('status', subject.id, lang, async () =>
          JSON.stringify(StatusViewSchema.parse(await getStatus({ caller, id, progress, lang }))),
        );
        // already validated and serialised above
        return reply.type('application/json; charset=utf-8').send(body as never);
      }
      return getStatus({ caller, id, progress, lang });
    },
  );
};
