import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createTaskRepository } from '../domain/tasks/repository.ts';
import { CompleteTaskBodySchema, TaskKeyParamsSchema, TaskListQuerySchema, TaskSchema } from '../domain/tasks/schemas.ts';
import { completeTask, listTasks } from '../domain/tasks/use-cases.ts';
import { ACCESS } from '../domain/auth/access.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

export const taskRoutes: FastifyPluginAsyncZod = async (app) => {
  const tasks = createTaskRepository({ db: app.database.db });

  app.get(
    '/tasks',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: 'Open user tasks of a candidate group, oldest first',
        querystring: TaskListQuerySchema,
        response: { 200: z.array(TaskSchema), 400: ProblemSchema },
      },
    },
    async (request) => listTasks({ caller: principal(request), group: request.query.group, limit: request.query.limit, tasks }),
  );

  app.post(
    '/tasks/:key/complete',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: "Complete a user task with its form's variables",
        params: TaskKeyParamsSchema,
        body: CompleteTaskBodySchema,
        response: { 204: z.null(), 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      await completeTask({
        caller: principal(request),
        key: request.params.key,
        variables: request.body.variables,
        tasks,
        rest: app.camunda.rest,
      });
      request.log.info({ userTaskKey: request.params.key }, 'task completed');
      return reply.status(204).send(null);
    },
  );
};
