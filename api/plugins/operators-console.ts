import fastifyHttpProxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.ts';

/** Where the operators' console is served: Operaton's Cockpit, Tasklist and Admin under the engine's own path. */
export const CONSOLE_PATH = '/operaton';
/** The console's login (POST /operaton/api/admin/auth/user/<engine>/login/<app>). */
const CONSOLE_LOGIN = /^\/operaton\/api\/admin\/auth\/user\/[^/]+\/login\//;
export const CONSOLE_LOGINS_PER_MINUTE = 20;

/**
 * The operators' console (Operaton's Cockpit, Tasklist and Admin) at /operaton/ on the API's
 * address. The engine listens on loopback only; this forwards the console's pages and its own
 * session-authenticated API, and nothing else: the engine's REST API (/engine-rest) stays reachable
 * by our processes alone. The console logs people in itself, against our users (the engine's identity
 * provider reads app_user): administrators and process owners; everybody else is refused there.
 */
export const operatorsConsole = fp(
  async (app: FastifyInstance) => {
    const upstream = new URL(app.settings.ENGINE_URL).origin;
    // Password guessing against the console's login is slowed per address, as our own login is.
    const loginLimit = app.rateLimit({
      max: CONSOLE_LOGINS_PER_MINUTE,
      timeWindow: 60_000,
      keyGenerator: (request) => `console-login:${request.ip}`,
    });
    // Operaton's own pages and API, not part of ours: app.ts leaves CONSOLE_PATH out of the OpenAPI document.
    await app.register(fastifyHttpProxy, {
      preHandler(request, reply, done) {
        if (request.method !== 'POST' || !CONSOLE_LOGIN.test(request.url)) return done();
        loginLimit.call(app, request, reply).then(() => done(), done);
      },
      upstream,
      prefix: CONSOLE_PATH,
      rewritePrefix: CONSOLE_PATH,
      // The console authenticates its own sessions; our bearer tokens are not asked for here.
      config: { access: 'public' },
      replyOptions: {
        // A console that does not answer within a minute (a large batch, a slow history query) is reported as such.
        timeout: 60_000,
        // The engine is down or restarting: a problem saying so, not a database error nor a hang.
        onError: (reply, { error }) => {
          reply.log.warn({ err: error }, "the operators' console did not answer");
          void reply.send(
            new ApiError(
              503,
              'CONSOLE_UNAVAILABLE',
              "Operators' console unavailable",
              '运维控制台暂时无法访问（流程引擎未响应），请稍后再试。',
            ),
          );
        },
      },
    });
  },
  { name: 'operators-console', dependencies: ['auth', '@fastify/rate-limit'] },
);
