import { portsFor, profileName, startInfrastructure, type Environment } from '../scripts/infrastructure.ts';
import {
  engineRssMb,
  ensureDistribution,
  ensureExporter,
  findJava,
  isHealthy,
  stopEngine,
  EngineSetupError,
  ENGINE_VERSION,
} from './native-engine.ts';
import { ensureEngineJar } from './operaton-engine.ts';

/** npm run engine -- [start|stop|status|fetch] [--test] */
const command = process.argv[2] ?? 'start';
const env: Environment = process.argv.includes('--test') ? 'test' : 'dev';

try {
  if (command === 'fetch') {
    // Installs what the engine needs without starting it (CI, Docker builds).
    const { javaHome, version } = findJava();
    console.log(`JDK ${version} at ${javaHome}`);
    console.log(`Camunda ${ENGINE_VERSION} at ${ensureDistribution()}`);
    console.log(`exporter at ${ensureExporter(javaHome)}`);
    console.log(`Operaton engine app at ${ensureEngineJar()}`);
    process.exit(0);
  } else if (command === 'start') {
    const { engine } = await startInfrastructure(env);
    console.log(`engine ready: REST ${engine.restAddress}, gRPC ${engine.grpcAddress}, RSS ${engineRssMb(engine.pid) ?? '?'} MB`);
    process.exit(0);
  } else if (command === 'stop') {
    await stopEngine({ name: profileName(env) });
    process.exit(0);
  } else if (command === 'status') {
    const ports = portsFor(env);
    const healthy = await isHealthy(`http://127.0.0.1:${ports.restPort}`);
    console.log(healthy ? 'engine healthy' : 'engine not running');
    process.exit(healthy ? 0 : 1);
  } else {
    console.error(`unknown command ${command}; use start, stop, status or fetch`);
    process.exit(2);
  }
} catch (e) {
  console.error(e instanceof EngineSetupError ? `engine: ${e.message}` : e);
  process.exit(1);
}
