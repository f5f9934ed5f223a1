import { pino } from 'pino';
import { loadSettings } from '../config/settings.ts';
import { connectDatabase } from '../db/client.ts';
import { createOperatonClient } from '../engine/operaton.ts';
import { createWorkerDependencies } from './dependencies.ts';
import { startReservationReconciler } from './reconcile-reservations.ts';
import { startWorkers } from './runner.ts';
import { PostgresCustomerDirectory, PostgresSmsGatewaySimulator } from './adapters/sms-gateway.ts';
import { createNoticeDispatcher } from './notices/dispatcher.ts';

/** The workers process: DATABASE_URL must name the platform database (scripts/start.ts sets it); ENGINE_URL the engine. */
const settings = loadSettings();
const log = pino({ level: settings.LOG_LEVEL, base: { service: 'workers' } });
if (!settings.DATABASE_URL) {
  log.fatal('DATABASE_URL is not set');
  process.exit(1);
}
const database = connectDatabase(settings.DATABASE_URL);
// An engine that is down or restarting is no reason to exit: the runner polls on with back-off.
const engine = createOperatonClient({ baseUrl: settings.ENGINE_URL, timeoutMs: settings.ENGINE_REQUEST_TIMEOUT_MS });
try {
  const deps = createWorkerDependencies(database.db);
  const workers = startWorkers({ engine, deps, log, pollTimeoutMs: settings.WORKER_POLL_TIMEOUT_MS });
  const reconciler = startReservationReconciler({ deps, log });
  // SMS notices: composed from the outbox and sent through the gateway adapter (docs/sms.md).
  const notices = createNoticeDispatcher({
    db: database.db,
    gateway: new PostgresSmsGatewaySimulator(database.db),
    directory: new PostgresCustomerDirectory(database.db),
    log,
    options: {
      customerPerPhonePerHour: settings.SMS_CUSTOMER_PER_PHONE_PER_HOUR,
      staffPerPhonePerHour: settings.SMS_STAFF_PER_PHONE_PER_HOUR,
    },
  });
  notices.start();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping workers');
    await reconciler.stop();
    await notices.stop();
    await workers.stop();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
} catch (e) {
  log.fatal({ err: e }, 'workers could not start');
  process.exit(1);
}
