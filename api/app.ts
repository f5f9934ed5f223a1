import { fileURLToPath } from 'node:url';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Settings } from '../config/settings.ts';
import type { Database } from '../db/client.ts';
import type { OperatonClient } from '../engine/operaton.ts';
import { hubDispatcher } from './domain/hub/plugin.ts';
import { messageRelay } from './domain/messages/plugin.ts';
import type { MessageRelayOptions } from './domain/messages/relay.ts';
import { createProgressRepository, type ProgressRepository } from './domain/status/repository.ts';
import { ApiError } from './errors.ts';
import { auth } from './plugins/auth.ts';
import { CONSOLE_PATH, operatorsConsole } from './plugins/operators-console.ts';
import { problemDetails } from './plugins/problem-details.ts';
import { authRoutes } from './routes/auth.ts';
import { healthRoutes } from './routes/health.ts';
import { orderRoutes } from './routes/orders.ts';
import { statusRoutes } from './routes/status.ts';
import { tmfProductOrderingRoutes } from './routes/tmf-product-ordering.ts';
import { tmfTroubleTicketRoutes } from './routes/tmf-trouble-ticket.ts';
import { acceptanceRoutes } from './routes/acceptance.ts';
import { instanceRoutes } from './routes/instances.ts';
import { kpiRoutes } from './routes/kpis.ts';
import { noticeRoutes } from './routes/notices.ts';
import { slaPauseRoutes } from './routes/sla-pauses.ts';
import { lineOrderRoutes } from './routes/line-orders.ts';
import { processRoutes } from './routes/processes.ts';
import { taskRoutes } from './routes/tasks.ts';
import { evidenceRoutes } from './routes/evidence.ts';
import { chaseUpRoutes } from './routes/chase-ups.ts';
import { complaintStatsRoutes } from './routes/complaint-stats.ts';

declare module 'fastify' {
  interface FastifyInstance {
    settings: Settings;
    database: Database;
    /** Our Operaton REST client: every engine command goes through it (reads come from the read model). */
    engine: OperatonClient;
    /** Status views for reads (short read-through cache, see STATUS_READ_CACHE_MS); writers call `forget(id)`. */
    statusReads: ProgressRepository;
  }
}

export interface AppDependencies {
  settings: Settings;
  database: Database;
  /** Our Operaton REST client (engine/operaton.ts); the caller builds it and closes nothing (it holds no connections). */
  engine: OperatonClient;
  /** A pino logger; without one the app logs nothing (tests). */
  log?: FastifyBaseLogger;
  /**
   * The relay that delivers customers' recorded messages once their process waits (api/domain/messages/):
   * on by default; false where another API process or a test relays.
   */
  messageRelay?: boolean | Partial<MessageRelayOptions>;
}

/** Load order is the architecture: compilers and clients, docs, errors, then routes, then the UI. */
export async function buildApp({ settings, database, engine, log, messageRelay: relay = true }: AppDependencies) {
  const app = Fastify({
    ...(log ? { loggerInstance: log } : { logger: false }),
    bodyLimit: 256 * 1024,
    // A path parameter longer than the router's default 100 characters made the route unknown
    // ("No route", 404); its own schema answers it instead (400 naming the parameter).
    routerOptions: { maxParamLength: 8 * 1024 },
    requestIdHeader: 'x-request-id',
    // Behind a load balancer the client's address comes from X-Forwarded-For, if TRUST_PROXY says so.
    trustProxy:
      typeof settings.TRUST_PROXY === 'number'
        ? (_address: string, hop: number) => hop < (settings.TRUST_PROXY as number)
        : settings.TRUST_PROXY,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('settings', settings);
  app.decorate('database', database);
  app.decorate('engine', engine);
  app.decorate('statusReads', createProgressRepository({ db: database.db, readCacheMs: settings.STATUS_READ_CACHE_MS }));

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Telecom long-process orchestration API',
        description: 'Orders, user tasks and process data of the long processes (home broadband, enterprise lines) run on Operaton.',
        version: '0.1.0',
      },
      tags: [
        { name: 'orders', description: 'Customer orders and their progress' },
        { name: 'tasks', description: "Clerks' user tasks" },
        { name: 'evidence', description: 'Photos and documents on tasks: upload, view, review' },
        { name: 'processes', description: 'Deployed process definitions and deployments (process owners)' },
        { name: 'instances', description: 'Process instances, diagram overlays and incidents (process owners)' },
        { name: 'kpis', description: "Leaders' KPIs" },
        { name: 'acceptance', description: 'Monthly acceptance and handover of enterprise lines' },
        { name: 'health', description: 'Liveness of the engine and the database' },
        { name: 'auth', description: 'Login and the caller' },
        { name: 'status', description: 'Plain progress of an order, change, line order, ticket or complaint, in Chinese and English' },
        { name: 'TMF622 product ordering', description: 'TM Forum Product Ordering v5: new installs, changes, cancellations, event hub' },
        { name: 'TMF621 trouble ticket', description: 'TM Forum Trouble Ticket v5: faults and complaints, event hub' },
        { name: 'notices', description: 'SMS notices: templates, the messages of an order or ticket, opt-out' },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'From POST /auth/login' } },
      },
    },
    // The operators' console (Operaton's pages and API behind the API's address) is not part of our API.
    transform: (args) =>
      args.url.startsWith(`${CONSOLE_PATH}/`) || args.url === CONSOLE_PATH
        ? { schema: { hide: true }, url: args.url }
        : jsonSchemaTransform(args),
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(problemDetails);
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'TOO_MANY_REQUESTS', 'Too many requests', `Try again in ${Math.ceil(context.ttl / 1000)} s.`),
  });
  await app.register(auth);

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(orderRoutes);
  await app.register(lineOrderRoutes);
  await app.register(statusRoutes);
  await app.register(tmfProductOrderingRoutes, { prefix: '/tmf-api/productOrderingManagement/v5' });
  await app.register(tmfTroubleTicketRoutes, { prefix: '/tmf-api/troubleTicket/v5' });
  await app.register(hubDispatcher);
  await app.register(messageRelay, { enabled: relay !== false, relay: typeof relay === 'object' ? relay : undefined });
  await app.register(taskRoutes);
  await app.register(evidenceRoutes);
  await app.register(processRoutes);
  await app.register(instanceRoutes);
  await app.register(kpiRoutes);
  await app.register(chaseUpRoutes);
  await app.register(complaintStatsRoutes);
  await app.register(acceptanceRoutes);
  await app.register(noticeRoutes);
  await app.register(slaPauseRoutes);
  await app.register(operatorsConsole);

  // The web UI, built by Vite into modeler-ui/dist/ (modeler-ui/build.ts; npm start and npm test build it when stale).
  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('../modeler-ui/dist/', import.meta.url)),
    prefix: '/',
    index: 'index.html',
    // Hashed file names: assets never change; index.html must be fetched anew to see a new build.
    setHeaders: (reply, path) =>
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  return app;
}
