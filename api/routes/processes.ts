import { preferredLanguage } from '../domain/i18n/language.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACCESS } from '../domain/auth/access.ts';
import { deploy } from '../domain/processes/deployment.ts';
import { createProcessRepository } from '../domain/processes/repository.ts';
import {
  DeployBodySchema,
  DeploymentSchema,
  ProcessDefinitionSchema,
  ProcessIdSchema,
  XmlQuerySchema,
} from '../domain/processes/schemas.ts';
import { definitionXml, listDefinitions } from '../domain/processes/use-cases.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

/** Process owners' definitions: what is deployed, its XML, and new deployments (linted first). */
export const processRoutes: FastifyPluginAsyncZod = async (app) => {
  const processes = createProcessRepository(app.database.db);

  app.get(
    '/process-definitions',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['processes'],
        summary: 'Deployed processes with their versions and running instances',
        response: { 200: z.array(ProcessDefinitionSchema) },
      },
    },
    async (request) => listDefinitions(processes, preferredLanguage(request.headers['accept-language'])),
  );

  app.get(
    '/process-definitions/:processId/xml',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['processes'],
        summary: "The BPMN XML of a process's latest (or a given) deployed version",
        params: z.object({ processId: ProcessIdSchema }),
        querystring: XmlQuerySchema,
        response: { 200: z.string(), 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const row = await definitionXml(processes, request.params.processId, request.query.version);
      return reply.type('application/xml').header('x-process-version', String(row.version)).send(row.xml);
    },
  );

  app.post(
    '/deployments',
    {
      config: { access: ACCESS.processOwners },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['processes'],
        summary:
          'Deploy BPMN, DMN and form files together: linted and checked first, nothing deployed if any file has a problem; files that say what their deployed version says make no new version',
        body: DeployBodySchema,
        response: { 201: DeploymentSchema, 400: ProblemSchema, 413: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const result = await deploy({
        body: request.body,
        engine: app.engine,
        db: app.database.db,
        engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS,
        language: preferredLanguage(request.headers['accept-language']),
      });
      request.log.info(
        {
          deploymentKey: result.deploymentKey,
          unchanged: result.unchanged,
          by: principal(request).username,
          files: request.body.resources.map((r) => r.name),
        },
        'definitions deployed',
      );
      return reply.status(201).send(result);
    },
  );
};
