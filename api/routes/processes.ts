import { desc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { processDefinitions } from '../../db/schema.ts';
import { ACCESS } from '../domain/auth/access.ts';
import { errors, ProblemSchema } from '../errors.ts';

export const processRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/process-definitions/:processId/xml',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['processes'],
        summary: "The BPMN XML of a process's latest deployed version",
        params: z.object({ processId: z.string().regex(/^[A-Za-z][\w.-]{0,99}$/, 'a BPMN process id') }),
        response: { 200: z.string(), 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const [row] = await app.database.db
        .select({ xml: processDefinitions.xml, version: processDefinitions.version })
        .from(processDefinitions)
        .where(eq(processDefinitions.bpmnProcessId, request.params.processId))
        .orderBy(desc(processDefinitions.version))
        .limit(1);
      if (!row) throw errors.processNotFound(request.params.processId);
      return reply.type('application/xml').header('x-process-version', String(row.version)).send(row.xml);
    },
  );
};
