import { runMigrations } from './migrate.ts';

/** npm run db:migrate — applies db/migrations to DATABASE_URL (docker compose runs it before the engine starts). */
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}
await runMigrations(url);
console.log('migrations applied');
