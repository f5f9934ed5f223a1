import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACCESS } from '../domain/auth/access.ts';
import { preferredLanguage } from '../domain/i18n/language.ts';
import { createEvidenceRepository } from '../domain/evidence/repository.ts';
import { createTaskRepository } from '../domain/tasks/repository.ts';
import {
  CompleteTaskBodySchema,
  DoneListQuerySchema,
  TaskDetailSchema,
  TaskKeyParamsSchema,
  TaskListQuerySchema,
  TaskSchema,
} from '../domain/tasks/schemas.ts';
import { claimTask, completeTask, getTask, listDoneTasks, listTasks, unclaimTask } from '../domain/tasks/use-cases.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

/** Clerks' work: their groups' open tasks in their branch, claiming, completing with the form, their done list. */
export const taskRoutes: FastifyPluginAsyncZod = async (app) => {
  const tasks = createTaskRepository({ db: app.database.db });
  const evidence = createEvidenceRepository({ db: app.database.db });
  const engine = { engine: app.engine, engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS };

  app.get(
    '/tasks',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: 'Open user tasks of your groups in your branch, filtered and sorted (the error-order queue with kind=error-order)',
        querystring: TaskListQuerySchema,
        response: { 200: z.array(TaskSchema).describe('X-Total-Count header: all matching tasks'), 400: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { tasks: list, total } = await listTasks({
        caller: principal(request),
        query: request.query,
        tasks,
        lang: preferredLanguage(request.headers['accept-language']),
      });
      return reply.header('x-total-count', total).send(list);
    },
  );

  app.get(
    '/tasks/error-orders',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: "Your groups' error and abnormal orders waiting to be fixed, most urgent first",
        response: { 200: z.array(TaskSchema) },
      },
    },
    async (request, reply) => {
      const query = TaskListQuerySchema.parse({ kind: 'error-order', sort: 'due', limit: 500 });
      const { tasks: list, total } = await listTasks({ caller: principal(request), query, tasks });
      return reply.header('x-total-count', total).send(list);
    },
  );

  app.get(
    '/tasks/done',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: 'Tasks you completed, newest first',
        querystring: DoneListQuerySchema,
        response: { 200: z.array(TaskSchema), 400: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { tasks: list, total } = await listDoneTasks({
        caller: principal(request),
        ...request.query,
        tasks,
        lang: preferredLanguage(request.headers['accept-language']),
      });
      return reply.header('x-total-count', total).send(list);
    },
  );

  app.get(
    '/tasks/:key',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: 'One task with its form and business context',
        params: TaskKeyParamsSchema,
        response: { 200: TaskDetailSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) =>
      getTask({ caller: principal(request), key: request.params.key, tasks, lang: preferredLanguage(request.headers['accept-language']) }),
  );

  app.post(
    '/tasks/:key/claim',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: 'Claim a task (you become its assignee)',
        params: TaskKeyParamsSchema,
        response: { 200: TaskSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request) => {
      const task = await claimTask({ caller: principal(request), key: request.params.key, tasks, ...engine });
      request.log.info(
        { userTaskKey: task.key, businessKey: task.businessKey, processInstanceKey: task.processInstanceKey },
        'task claimed',
      );
      return task;
    },
  );

  app.post(
    '/tasks/:key/unclaim',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: 'Give a claimed task back to the group',
        params: TaskKeyParamsSchema,
        response: { 200: TaskSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request) => unclaimTask({ caller: principal(request), key: request.params.key, tasks, ...engine }),
  );

  app.post(
    '/tasks/:key/complete',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: "Complete a user task with its form's variables (validated against the form)",
        params: TaskKeyParamsSchema,
        body: CompleteTaskBodySchema,
        response: { 204: z.null(), 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      await completeTask({
        caller: principal(request),
        key: request.params.key,
        variables: request.body.variables,
        tasks,
        evidence,
        ...engine,
        log: request.log,
      });
      request.log.info({ userTaskKey: request.params.key, username: principal(request).username }, 'task completed');
      return reply.status(204).send(null);
    },
  );
};
