import { randomBytes } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { PrincipalSchema, type Principal, type Role } from '../domain/auth/schemas.ts';
import { ApiError, ProblemSchema } from '../errors.ts';

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: Principal;
    user: Principal;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call the route. Every route declares it: `'public'`, or the roles allowed.
     * A route without it is refused (secure by default; tests/authorization.test.ts checks them all).
     */
    access?: 'public' | readonly Role[];
  }
}

export const unauthenticated = (detail: string) => new ApiError(401, 'UNAUTHENTICATED', 'Authentication required', detail);
export const forbidden = (detail: string) => new ApiError(403, 'FORBIDDEN', 'Not allowed for your role', detail);

/** The caller of a route that declared roles (the hook has verified the token before the handler runs). */
export function principal(request: FastifyRequest): Principal {
  if (!request.user) throw unauthenticated('No bearer token was sent.');
  return request.user;
}

/**
 * JWT bearer authentication and role checks. Each route says who may call it in
 * `config.access`; this hook verifies the token (401) and the role (403) before validation runs,
 * so a caller without rights learns nothing about the route's input.
 */
export const auth = fp(
  async (app: FastifyInstance) => {
    const secret = app.settings.JWT_SECRET ?? randomBytes(48).toString('base64url');
    if (!app.settings.JWT_SECRET)
      app.log.warn('JWT_SECRET is not set: tokens are signed with a random secret and end when the API restarts');
    await app.register(fastifyJwt, {
      secret,
      sign: { expiresIn: app.settings.JWT_TTL_SECONDS, iss: 'telecom-long-process' },
      verify: { allowedIss: 'telecom-long-process' },
      formatUser: (payload) => PrincipalSchema.parse(payload),
    });

    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      if (access && access !== 'public' && route.schema && !route.schema.hide) {
        route.schema.security = [{ bearerAuth: [] }];
        // Every protected route may answer 401 and 403: documented once, here.
        route.schema.response = { 401: ProblemSchema, 403: ProblemSchema, ...(route.schema.response as object) };
      }
    });

    app.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config.access;
      if (access === 'public') return;
      if (access === undefined) {
        // Static files, API docs and unknown URLs carry no (or a hidden) schema and are public;
        // one of our routes without an access rule is refused rather than left open.
        const schema = request.routeOptions.schema;
        if (schema && !schema.hide) throw forbidden('This route declares no access rule.');
        return;
      }
      const header = request.headers.authorization;
      if (!header) throw unauthenticated('Send `Authorization: Bearer <token>`; POST /auth/login issues one.');
      try {
        await request.jwtVerify();
      } catch {
        throw unauthenticated('The bearer token is invalid or has expired; log in again.');
      }
      if (!access.includes(request.user.role)) {
        throw forbidden(`Role ${request.user.role} may not ${request.method} ${request.routeOptions.url}.`);
      }
    });
  },
  { name: 'auth', dependencies: ['problem-details'] },
);
