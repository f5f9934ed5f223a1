import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { EngineConflictError, EngineRequestError, EngineUnavailableError } from '../../engine/errors.ts';
import { ApiError, problemType, type Problem } from '../errors.ts';

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  // a query written to a connection the server has just closed (seen stopping PostgreSQL mid-run: tests/fault-postgres-outage)
  'EPIPE',
  'ECONNRESET',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'CONNECTION_DESTROYED',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

/** What a 503 tells the caller to wait before retrying. */
const RETRY_AFTER_SECONDS = 2;

/** The error's code or its cause's (drizzle wraps the driver's error). */
function hasCode(e: unknown, codes: ReadonlySet<string>): boolean {
  const err = e as { code?: string; cause?: { code?: string } };
  return codes.has(err?.code ?? '') || codes.has(err?.cause?.code ?? '');
}

const isDatabaseDown = (e: unknown) => hasCode(e, DB_DOWN_CODES);

/** The database or the engine is away for a moment (answered 503): not something a caller may swallow. */
export const isUnavailability = (e: unknown) => isDatabaseDown(e) || e instanceof EngineUnavailableError;

/** PostgreSQL refused a text value: invalid byte sequence (a NUL) or a character outside its encoding. */
const isUnstorableText = (e: unknown) => hasCode(e, new Set(['22021', '22P05']));

/** Our names for the framework's client errors, by status (a malformed body keeps the parser's detail). */
const CLIENT_ERRORS: Record<number, { code: string; title: string; detail?: string }> = {
  400: { code: 'MALFORMED_REQUEST', title: 'Bad request' },
  413: {
    code: 'BODY_TOO_LARGE',
    title: 'Request body too large',
    detail: '请求体超过此接口允许的大小。 The request body is larger than this route accepts.',
  },
  415: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'Unsupported media type',
    detail: '请以 application/json 发送请求体。 Send the body as application/json.',
  },
};

/** JSON pointers of the strings (values or keys) of a body that hold U+0000, which PostgreSQL text cannot store. */
export function nulPointers(body: unknown, limit = 20): string[] {
  const found: string[] = [];
  const escape = (k: string) => k.replaceAll('~', '~0').replaceAll('/', '~1');
  // iterative: a body may nest deeply (the parser refuses only past its own limit)
  const stack: [unknown, string][] = [[body, '']];
  while (stack.length > 0 && found.length < limit) {
    const [value, at] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) found.push(at || '/');
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, `${at}/${i}`]));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000')) found.push(`${at}/${escape(k)}`);
        stack.push([v, `${at}/${escape(k)}`]);
      }
    }
  }
  return found.sort();
}

