import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LineCommissionSchema, LineEndSchema } from '../../contracts/enterprise-line.ts';
import { lineOrders } from '../../db/schema.ts';
import { ACCESS, scopedIdempotencyKey } from '../domain/auth/access.ts';
import { commissionLine } from '../domain/lines/use-cases.ts';
import { AddressSchema, CustomerIdSchema } from '../domain/orders/schemas.ts';
import { IDEMPOTENCY_REPLAY, once, requestFingerprint } from '../domain/tmf/idempotency.ts';
import { ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';
import { idempotencyHeaders } from '../domain/record-and-start.ts';

/** An end as the API takes it: the contract's, bounded to what the platform stores and answers. */
const LineEndBodySchema = LineEndSchema.extend({
  address: AddressSchema,
  branch: LineEndSchema.shape.branch.max(40),
  contact: z.string().trim().min(1).max(100),
}).strict();

const CommissionBodySchema = LineCommissionSchema.extend({
  customerId: CustomerIdSchema,
  customer: LineCommissionSchema.shape.customer.extend({ name: z.string().trim().min(1).max(100) }).strict(),
  aEnd: LineEndBodySchema,
  zEnd: LineEndBodySchema,
  // the column is a 32-bit integer: 100 million cents (1 million yuan) a month is far above any line
  monthlyFeeCents: LineCommissionSchema.shape.monthlyFeeCents.max(100_000_000),
})
  .strict()
  .meta({
    id: 'LineCommission',
    example: {
      customerId: 'CU-0002',
      customer: { name: '新疆某能源集团', level: 'province' },
      service: 'internet-line',
      aEnd: { address: '乌鲁木齐市天山区人民路 1 号 机房 3F', branch: 'urumqi', grid: 'URC-TS-01', contact: '李工 13900001111' },
      zEnd: { address: '西安市雁塔区科技路 10 号 数据中心', branch: 'xian', grid: 'XA-YT-01', contact: '王工 13800002222' },
      protectionLevel: 'dual-route',
      circuits: 2,
      monthlyFeeCents: 1_280_000,
    },
  });

const LineOrderCreatedSchema = z
  .object({
    id: z.string().describe('Line order number (DL…); follow it at /status/{id} or as a TMF622 productOrder'),
    processInstanceKey: z.string(),
    state: z.string(),
  })
  .meta({ id: 'LineOrderCreated' });

const IdempotencyHeadersSchema = idempotencyHeaders(
  'Retrying with the same key and body never commissions a second line; another body with the key is refused (422)',
);

/**
 * Enterprise dedicated lines are commissioned by customer managers and the order center on the
 * customer's behalf (设计委托); customers follow and cancel them through TMF622 and /status.
 */
export const lineOrderRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.database.db;
  app.post(
    '/line-orders',
    {
      config: { access: ACCESS.clerks },
      schema: {
        tags: ['orders'],
        summary: 'Commission an enterprise dedicated line for a customer (design commission: A and Z ends, protection level, circuits)',
        description: IDEMPOTENCY_REPLAY,
        headers: IdempotencyHeadersSchema,
        body: CommissionBodySchema,
        response: {
          201: LineOrderCreatedSchema,
          200: LineOrderCreatedSchema,
          400: ProblemSchema,
          409: ProblemSchema,
          422: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const caller = principal(request);
      const { customerId, ...commission } = request.body;
      const { resourceId, created } = await once({
        db,
        key: scopedIdempotencyKey(caller, request.headers['idempotency-key'] ? `line:${request.headers['idempotency-key']}` : undefined),
        requestHash: requestFingerprint(request.body),
        create: async () =>
          (
            await commissionLine({
              commission,
              customerId,
              db,
              engine: app.engine,
              engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS,
            })
          ).lineOrderId,
      });
      const [row] = await db.select().from(lineOrders).where(eq(lineOrders.id, resourceId));
      request.log.info(
        { businessKey: resourceId, processInstanceKey: row?.processInstanceKey, created, by: caller.username },
        'line commissioned',
      );
      return reply
        .status(created ? 201 : 200)
        .header('location', `/status/${resourceId}`)
        .send({ id: resourceId, processInstanceKey: row?.processInstanceKey ?? '', state: row?.state ?? 'acknowledged' });
    },
  );
};
