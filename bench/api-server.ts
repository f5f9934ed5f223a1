import { pino } from 'pino';
import { buildApp } from '../api/app.ts';
import { ACCESS } from '../api/domain/auth/access.ts';
import { loadSettings } from '../config/settings.ts';
import { connectDatabase } from '../db/client.ts';
import { createOperatonClient } from '../engine/operaton.ts';
import { startProjector } from '../read-model/projector.ts';

/**
 * The API process as api/server.ts runs it, plus one trivial route for the benchmark's baseline:
 * same server, same authentication hook (a bearer token is verified), a constant answer.
 */
const settings = loadSettings();
const log = pino({ level: settings.LOG_LEVEL, base: { service: 'api' } });
const database = connectDatabase(settings.DATABASE_URL!);
const engine = createOperatonClient({ baseUrl: settings.ENGINE_URL, timeoutMs: settings.ENGINE_REQUEST_TIMEOUT_MS });
const projector = startProjector({ database, log: log.child({ component: 'projector' }) });
const app = await buildApp({ settings, database, engine, log });
app.get('/bench/trivial', { config: { access: ACCESS.everyone } }, async () => ({ ok: true }));
await app.listen({ port: settings.PORT, host: '127.0.0.1' });
process.send?.('ready');

const shutdown = async () => {
  await app.close();
  await projector.stop();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
