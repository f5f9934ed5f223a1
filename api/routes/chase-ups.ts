import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ACCESS } from '../domain/auth/access.ts';
import { createChaseUpRepository } from '../domain/chase-ups/repository.ts';
import { ChaseUpBodySchema, ChaseUpListSchema, ChaseUpSchema, CHASE_UP_FOLD_MINUTES } from '../domain/chase-ups/schemas.ts';
import { chaseUp, listChaseUps } from '../domain/chase-ups/use-cases.ts';
import { ChaseUpKpiQuerySchema, ChaseUpKpisSchema, chaseUpKpis } from '../domain/kpis/chase-ups.ts';
import { createProgressRepository } from '../domain/status/repository.ts';
import { StatusIdParamsSchema } from '../domain/status/schemas.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

/** Chase-ups (催单): customers and their customer managers pressing for progress; the rate per branch for leaders. */
export const chaseUpRoutes: FastifyPluginAsyncZod = async (app) => {
  const chaseUps = createChaseUpRepository({ db: app.database.db });
  // A chase-up decides on what the order is now: no read cache.
  const progress = createProgressRepository({ db: app.database.db });

  app.post(
    '/status/:id/chase-ups',
    {
      config: { access: ACCESS.orderTakers },
      schema: {
        tags: ['status'],
        summary: 'Chase up an open order, change, line order, ticket or complaint (催单): recorded and shown to the clerk holding it',
        description:
          `A customer for their own (another number answers 404), a clerk of the customer-manager group on the customer's behalf, an admin. ` +
          `Presses within ${CHASE_UP_FOLD_MINUTES} minutes of a counted chase-up count once: 200 with that chase-up. ` +
          "Otherwise 201: the 2nd chase-up within the current step escalates to the branch's response center, the 3rd to the region " +
          '(an escalation the customer sees, and a task for the response center). 409 when it is already closed.',
        params: StatusIdParamsSchema,
        body: ChaseUpBodySchema,
        response: {
          201: ChaseUpSchema,
          200: ChaseUpSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const result = await chaseUp({
        caller: principal(request),
        id: request.params.id,
        body: request.body,
        progress,
        chaseUps,
        engine: app.engine,
        engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS,
        foldSeconds: app.settings.CHASE_UP_FOLD_SECONDS,
        log: request.log,
      });
      app.statusReads.forget(result.chaseUp.subjectId);
      request.log.info(
        { subjectId: result.chaseUp.subjectId, created: result.created, escalation: result.chaseUp.escalation?.level },
        'chase-up',
      );
      return reply.status(result.created ? 201 : 200).send(result.chaseUp);
    },
  );

  app.get(
    '/status/:id/chase-ups',
    {
      config: { access: ACCESS.everyone },
      schema: {
        tags: ['status'],
        summary: 'The chase-ups of an order, change, line order, ticket or complaint, newest first, with their escalations',
        description: 'Customers see only their own (another number answers 404).',
        params: StatusIdParamsSchema,
        response: { 200: ChaseUpListSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => listChaseUps({ caller: principal(request), id: request.params.id, progress, chaseUps }),
  );

  app.get(
    '/kpis/chase-ups',
    {
      config: { access: ACCESS.leaders },
      schema: {
        tags: ['kpis'],
        summary: 'Chase-up rate (催单率) per branch for a period: orders and tickets chased, chase-ups, escalations to branch and region',
        querystring: ChaseUpKpiQuerySchema,
        response: { 200: ChaseUpKpisSchema, 400: ProblemSchema },
      },
    },
    async (request) => chaseUpKpis(app.database.db, request.query),
  );
};
