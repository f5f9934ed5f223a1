import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * vitest resolves packages the way bundlers do ("module" entries); `npm start` runs plain Node,
 * which takes "main"/"exports". Every module the processes of `npm start` load must import there.
 */
describe('the entry points load under plain Node, as npm start runs them', () => {
  it.each([
    'workers/registry.ts',
    'workers/dependencies.ts',
    'api/app.ts',
    'read-model/projector.ts',
    'scripts/bootstrap.ts',
    'scripts/infrastructure.ts',
  ])('%s imports', (module) => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(`./${module}`)});`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).not.toMatch(/SyntaxError|ERR_/);
    expect(result.status).toBe(0);
  });
});
