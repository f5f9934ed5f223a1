import { pino } from 'pino';
import { loadSettings } from '../config/settings.ts';
import { connectDatabase } from '../db/client.ts';
import { createCamundaClients } from '../engine/camunda.ts';
import { createWorkerDependencies } from './dependencies.ts';
import { startReservationReconciler } from './reconcile-reservations.ts';
import { startWorkers } from './runner.ts';

/** The workers process: DATABASE_URL must name the platform database (scripts/start.ts sets it). */
const settings = loadSettings();
const log = pino({ level: settings.LOG_LEVEL, base: { service: 'workers' } });
if (!settings.DATABASE_URL) {
  log.fatal('DATABASE_URL is not set');
  process.exit(1);
}
const database = connectDatabase(settings.DATABASE_URL);
const camunda = createCamundaClients(settings);
try {
  const deps = createWorkerDependencies(database.db);
  const workers = await startWorkers({ zeebe: camunda.zeebe, deps, log });
  const reconciler = startReservationReconciler({ deps, log });
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping workers');
    await reconciler.stop();
    await workers.stop();
    await camunda.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
} catch (e) {
  log.fatal({ err: e }, 'workers could not start');
  process.exit(1);
}
