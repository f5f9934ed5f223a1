import { preferredLanguage } from '../domain/i18n/language.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACCESS } from '../domain/auth/access.ts';
import { createProcessRepository } from '../domain/processes/repository.ts';
import {
  EngineKeySchema,
  IncidentSchema,
  InstanceDetailSchema,
  InstanceListQuerySchema,
  InstanceSummarySchema,
  ProcessIdSchema,
  ResolveIncidentBodySchema,
} from '../domain/processes/schemas.ts';
import { cancelInstance, instanceDetail, listIncidents, listInstances, resolveIncident } from '../domain/processes/use-cases.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

const KeyParams = z.object({ key: EngineKeySchema });

/** Running and finished instances for process owners: overlays for the diagram, incidents and their retry, cancellation. */
export const instanceRoutes: FastifyPluginAsyncZod = async (app) => {
  const processes = createProcessRepository(app.database.db);
  const engineTimeoutMs = app.settings.ENGINE_REQUEST_TIMEOUT_MS;

  app.get(
    '/process-instances',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['instances'],
        summary: 'Process instances, newest first (filter by process, state or business key)',
        querystring: InstanceListQuerySchema,
        response: { 200: z.array(InstanceSummarySchema), 400: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { instances, total } = await listInstances(processes, request.query);
      return reply.header('x-total-count', total).send(instances);
    },
  );

  app.get(
    '/process-instances/:key',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['instances'],
        summary:
          'One instance for the diagram: per element completed / active / incidents (with time in stage and SLA), the path taken, called instances',
        params: KeyParams,
        response: { 200: InstanceDetailSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => instanceDetail(processes, request.params.key, preferredLanguage(request.headers['accept-language'])),
  );

  app.post(
    '/process-instances/:key/cancel',
    {
      config: { access: ACCESS.processOwners },
      schema: {
        tags: ['instances'],
        summary: 'Cancel a running top-level instance',
        params: KeyParams,
        response: { 202: z.null(), 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      await cancelInstance({ processes, db: app.database.db, engine: app.engine, key: request.params.key, engineTimeoutMs });
      request.log.info({ processInstanceKey: request.params.key, by: principal(request).username }, 'instance cancelled');
      return reply.status(202).send(null);
    },
  );

  app.get(
    '/incidents',
    {
      config: { access: ACCESS.processOwners },
      schema: {
        tags: ['instances'],
        summary: 'Incidents, newest first',
        querystring: z.object({ state: z.enum(['active', 'resolved']).optional(), processId: ProcessIdSchema.optional() }).strict(),
        response: { 200: z.array(IncidentSchema), 400: ProblemSchema },
      },
    },
    async (request) => listIncidents(processes, request.query),
  );

  app.post(
    '/incidents/:key/resolve',
    {
      config: { access: ACCESS.processOwners },
      schema: {
        tags: ['instances'],
        summary: 'Retry: give the failed task or job its retries back (the engine resolves the incident and runs it again)',
        params: KeyParams,
        body: ResolveIncidentBodySchema,
        response: { 202: z.null(), 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      await resolveIncident({
        processes,
        engine: app.engine,
        key: request.params.key,
        retries: request.body?.retries ?? 3,
        engineTimeoutMs,
      });
      request.log.info({ incidentKey: request.params.key, by: principal(request).username }, 'incident resolved');
      return reply.status(202).send(null);
    },
  );
};
