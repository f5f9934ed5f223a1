import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACCESS } from '../domain/auth/access.ts';
import { createSlaPauseRepository } from '../domain/sla-pauses/repository.ts';
import {
  CustomerWaitSchema,
  EndCustomerWaitBodySchema,
  StartCustomerWaitBodySchema,
  TicketIdParamsSchema,
} from '../domain/sla-pauses/schemas.ts';
import { endCustomerWait, listCustomerWaits, startCustomerWait } from '../domain/sla-pauses/use-cases.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

/** SLA pauses for customer-caused waits (客户原因) on trouble tickets (docs/sla-pauses.md). */
export const slaPauseRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = createSlaPauseRepository(app.database.db);
  const engine = { engine: app.engine, engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS };

  app.post(
    '/tickets/:id/customer-waits',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: 'Record a customer-caused wait (客户原因) on a ticket at the on-site repair: its SLA clock pauses',
        description:
          'The crew the ticket was dispatched to, or the monitoring / response center of its branch. One open wait per ticket; only while the repair is on site.',
        params: TicketIdParamsSchema,
        body: StartCustomerWaitBodySchema,
        response: { 201: CustomerWaitSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const wait = await startCustomerWait({ caller: principal(request), id: request.params.id, repo, ...engine, body: request.body });
      app.statusReads.forget(wait.ticketId);
      return reply.code(201).send(wait);
    },
  );

  app.post(
    '/tickets/:id/customer-waits/end',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['tasks'],
        summary: 'End the customer-caused wait of a ticket (new appointment, or the customer reachable): the SLA clock resumes',
        description:
          'The repair deadline moves by the paused working time (business calendar); above the limit (more than 2 pauses or 48 working hours) the response center confirms first.',
        params: TicketIdParamsSchema,
        body: EndCustomerWaitBodySchema,
        response: { 200: CustomerWaitSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request) => {
      const wait = await endCustomerWait({ caller: principal(request), id: request.params.id, repo, ...engine, body: request.body });
      app.statusReads.forget(wait.ticketId);
      return wait;
    },
  );

  app.get(
    '/tickets/:id/customer-waits',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['tasks'],
        summary:
          "A ticket's customer-caused waits, oldest first: reason, note, paused working time, confirmation, the due time before and after",
        params: TicketIdParamsSchema,
        response: { 200: z.array(CustomerWaitSchema), 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => listCustomerWaits({ caller: principal(request), id: request.params.id, repo }),
  );
};