/** One error handler: every error leaves as RFC 9457 problem details; a 500 hides its internals. */
export const problemDetails = fp(
  async (app: FastifyInstance) => {
    // A NUL in any field is refused before anything is stored, naming the field (the database
    // would refuse it later, half-way through a creation, without saying where).
    app.addHook('preValidation', async (request) => {
      // Parsed JSON only: a body passed on as a stream (the operators' console's proxy) is not walked.
      const body = request.body;
      if (body === undefined || body === null || typeof body !== 'object') return;
      if (!Array.isArray(body) && Object.getPrototypeOf(body) !== Object.prototype && Object.getPrototypeOf(body) !== null) return;
      const pointers = nulPointers(request.body);
      if (pointers.length === 0) return;
      throw new ApiError(
        400,
        'UNSTORABLE_CHARACTER',
        'Request is not valid',
        '请求中含有无法保存的字符 U+0000。 The request contains a character that cannot be stored (U+0000).',
        pointers.map((pointer) => ({ pointer, in: 'body' as const, message: '不得含 U+0000 / must not contain U+0000' })),
      );
    });

    const send = (reply: import('fastify').FastifyReply, problem: Problem) => {
      // a 503 is a moment's unavailability (engine busy or down, database down): say when to come back
      if (problem.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.status(problem.status).type('application/problem+json').send(problem);
    };

    app.setNotFoundHandler((request, reply) =>
      send(reply, {
        type: problemType('ROUTE_NOT_FOUND'),
        title: 'Not found',
        status: 404,
        code: 'ROUTE_NOT_FOUND',
        detail: `No route ${request.method} ${request.url.split('?')[0]}`,
        instance: request.url,
      }),
    );

    app.setErrorHandler((error: FastifyError, request, reply) => {
      const instance = request.url;
      if (hasZodFastifySchemaValidationErrors(error)) {
        const where = error.validationContext as 'body' | 'querystring' | 'params' | 'headers' | undefined;
        return send(reply, {
          type: problemType('VALIDATION_FAILED'),
          title: 'Request is not valid',
          status: 400,
          code: 'VALIDATION_FAILED',
          // The UI shows the detail: Chinese first, with what is wrong.
          detail: `请求中有 ${error.validation.length} 处不符合要求：${error.validation.map((v) => v.message ?? 'invalid').join('；')}。 The ${where ?? 'request'} has ${error.validation.length} invalid field(s).`,
          instance,
          errors: error.validation.map((v) => ({
            pointer: v.instancePath || '/',
            ...(where ? { in: where } : {}),
            message: v.message ?? 'invalid',
          })),
        });
      }
      if (error instanceof ApiError) {
        return send(reply, {
          type: problemType(error.code),
          title: error.title,
          status: error.status,
          code: error.code,
          detail: error.message,
          instance,
          ...(error.errors ? { errors: error.errors } : {}),
        });
      }
      // Unreachable, too slow or pushing back; still losing an optimistic-locking race after the retries (busy);
      // or failed on its side with a 5xx we have no better name for (its database restarting, a race inside it,
      // logged in full): not the caller's fault and usually passing, so come back shortly.
      const engineFailed = error instanceof EngineRequestError && !(error instanceof EngineConflictError) && error.status >= 500;
      if (error instanceof EngineUnavailableError || error instanceof EngineConflictError || engineFailed) {
        if (engineFailed) request.log.error({ err: error }, 'the engine failed a command');
        return send(reply, {
          type: problemType('ENGINE_UNAVAILABLE'),
          title: 'Process engine unavailable',
          status: 503,
          code: 'ENGINE_UNAVAILABLE',
          detail:
            error instanceof EngineConflictError
              ? 'The engine is busy with the same process instance; try again shortly.'
              : engineFailed
                ? 'The process engine could not carry out the command; try again shortly.'
                : error.message,
          instance,
        });
      }
      if (isUnstorableText(error)) {
        // A NUL (or another character PostgreSQL's UTF-8 cannot hold) in some text field: the client's to fix.
        return send(reply, {
          type: problemType('UNSTORABLE_CHARACTER'),
          title: 'Request is not valid',
          status: 400,
          code: 'UNSTORABLE_CHARACTER',
          detail: 'The request contains a character that cannot be stored (such as U+0000).',
          instance,
        });
      }
      if (isDatabaseDown(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        return send(reply, {
          type: problemType('DATABASE_UNAVAILABLE'),
          title: 'Database unavailable',
          status: 503,
          code: 'DATABASE_UNAVAILABLE',
          detail: 'The database does not answer; try again shortly.',
          instance,
        });
      }
      // Fastify's own client errors (malformed JSON, body too large, unsupported media type, …),
      // answered with our codes: the framework's internal names (FST_ERR_…) are no contract of ours.
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500 && !isResponseSerializationError(error)) {
        const framework = !error.code || error.code.startsWith('FST_');
        const ours = framework ? CLIENT_ERRORS[status] : undefined;
        const code = ours?.code ?? (framework ? 'BAD_REQUEST' : error.code);
        return send(reply, {
          type: problemType(code),
          title: ours?.title ?? 'Bad request',
          status,
          code,
          detail: ours?.detail ?? error.message,
          instance,
        });
      }
      request.log.error({ err: error }, 'unhandled error');
      return send(reply, {
        type: problemType('INTERNAL_ERROR'),
        title: 'Internal error',
        status: 500,
        code: 'INTERNAL_ERROR',
        detail: `Something went wrong on our side; quote request id ${request.id}.`,
        instance,
      });
    });
  },
  { name: 'problem-details' },
);
