import { preferredLanguage } from '../domain/i18n/language.ts';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createOrderRepository } from '../domain/orders/repository.ts';
import {
  CancelOrderBodySchema,
  CreateOrderBodySchema,
  OrderIdParamsSchema,
  OrderSchema,
  ReportProblemBodySchema,
} from '../domain/orders/schemas.ts';
import { cancelOrder, confirmOrder, createOrder, getOrder, reportProblem } from '../domain/orders/use-cases.ts';
import { ACCESS } from '../domain/auth/access.ts';
import { IDEMPOTENCY_REPLAY } from '../domain/tmf/idempotency.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';
import { idempotencyHeaders } from '../domain/record-and-start.ts';

/** What a 202 to a customer's message means (api/domain/messages/README.md). */
const MESSAGE_ANSWER =
  '202: the message is recorded. X-Message-State says what became of it: delivered (the process had been waiting for it), ' +
  'pending (delivered as soon as the process waits for it, or the engine answers again) or expired (the process ended first). ' +
  'Sending it again is the same message. 503 only when it could not be recorded; 409 when the order is already closed.';

const IdempotencyHeadersSchema = idempotencyHeaders(
  'Retrying with the same key and body never creates a second order; another body with the key is refused (422)',
);

export const orderRoutes: FastifyPluginAsyncZod = async (app) => {
  const orders = createOrderRepository({ db: app.database.db });
  const messaging = (log: FastifyBaseLogger) => ({
    orders,
    db: app.database.db,
    engine: app.engine,
    engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS,
    log,
  });

  app.post(
    '/orders',
    {
      config: { access: ACCESS.orderTakers },
      schema: {
        tags: ['orders'],
        summary: 'Accept a home-broadband new-install order and start its process',
        description:
          'Accepted whole or refused whole: a refused order (400 naming the field, e.g. a grid the resource inventory does not know) ' +
          `leaves no order and no process instance. ${IDEMPOTENCY_REPLAY}`,
        headers: IdempotencyHeadersSchema,
        body: CreateOrderBodySchema,
        response: { 201: OrderSchema, 200: OrderSchema, 400: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { order, created } = await createOrder({
        caller: principal(request),
        body: request.body,
        idempotencyKey: request.headers['idempotency-key'],
        orders,
        engine: app.engine,
        engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS,
        log: request.log,
      });
      request.log.info({ businessKey: order.id, processInstanceKey: order.processInstanceKey, created }, 'order accepted');
      return reply
        .status(created ? 201 : 200)
        .header('location', `/orders/${order.id}`)
        .send(order);
    },
  );

  app.get(
    '/orders/:id',
    {
      config: { access: ACCESS.everyone },
      schema: {
        tags: ['orders'],
        summary: 'An order: state, current stage(s), timeline and process instance',
        params: OrderIdParamsSchema,
        response: { 200: OrderSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) =>
      getOrder({ caller: principal(request), id: request.params.id, orders, lang: preferredLanguage(request.headers['accept-language']) }),
  );

  app.post(
    '/orders/:id/cancel',
    {
      config: { access: ACCESS.orderTakers },
      schema: {
        tags: ['orders'],
        summary: 'The customer cancels the order; what was reserved is released',
        description: MESSAGE_ANSWER,
        params: OrderIdParamsSchema,
        body: CancelOrderBodySchema,
        response: { 202: OrderSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { order, message } = await cancelOrder({
        caller: principal(request),
        id: request.params.id,
        reason: request.body?.reason,
        ...messaging(request.log),
      });
      app.statusReads.forget(order.id);
      request.log.info({ businessKey: order.id, message }, 'cancellation requested');
      return reply.status(202).header('x-message-state', message).send(order);
    },
  );

  app.post(
    '/orders/:id/confirm',
    {
      config: { access: ACCESS.orderTakers },
      schema: {
        tags: ['orders'],
        summary: 'The customer confirms the install works',
        description: MESSAGE_ANSWER,
        params: OrderIdParamsSchema,
        response: { 202: OrderSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { order, message } = await confirmOrder({ caller: principal(request), id: request.params.id, ...messaging(request.log) });
      app.statusReads.forget(order.id);
      request.log.info({ businessKey: order.id, message }, 'confirmation received');
      return reply.status(202).header('x-message-state', message).send(order);
    },
  );

  app.post(
    '/orders/:id/problem',
    {
      config: { access: ACCESS.orderTakers },
      schema: {
        tags: ['orders'],
        summary: 'The customer reports a problem with the install instead of confirming it; the crew rectifies it',
        description:
          'Only while the order waits for the customer to confirm the install (409 NOT_AWAITING_CONFIRMATION otherwise). ' +
          'The note goes to the crew on the rectification form; the quality check runs again, then the customer is asked again. ' +
          'Reporting twice in the same wait is the same report. ' +
          MESSAGE_ANSWER,
        params: OrderIdParamsSchema,
        body: ReportProblemBodySchema,
        response: { 202: OrderSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { order, message } = await reportProblem({
        caller: principal(request),
        id: request.params.id,
        note: request.body.note,
        progress: app.statusReads,
        ...messaging(request.log),
      });
      app.statusReads.forget(order.id);
      request.log.info({ businessKey: order.id, message }, 'problem reported by the customer');
      return reply.status(202).header('x-message-state', message).send(order);
    },
  );
};
