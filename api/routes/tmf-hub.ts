import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACCESS } from '../domain/auth/access.ts';
import { HubCreateSchema, HubIdParamsSchema, HubSchema, type HubApi } from '../domain/hub/schemas.ts';
import { deleteHub, getHub, registerHub } from '../domain/hub/use-cases.ts';
import { IdempotencyHeadersSchema, TMF_ERRORS, TmfErrorSchema } from '../domain/tmf/common.ts';
import { IDEMPOTENCY_REPLAY } from '../domain/tmf/idempotency.ts';
import { principal } from '../plugins/auth.ts';

/** The TMF event-subscription hub of one API (registered inside that API's prefix). */
export function hubRoutes(api: HubApi, base: string, tag: string): FastifyPluginAsyncZod {
  return async (app) => {
    const db = app.database.db;
    app.post(
      '/hub',
      {
        config: { access: ACCESS.everyone },
        schema: {
          tags: [tag],
          summary: 'Subscribe to the listener events (signed POSTs to the callback)',
          description:
            'Customers receive events of their own resources only; staff of all. Each delivery carries X-Hub-Timestamp and ' +
            'X-Hub-Signature = sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret answered here>. Failed deliveries are ' +
            'retried with exponential backoff; events of one resource arrive in order. A callback may not carry a user name or ' +
            `password (the signature authenticates deliveries). ${IDEMPOTENCY_REPLAY} A replay answers the secret again.`,
          headers: IdempotencyHeadersSchema,
          body: HubCreateSchema,
          response: { 201: HubSchema, 200: HubSchema, ...TMF_ERRORS, 422: TmfErrorSchema },
        },
      },
      async (request, reply) => {
        const { hub, created } = await registerHub({
          caller: principal(request),
          api,
          base,
          body: request.body,
          idempotencyKey: request.headers['idempotency-key'],
          db,
          customersMayCallBackInternally: app.settings.HUB_CUSTOMER_CALLBACKS === 'any',
        });
        return reply
          .status(created ? 201 : 200)
          .header('location', hub.href)
          .send(hub);
      },
    );

    app.get(
      '/hub/:id',
      {
        config: { access: ACCESS.everyone },
        schema: {
          tags: [tag],
          summary: 'A subscription (without its secret)',
          params: HubIdParamsSchema,
          response: { 200: HubSchema, ...TMF_ERRORS },
        },
      },
      async (request) => getHub({ caller: principal(request), api, base, id: request.params.id, db }),
    );

    app.delete(
      '/hub/:id',
      {
        config: { access: ACCESS.everyone },
        schema: {
          tags: [tag],
          summary: 'Unsubscribe: nothing more is delivered',
          params: HubIdParamsSchema,
          response: { 204: z.null().describe('Deleted'), ...TMF_ERRORS },
        },
      },
      async (request, reply) => {
        await deleteHub({ caller: principal(request), api, id: request.params.id, db });
        return reply.status(204).send(null);
      },
    );
  };
}
