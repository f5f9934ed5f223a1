import type { TestProject } from 'vitest/node';
import { createCamundaClients } from '../engine/camunda.ts';
import { ensureUiBuilt } from '../modeler-ui/build.ts';
import { stopEngine } from '../engine/native-engine.ts';
import { deployAndSeed } from '../scripts/bootstrap.ts';
import { operatonProfile, profileName, startInfrastructure } from '../scripts/infrastructure.ts';
import { startOperaton, stopOperaton } from '../engine/operaton-engine.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    grpcAddress: string;
    restAddress: string;
    managementAddress: string;
    /** Operaton's base address (REST under /engine-rest, test clock under /telecom/clock). */
    operatonUrl: string;
  }
}

/** Starts the real PostgreSQL and engine once for the whole run (test profile: own database, ports and data). */
export default async function setup(project: TestProject) {
  const log = (line: string) => console.log(`[setup] ${line}`);
  // The API serves the built web UI; the browser suites drive it (rebuilt only when its sources changed).
  await ensureUiBuilt({ log });
  // A test engine left running by an interrupted run holds old state: always start from nothing.
  await stopEngine({ name: profileName('test') }, () => {});
  await stopOperaton({ name: `operaton-${profileName('test')}` }, () => {});

  const { database, engine, profile } = await startInfrastructure('test', log);
  const operaton = operatonProfile('test', database.url);
  const operatonEngine = await startOperaton(operaton, log);
  const camunda = createCamundaClients({ ZEEBE_GRPC_ADDRESS: engine.grpcAddress, ZEEBE_REST_ADDRESS: engine.restAddress });
  await deployAndSeed({ databaseUrl: database.url, camunda, log: { info: log } as never });
  await camunda.close();

  project.provide('databaseUrl', database.url);
  project.provide('grpcAddress', engine.grpcAddress);
  project.provide('restAddress', engine.restAddress);
  project.provide('managementAddress', engine.managementAddress);
  project.provide('operatonUrl', operatonEngine.baseUrl);

  return async () => {
    await stopEngine(profile, () => {});
    await stopOperaton(operaton, () => {});
    await database.stop();
  };
}
