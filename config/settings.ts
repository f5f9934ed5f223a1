import { z } from 'zod';

/**
 * Every setting the platform reads, validated once at boot. `.env.example` lists them all.
 * An unset DATABASE_URL means "start the embedded PostgreSQL" (see db/server.ts).
 */
const SettingsSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  /** Port of the embedded PostgreSQL, used only when DATABASE_URL is unset. */
  EMBEDDED_PG_PORT: z.coerce.number().int().positive().default(54329),
  PORT: z.coerce.number().int().positive().default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * native: `npm start` builds and runs our engine app itself (engine/operaton-engine.ts).
   * external: an engine already runs at ENGINE_URL (docker compose); `npm start` waits for it.
   */
  ENGINE_MODE: z.enum(['native', 'external']).default('native'),
  /** Our Operaton engine app (engine/): its REST API is under /engine-rest, reachable from our processes only. */
  ENGINE_URL: z.string().url().default('http://127.0.0.1:8080'),
  /** How long an API call waits for the engine before answering 503. */
  ENGINE_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /**
   * How long a workers process's long poll waits for a task. Any engine node answers it as soon as a task
   * is created anywhere (docs/scaling.md); where the nodes cannot notify each other (no LISTEN/NOTIFY
   * through the database proxy), 1000 bounds a pickup by a second.
   */
  WORKER_POLL_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(20_000),
  /**
   * Signs the API's JWTs. Unset: a random secret per API process (tokens end with a restart);
   * set it (≥ 32 characters) wherever tokens must outlive a restart or several API processes run.
   */
  JWT_SECRET: z.string().min(32).optional(),
  /** How long a login token stays valid. */
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600)
    .default(8 * 3600),
  /**
   * public: a customer's hub callback must be a public address (no loopback or private networks:
   * customers must not make the server call into the operator's network); any: no limit (an
   * in-house customer portal, tests). Staff-registered hubs are never limited.
   */
  HUB_CUSTOMER_CALLBACKS: z.enum(['public', 'any']).default('public'),
  /**
   * How long a status view (GET /status/:id, TMF productOrder / troubleTicket by id) may be reused
   * for the same id: hot pages polled by many clients load once per period. 0 turns it off.
   * Writes through this API forget the id at once; engine progress shows up to this much later.
   */
  STATUS_READ_CACHE_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  /**
   * Which proxies in front of the API to believe about the client's address (X-Forwarded-For), for the
   * login limits and the logs: empty (none: the socket's address), `true` (any), a hop count, or a
   * comma-separated list of addresses and CIDR ranges (e.g. the load balancer's network).
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v): boolean | number | string[] => {
      const value = v.trim();
      if (value === '' || value === 'false') return false;
      if (value === 'true') return true;
      if (/^\d+$/.test(value)) return Number(value);
      return value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
    }),
  /** Logins allowed per client address and minute. */
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
  /** SMS notices a customer's phone may get in any hour; more are held and sent later (docs/sms.md). */
  SMS_CUSTOMER_PER_PHONE_PER_HOUR: z.coerce.number().int().positive().default(5),
  /** The same for the duty phones of crews and response centers. */
  SMS_STAFF_PER_PHONE_PER_HOUR: z.coerce.number().int().positive().default(60),
  /** Presses of the same order or ticket within this many seconds of a counted chase-up count once (docs/chase-ups.md). */
  CHASE_UP_FOLD_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
});

export type Settings = z.infer<typeof SettingsSchema>;

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = SettingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
