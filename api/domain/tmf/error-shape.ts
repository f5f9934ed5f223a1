import type { FastifyInstance } from 'fastify';
import type { Problem } from '../../errors.ts';
import type { TmfError } from './common.ts';

/** A problem document as the TMF Error resource, keeping the problem's own fields beside it. */
export function toTmfError(problem: Problem): TmfError {
  return {
    '@type': 'Error',
    code: problem.code,
    reason: problem.title,
    ...(problem.detail ? { message: problem.detail } : {}),
    status: String(problem.status),
    referenceError: problem.type,
    type: problem.type,
    title: problem.title,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(problem.instance ? { instance: problem.instance } : {}),
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}

function isProblem(payload: unknown): payload is Problem {
  const p = payload as Partial<Problem> | null;
  return typeof p === 'object' && p !== null && typeof p.code === 'string' && typeof p.status === 'number' && typeof p.title === 'string';
}

/**
 * Inside a TMF API's plugin: the one error handler (problem-details) still decides what went wrong;
 * this hook reshapes its answer into the TMF Error resource before it is serialised, so every
 * error of the TMF routes (validation, 401/403 from the auth hook, 404, 409, 503) has the TMF shape.
 */
export function answerErrorsTheTmfWay(app: FastifyInstance): void {
  app.addHook('preSerialization', async (_request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.startsWith('application/problem+json') || !isProblem(payload)) return payload;
    reply.type('application/json; charset=utf-8');
    return toTmfError(payload);
  });
  // A catch-all inside the API's prefix (the web UI's static files answer every other unknown GET).
  app.all('/*', { schema: { hide: true }, config: { access: 'public' } }, async (request, reply) => {
    const problem: Problem = {
      type: 'https://telecom.example/problems/route-not-found',
      title: 'Not found',
      status: 404,
      code: 'ROUTE_NOT_FOUND',
      detail: `No route ${request.method} ${request.url.split('?')[0]}`,
      instance: request.url,
    };
    return reply.status(404).type('application/json; charset=utf-8').send(toTmfError(problem));
  });
}
