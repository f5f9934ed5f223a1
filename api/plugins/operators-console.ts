import fastifyHttpProxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Where the operators' console is served: Operaton's Cockpit, Tasklist and Admin under the engine's own path. */
export const CONSOLE_PATH = '/operaton';

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
    await app.register(async (scope) => {
      // Not part of our API's contract (OpenAPI): the console is Operaton's.
      scope.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, hide: true };
      });
      await scope.register(fastifyHttpProxy, {
        upstream,
        prefix: CONSOLE_PATH,
        rewritePrefix: CONSOLE_PATH,
        // The console authenticates its own sessions; our bearer tokens are not asked for here.
        config: { access: 'public' },
        replyOptions: {
          // A console that does not answer within a minute (a large batch, a slow history query) is reported as such.
          timeout: 60_000,
        },
      });
    });
  },
  { name: 'operators-console', dependencies: ['auth'] },
);
