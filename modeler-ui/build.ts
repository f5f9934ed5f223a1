import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the web UI into modeler-ui/dist/ (served by the API at /) when its sources are newer
 * than the last build: `npm start`, `npm test` and the e2e suites call this, so a fresh clone
 * works without a separate step. `node modeler-ui/build.ts --force` always builds.
 */
const uiRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(uiRoot, '..');
export const UI_DIST = join(uiRoot, 'dist');
const STAMP = join(UI_DIST, '.build-stamp');
const SOURCES = [
  join(uiRoot, 'src'),
  join(uiRoot, 'index.html'),
  join(uiRoot, 'vite.config.ts'),
  join(repoRoot, 'definitions', 'lint-rules'),
  // The modeler's DMN and form editors open these; the problems panel knows their form and decision ids.
  join(repoRoot, 'processes'),
  join(repoRoot, '.bpmnlintrc'),
  join(repoRoot, 'package-lock.json'),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

export function uiBuildIsStale(): boolean {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  return SOURCES.some((source) => newestMtime(source) > built);
}

/** Builds unless the last build is newer than every source; returns whether it built. */
export async function ensureUiBuilt({ force = false, log = console.log } = {}): Promise<boolean> {
  if (!force && !uiBuildIsStale()) return false;
  const started = Date.now();
  log('building the web UI (modeler-ui/ → modeler-ui/dist/)');
  const { build } = await import('vite');
  await build({ configFile: join(uiRoot, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(STAMP, new Date().toISOString());
  log(`web UI built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureUiBuilt({ force: process.argv.includes('--force') });
}
