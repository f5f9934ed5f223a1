import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { verifyPassword, decoyHash } from '../domain/auth/passwords.ts';
import { LoginBodySchema, PrincipalSchema, ROLES, TokenSchema } from '../domain/auth/schemas.ts';
import { createUserRepository, toPrincipal } from '../domain/auth/users.ts';
import { ApiError, ProblemSchema } from '../errors.ts';
import { principal } from '../plugins/auth.ts';

const invalidCredentials = () => new ApiError(401, 'INVALID_CREDENTIALS', 'Wrong username or password', 'Wrong username or password.');

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const users = createUserRepository(app.database.db);

  app.post(
    '/auth/login',
    {
      config: {
        access: 'public',
        rateLimit: { max: app.settings.LOGIN_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        summary: 'Log in: a bearer token for the other routes (rate-limited per client address)',
        body: LoginBodySchema,
        response: { 200: TokenSchema, 400: ProblemSchema, 401: ProblemSchema, 429: ProblemSchema },
      },
    },
    async (request) => {
      const user = await users.findActive(request.body.username);
      // Hash even for an unknown user, so response time does not reveal which usernames exist.
      const ok = await verifyPassword(request.body.password, user?.passwordHash ?? decoyHash);
      if (!user || !ok) {
        request.log.info({ username: request.body.username }, 'login refused');
        throw invalidCredentials();
      }
      const claims = toPrincipal(user);
      request.log.info({ username: user.username, role: user.role }, 'logged in');
      return {
        accessToken: app.jwt.sign(claims),
        tokenType: 'Bearer' as const,
        expiresIn: app.settings.JWT_TTL_SECONDS,
        user: claims,
      };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: ROLES },
      schema: {
        tags: ['auth'],
        summary: 'Who the token belongs to',
        response: { 200: PrincipalSchema, 401: ProblemSchema },
      },
    },
    async (request) => principal(request),
  );
};
