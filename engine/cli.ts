import { enginePort, profileName, startInfrastructure, type Environment } from '../scripts/infrastructure.ts';
import { OperatonSetupError, ensureEngineJar, findJdk, isOperatonHealthy, processRssMb, stopOperaton } from './operaton-engine.ts';

/** npm run engine -- [start|stop|status|build] [--test] */
const command = process.argv[2] ?? 'start';
const env: Environment = process.argv.includes('--test') ? 'test' : 'dev';

try {
  if (command === 'build' || command === 'fetch') {
    // Builds the engine app once (Maven fetches Operaton from Maven Central): CI, Docker builds.
    const { javaHome, version } = findJdk();
    console.log(`JDK ${version} at ${javaHome}`);
    console.log(`engine app at ${ensureEngineJar()}`);
    process.exit(0);
  } else if (command === 'start') {
    const { engine } = await startInfrastructure(env);
    console.log(
      `engine ready at ${engine.baseUrl} (REST API under /engine-rest), RSS ${processRssMb(engine.pid) ?? '?'} MB; log: ${engine.logFile}`,
    );
    process.exit(0);
  } else if (command === 'stop') {
    await stopOperaton({ name: `operaton-${profileName(env)}` });
    process.exit(0);
  } else if (command === 'status') {
    const healthy = await isOperatonHealthy(`http://127.0.0.1:${enginePort(env)}`);
    console.log(healthy ? 'engine running' : 'engine not running');
    process.exit(healthy ? 0 : 1);
  } else {
    console.error(`unknown command ${command}; use start, stop, status or build`);
    process.exit(2);
  }
} catch (e) {
  console.error(e instanceof OperatonSetupError ? `engine: ${e.message}` : e);
  process.exit(1);
}
