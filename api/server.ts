import { pino } from 'pino';
import { loadSettings } from '../config/settings.ts';
import { connectDatabase } from '../db/client.ts';
import { createOperatonClient } from '../engine/operaton.ts';
import { startProjector } from '../read-model/projector.ts';
import { buildApp } from './app.ts';

/** The API process: DATABASE_URL must name the platform database (scripts/start.ts sets it). */
const settings = loadSettings();
const log = pino({ level: settings.LOG_LEVEL, base: { service: 'api' } });
if (!settings.DATABASE_URL) {
  log.fatal('DATABASE_URL is not set');
  process.exit(1);
}
const database = connectDatabase(settings.DATABASE_URL);
// Every call has this deadline: an engine that is down or hangs costs a request at most that long (then 503).
const engine = createOperatonClient({ baseUrl: settings.ENGINE_URL, timeoutMs: settings.ENGINE_REQUEST_TIMEOUT_MS });
const projector = startProjector({ database, log: log.child({ component: 'projector' }) });
const app = await buildApp({ settings, database, engine, log });
await app.listen({ port: settings.PORT, host: settings.HOST });

const shutdown = async (signal: string) => {
  log.info({ signal }, 'stopping API');
  await app.close();
  await projector.stop();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
