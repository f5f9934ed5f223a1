import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ACCESS } from '../domain/auth/access.ts';
import { AcceptanceBatchSchema, MonthParamsSchema, StartBatchBodySchema } from '../domain/acceptance/schemas.ts';
import { getAcceptanceBatch, requestAcceptanceBatch } from '../domain/acceptance/use-cases.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';
import { eventuallyVisible } from '../domain/read-model-wait.ts';

/** The monthly acceptance and handover of enterprise lines: start a month by hand, see its lines and branch scores. */
export const acceptanceRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.database.db;

  app.post(
    '/acceptance-batches',
    {
      config: { access: ACCESS.processOwners },
      schema: {
        tags: ['acceptance'],
        summary: "Start a month's acceptance batch now (the timer starts one on the 5th); a month that has one is not started twice",
        body: StartBatchBodySchema,
        response: { 201: AcceptanceBatchSchema, 200: AcceptanceBatchSchema, 400: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { month } = request.body;
      const { created, processInstanceKey } = await requestAcceptanceBatch({
        db,
        month,
        engine: app.engine,
        engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS,
      });
      request.log.info({ businessKey: month, processInstanceKey, created, by: principal(request).username }, 'acceptance batch requested');
      const batch = await eventuallyVisible(() => getAcceptanceBatch({ db, month }));
      return reply
        .status(created ? 201 : 200)
        .header('location', `/acceptance-batches/${month}`)
        .send(batch);
    },
  );

  app.get(
    '/acceptance-batches/:month',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['acceptance'],
        summary: "A month's batch: its lines' results and the branches' scores",
        params: MonthParamsSchema,
        response: { 200: AcceptanceBatchSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => getAcceptanceBatch({ db, month: request.params.month }),
  );
};
