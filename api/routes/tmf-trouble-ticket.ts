import { preferredLanguage } from '../domain/i18n/language.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ACCESS } from '../domain/auth/access.ts';
import { createProgressRepository } from '../domain/status/repository.ts';
import { IdempotencyHeadersSchema, TMF_ERRORS, TmfErrorSchema, TmfIdParamsSchema } from '../domain/tmf/common.ts';
import { answerErrorsTheTmfWay } from '../domain/tmf/error-shape.ts';
import { IDEMPOTENCY_REPLAY } from '../domain/tmf/idempotency.ts';
import {
  createTroubleTicket,
  getTroubleTicket,
  listTroubleTickets,
  TROUBLE_TICKET_BASE,
  TroubleTicketCreateSchema,
  TroubleTicketListQuerySchema,
  TroubleTicketSchema,
} from '../domain/tmf/trouble-ticket.ts';
import { principal } from '../plugins/auth.ts';
import { hubRoutes } from './tmf-hub.ts';

const TAG = 'TMF621 trouble ticket';

/**
 * TMF621 Trouble Ticket v5: ticketType fault starts the fault process, complaint the complaint
 * process. Registered under /tmf-api/troubleTicket/v5; every error has the TMF Error shape.
 */
export const tmfTroubleTicketRoutes: FastifyPluginAsyncZod = async (app) => {
  answerErrorsTheTmfWay(app);
  const db = app.database.db;
  const progress = createProgressRepository({ db });

  app.post(
    '/troubleTicket',
    {
      config: { access: ACCESS.orderTakers },
      schema: {
        tags: [TAG],
        summary: 'Report a fault or a complaint and start its process',
        description: `Accepted whole or refused whole: a refused ticket leaves no ticket and no process instance. ${IDEMPOTENCY_REPLAY}`,
        headers: IdempotencyHeadersSchema,
        body: TroubleTicketCreateSchema,
        response: {
          201: TroubleTicketSchema,
          200: TroubleTicketSchema,
          ...TMF_ERRORS,
          409: TmfErrorSchema,
          422: TmfErrorSchema,
          503: TmfErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { troubleTicket, created } = await createTroubleTicket({
        caller: principal(request),
        body: request.body,
        idempotencyKey: request.headers['idempotency-key'],
        db,
        progress,
        engine: app.engine,
        engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS,
        log: request.log,
      });
      request.log.info({ businessKey: troubleTicket.id, created }, 'trouble ticket accepted');
      return reply
        .status(created ? 201 : 200)
        .header('location', troubleTicket.href)
        .send(troubleTicket);
    },
  );

  app.get(
    '/troubleTicket',
    {
      config: { access: ACCESS.everyone },
      schema: {
        tags: [TAG],
        summary: "Trouble tickets: a customer's own, everyone's for staff; newest first",
        description: 'Paged with offset and limit; X-Total-Count and X-Result-Count answer how many match and how many are in this page.',
        querystring: TroubleTicketListQuerySchema,
        response: { 200: TroubleTicketSchema.array(), ...TMF_ERRORS },
      },
    },
    async (request, reply) => {
      const { offset, limit, status, ticketType } = request.query;
      const { items, total } = await listTroubleTickets({
        caller: principal(request),
        statuses: status?.split(','),
        ticketType,
        offset,
        limit,
        db,
        progress,
        log: request.log,
      });
      return reply.header('x-total-count', total).header('x-result-count', items.length).send(items);
    },
  );

  app.get(
    '/troubleTicket/:id',
    {
      config: { access: ACCESS.everyone },
      schema: {
        tags: [TAG],
        summary: 'A trouble ticket: status, status history, expected resolution date, related entities',
        params: TmfIdParamsSchema,
        response: { 200: TroubleTicketSchema, ...TMF_ERRORS },
      },
    },
    async (request) =>
      getTroubleTicket({
        caller: principal(request),
        id: request.params.id,
        progress: app.statusReads,
        lang: preferredLanguage(request.headers['accept-language']),
      }),
  );

  await app.register(hubRoutes('troubleTicket', TROUBLE_TICKET_BASE, TAG));
};
