import type { TestProject } from 'vitest/node';
import { createOperatonClient } from '../engine/operaton.ts';
import { startOperaton, stopOperaton } from '../engine/operaton-engine.ts';
import { ensureUiBuilt } from '../modeler-ui/build.ts';
import { deploy, seed } from '../scripts/bootstrap.ts';
import { operatonProfile, profileName, startDatabase } from '../scripts/infrastructure.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** Operaton's base address (REST under /engine-rest, test clock under /telecom/clock). */
    operatonUrl: string;
  }
}

/** Starts the real PostgreSQL and engine once for the whole run (test profile: own database and port). */
export default async function setup(project: TestProject) {
  const log = (line: string) => console.log(`[setup] ${line}`);
  // The API serves the built web UI; the browser suites drive it (rebuilt only when its sources changed).
  await ensureUiBuilt({ log });
  // A test engine left running by an interrupted run holds connections to the database we recreate.
  await stopOperaton({ name: `operaton-${profileName('test')}` }, () => {});

  const database = await startDatabase('test', log);
  const profile = operatonProfile('test', database.url);
  const engine = await startOperaton(profile, log);
  const client = createOperatonClient({ baseUrl: engine.baseUrl, timeoutMs: 60_000 });
  try {
    // Every suite needs processes/ deployed: a model the engine refuses stops the run here, with its problems.
    await deploy(client, { info: log });
    await seed(database.url);
  } catch (e) {
    await stopOperaton(profile, () => {});
    await database.stop();
    throw e;
  }

  project.provide('databaseUrl', database.url);
  project.provide('operatonUrl', engine.baseUrl);

  return async () => {
    await stopOperaton(profile, () => {});
    await database.stop();
  };
}
