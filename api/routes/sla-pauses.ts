import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACCESS } from '../domain/auth/access.ts';
import { createSlaPauseRepository } from '../domain/sla-pauses/repository.ts';
import { loadBusinessCalendar } from '../../calendar/business-calendar.ts';
import { PostgresSlaPauseStore } from '../../workers/adapters/sla-pause-store.ts';
import { decideInstallWait, endInstallWait, listInstallWaits, startInstallWait } from '../domain/sla-pauses/install-waits.ts';
import {
  CustomerWaitSchema,
  DecideCustomerWaitBodySchema,
  EndCustomerWaitBodySchema,
  OrderIdParamsSchema,
  StartCustomerWaitBodySchema,
  TicketIdParamsSchema,
} from '../domain/sla-pauses/schemas.ts';
import { endCustomerWait, listCustomerWaits, startCustomerWait } from '../domain/sla-pauses/use-cases.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

/** SLA pauses for customer-caused waits (客户原因) on trouble tickets and home-broadband install orders (docs/sla-pauses.md). */
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
      app.statusReads.forget(wait.ticketId ?? request.params.id);
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
      app.statusReads.forget(wait.ticketId ?? request.params.id);
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
  // Home-broadband install orders (HB…): the install SLA is computed, so the API pauses and moves it.
  const install = {
    repo,
    store: new PostgresSlaPauseStore(app.database.db),
    calendar: () => loadBusinessCalendar(app.database.db),
    now: () => new Date(),
  };

  app.post(
    '/orders/:id/customer-waits',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['orders'],
        summary: 'Record a customer-caused wait (客户原因) on a home-broadband install order: its activation SLA pauses',
        description:
          'The install crew the order was dispatched to, or the order center of its branch. One open wait per order; only between dispatch and activation (appointment or on-site install open).',
        params: OrderIdParamsSchema,
        body: StartCustomerWaitBodySchema,
        response: { 201: CustomerWaitSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const wait = await startInstallWait({ caller: principal(request), id: request.params.id, ...install, body: request.body });
      app.statusReads.forget(wait.orderId ?? request.params.id);
      return reply.code(201).send(wait);
    },
  );

  app.post(
    '/orders/:id/customer-waits/end',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['orders'],
        summary: 'End the customer-caused wait of an install order (new appointment, or the customer reachable): the SLA resumes',
        description:
          'The activation due moves by the paused working time (business calendar); above the limit (more than 2 pauses or 48 working hours) the response center decides first (…/customer-waits/decision).',
        params: OrderIdParamsSchema,
        body: EndCustomerWaitBodySchema,
        response: { 200: CustomerWaitSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => {
      const wait = await endInstallWait({ caller: principal(request), id: request.params.id, ...install, body: request.body });
      app.statusReads.forget(wait.orderId ?? request.params.id);
      return wait;
    },
  );

  app.post(
    '/orders/:id/customer-waits/decision',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['orders'],
        summary: "The response center confirms or refuses an install order's wait above the limit",
        description:
          'Confirmed: the due moves by the paused working time, counted from the end of the wait. Refused: the due stands. The customer response center of the order’s branch, admins.',
        params: OrderIdParamsSchema,
        body: DecideCustomerWaitBodySchema,
        response: { 200: CustomerWaitSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => {
      const wait = await decideInstallWait({ caller: principal(request), id: request.params.id, ...install, body: request.body });
      app.statusReads.forget(wait.orderId ?? request.params.id);
      return wait;
    },
  );

  app.get(
    '/orders/:id/customer-waits',
    {
      config: { access: ACCESS.staff },
      schema: {
        tags: ['orders'],
        summary:
          "An install order's customer-caused waits, oldest first: reason, note, paused working time, decision, the due before and after",
        params: OrderIdParamsSchema,
        response: { 200: z.array(CustomerWaitSchema), 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => listInstallWaits({ caller: principal(request), id: request.params.id, repo }),
  );
};
