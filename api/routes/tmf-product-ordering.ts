import { preferredLanguage } from '../domain/i18n/language.ts';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ACCESS, canSee } from '../domain/auth/access.ts';
import { createOrderRepository } from '../domain/orders/repository.ts';
import { createProgressRepository } from '../domain/status/repository.ts';
import { IdempotencyHeadersSchema, PagingSchema, TMF_ERRORS, TmfErrorSchema, TmfIdParamsSchema } from '../domain/tmf/common.ts';
import { answerErrorsTheTmfWay } from '../domain/tmf/error-shape.ts';
import { IDEMPOTENCY_REPLAY } from '../domain/tmf/idempotency.ts';
import {
  createCancelProductOrder,
  createProductOrder,
  getCancelProductOrder,
  getProductOrder,
  listCancelProductOrders,
  listProductOrders,
  PRODUCT_ORDERING_BASE,
} from '../domain/tmf/product-order.ts';
import {
  CancelProductOrderCreateSchema,
  CancelProductOrderSchema,
  ProductOrderCreateSchema,
  ProductOrderListQuerySchema,
  ProductOrderSchema,
} from '../domain/tmf/product-order-schemas.ts';
import { principal } from '../plugins/auth.ts';
import { hubRoutes } from './tmf-hub.ts';

const TAG = 'TMF622 product ordering';
const LIST_NOTE = 'Paged with offset and limit; X-Total-Count and X-Result-Count answer how many match and how many are in this page.';

/**
 * TMF622 Product Ordering v5 for customers and the order center: `add` of a home-broadband offering
 * is a new install, `modify` a change (product change, relocation, terminal repair), `delete` a
 * formal or scheduled cancellation of the line; cancelProductOrder cancels an order in flight.
 * Registered under /tmf-api/productOrderingManagement/v5; every error has the TMF Error shape.
 */
export const tmfProductOrderingRoutes: FastifyPluginAsyncZod = async (app) => {
  answerErrorsTheTmfWay(app);
  const db = app.database.db;
  const orders = createOrderRepository({ db });
  const progress = createProgressRepository({ db });
  const engine = (log: FastifyBaseLogger) => ({
    db,
    orders,
    progress,
    engine: app.engine,
    engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS,
    log,
  });

  app.post(
    '/productOrder',
    {
      config: { access: ACCESS.orderTakers },
      schema: {
        tags: [TAG],
        summary: 'Create a product order (new install, change or cancellation of a home-broadband line) and start its process',
        description: `Accepted whole or refused whole: a refused order leaves no order and no process instance. ${IDEMPOTENCY_REPLAY}`,
        headers: IdempotencyHeadersSchema,
        body: ProductOrderCreateSchema,
        response: {
          201: ProductOrderSchema,
          200: ProductOrderSchema,
          ...TMF_ERRORS,
          409: TmfErrorSchema,
          422: TmfErrorSchema,
          503: TmfErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { productOrder, created } = await createProductOrder({
        caller: principal(request),
        body: request.body,
        idempotencyKey: request.headers['idempotency-key'],
        ...engine(request.log),
      });
      request.log.info({ businessKey: productOrder.id, created }, 'product order accepted');
      return reply
        .status(created ? 201 : 200)
        .header('location', productOrder.href)
        .send(productOrder);
    },
  );

  app.get(
    '/productOrder',
    {
      config: { access: ACCESS.everyone },
      schema: {
        tags: [TAG],
        summary: "Product orders: a customer's own, everyone's for staff; newest first",
        description: LIST_NOTE,
        querystring: ProductOrderListQuerySchema,
        response: { 200: ProductOrderSchema.array(), ...TMF_ERRORS },
      },
    },
    async (request, reply) => {
      const { offset, limit, state } = request.query;
      const { items, total } = await listProductOrders({
        caller: principal(request),
        states: state?.split(','),
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
    '/productOrder/:id',
    {
      config: { access: ACCESS.everyone },
      schema: {
        tags: [TAG],
        summary: 'A product order: state, milestones (BPMN stages) and jeopardy alerts (SLA escalations)',
        params: TmfIdParamsSchema,
        response: { 200: ProductOrderSchema, ...TMF_ERRORS },
      },
    },
    async (request, reply) => {
      const caller = principal(request);
      const { id } = request.params;
      const reads = app.statusReads;
      const subject = await reads.findSubject(id);
      const lang = preferredLanguage(request.headers['accept-language']);
      // Hot path: the serialised order, shared by everyone allowed to see it, for the cache period.
      if (subject && canSee(caller, subject.customerId)) {
        const body = await reads.view('productOrder', subject.id, lang, async () =>
          JSON.stringify(ProductOrderSchema.parse(await getProductOrder({ caller, id, progress: reads, lang }))),
        );
        // already validated and serialised above
        return reply.type('application/json; charset=utf-8').send(body as never);
      }
      return getProductOrder({ caller, id, progress: reads, lang });
    },
  );

  app.post(
    '/cancelProductOrder',
    {
      config: { access: ACCESS.orderTakers },
      schema: {
        tags: [TAG],
        summary: 'Cancel a product order in flight: its process releases what was reserved and closes it as cancelled',
        description: IDEMPOTENCY_REPLAY,
        headers: IdempotencyHeadersSchema,
        body: CancelProductOrderCreateSchema,
        response: {
          201: CancelProductOrderSchema,
          200: CancelProductOrderSchema,
          ...TMF_ERRORS,
          409: TmfErrorSchema,
          422: TmfErrorSchema,
          503: TmfErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { cancelProductOrder, created } = await createCancelProductOrder({
        caller: principal(request),
        body: request.body,
        idempotencyKey: request.headers['idempotency-key'],
        ...engine(request.log),
      });
      app.statusReads.forget(request.body.productOrder.id);
      return reply
        .status(created ? 201 : 200)
        .header('location', cancelProductOrder.href)
        .send(cancelProductOrder);
    },
  );

  app.get(
    '/cancelProductOrder',
    {
      config: { access: ACCESS.everyone },
      schema: {
        tags: [TAG],
        summary: "Cancellation requests: a customer's own, everyone's for staff; newest first",
        description: LIST_NOTE,
        querystring: PagingSchema,
        response: { 200: CancelProductOrderSchema.array(), ...TMF_ERRORS },
      },
    },
    async (request, reply) => {
      const { offset, limit } = request.query;
      const { items, total } = await listCancelProductOrders({ caller: principal(request), offset, limit, db, progress, log: request.log });
      return reply.header('x-total-count', total).header('x-result-count', items.length).send(items);
    },
  );

  app.get(
    '/cancelProductOrder/:id',
    {
      config: { access: ACCESS.everyone },
      schema: {
        tags: [TAG],
        summary: 'A cancellation request and how it went',
        params: TmfIdParamsSchema,
        response: { 200: CancelProductOrderSchema, ...TMF_ERRORS },
      },
    },
    async (request) => getCancelProductOrder({ caller: principal(request), id: request.params.id, db, progress }),
  );

  await app.register(hubRoutes('productOrdering', PRODUCT_ORDERING_BASE, TAG));
};
