import { clearSession, session } from './auth.ts';
import { acceptLanguage } from './i18n.ts';

/** An RFC 9457 problem from the API (or a network failure, status 0). */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.detail ?? body.title ?? `HTTP ${status}`));
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : undefined;
    this.body = body;
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  /** Answer as text (BPMN XML). */
  text?: boolean;
  headers?: Record<string, string>;
}

/** Calls the API with the session's bearer token; a 401 ends the session and goes back to login. */
export async function api<T = unknown>(path: string, { method = 'GET', query, body, text, headers = {} }: RequestOptions = {}): Promise<T> {
  const token = session()?.token;
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'accept-language': acceptLanguage(),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiProblem(0, { title: 'Network error', detail: (e as Error).message });
  }
  if (res.status === 401 && token) {
    clearSession();
    location.hash = '#/login';
  }
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    throw new ApiProblem(res.status, problem);
  }
  if (res.status === 204) return undefined as T;
  if (text) return (await res.text()) as T;
  return (await res.json()) as T;
}

/** The response headers too (the XML route tells the version in x-process-version). */
export async function apiRaw(path: string, query?: Query): Promise<Response> {
  const token = session()?.token;
  const res = await fetch(withQuery(path, query), {
    headers: { 'accept-language': acceptLanguage(), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (!res.ok) throw new ApiProblem(res.status, (await res.json().catch(() => ({}))) as Record<string, unknown>);
  return res;
}
