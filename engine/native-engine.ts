import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Camunda engine, run natively from its Maven Central distribution (no Docker).
 * See docs/engine.md for what was measured and why this version.
 */
export const ENGINE_VERSION = '8.6.0';
export const ENGINE_ARTIFACT = `io.camunda:camunda-zeebe:${ENGINE_VERSION}:tar.gz`;

const root = fileURLToPath(new URL('..', import.meta.url));
const cacheDir = path.join(root, '.camunda');
const distDir = path.join(cacheDir, `camunda-zeebe-${ENGINE_VERSION}`);
const exporterSource = path.join(root, 'engine/exporter/src/io/telecom/exporter/PostgresRecordExporter.java');
const exporterJar = path.join(cacheDir, 'postgres-record-exporter.jar');

export interface EngineProfile {
  /** Name of the profile: its data, config and log live in .camunda/<name>/. */
  name: string;
  restPort: number;
  grpcPort: number;
  managementPort: number;
  commandPort: number;
  internalPort: number;
  /** PostgreSQL the exporter writes engine events to. */
  jdbc: { jdbcUrl: string; username: string; password: string };
  /** Wipe the engine's data on start (tests). */
  fresh?: boolean;
}

export const DEV_PORTS = { restPort: 8080, grpcPort: 26500, managementPort: 9600, commandPort: 26501, internalPort: 26502 };
export const TEST_PORTS = { restPort: 8089, grpcPort: 26600, managementPort: 9610, commandPort: 26601, internalPort: 26602 };

export interface RunningEngine {
  restAddress: string;
  grpcAddress: string;
  managementAddress: string;
  pid: number | undefined;
  /** Whether this call started it (false: an engine was already running and is reused). */
  started: boolean;
  startupMs: number;
  logFile: string;
}

type Log = (line: string) => void;

export class EngineSetupError extends Error {}

/** A JDK 21+ : JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm. */
export function findJava(): { javaHome: string; version: number } {
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(process.env.JAVA_HOME);
  if (existsSync('/usr/lib/jvm')) {
    for (const entry of readdirSync('/usr/lib/jvm')) candidates.push(path.join('/usr/lib/jvm', entry));
  }
  const found = candidates
    .map((home) => ({ javaHome: home, version: javaVersion(home) }))
    .filter((c): c is { javaHome: string; version: number } => c.version !== undefined && c.version >= 21)
    .sort((a, b) => b.version - a.version);
  // Prefer JAVA_HOME when it qualifies, otherwise the newest.
  const preferred = found.find((c) => c.javaHome === process.env.JAVA_HOME) ?? found[0];
  if (!preferred) {
    const seen = candidates.map((c) => `${c} (${javaVersion(c) ?? 'no java'})`).join(', ') || 'none';
    throw new EngineSetupError(
      `Camunda ${ENGINE_VERSION} needs a JDK 21 or newer. Set JAVA_HOME to one, or install one under /usr/lib/jvm ` +
        `(e.g. apt-get install openjdk-21-jdk-headless or temurin-21-jdk). Looked at: ${seen}`,
    );
  }
  return preferred;
}

function javaVersion(home: string): number | undefined {
  const java = path.join(home, 'bin/java');
  if (!existsSync(java)) return undefined;
  const release = path.join(home, 'release');
  if (existsSync(release)) {
    const m = /JAVA_VERSION="(\d+)/.exec(readFileSync(release, 'utf8'));
    if (m?.[1]) return Number(m[1]);
  }
  const out = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr;
  const m = /version "(\d+)/.exec(out ?? '');
  return m?.[1] ? Number(m[1]) : undefined;
}

/** Fetches the distribution from Maven Central with mvn once; later calls reuse the unpacked copy. */
export function ensureDistribution(log: Log = console.log): string {
  if (existsSync(path.join(distDir, 'bin/broker'))) return distDir;
  const mvn = spawnSync('mvn', ['--version'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new EngineSetupError('Maven (mvn) is needed once to fetch the Camunda distribution from Maven Central: apt-get install maven');
  }
  mkdirSync(cacheDir, { recursive: true });
  log(`fetching ${ENGINE_ARTIFACT} from Maven Central (about 300 MB, once)`);
  const copy = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy',
      `-Dartifact=${ENGINE_ARTIFACT}`,
      `-DoutputDirectory=${cacheDir}`,
      '-Dmdep.stripVersion=true',
      '-Dmdep.overWriteReleases=true',
    ],
    { stdio: 'inherit' },
  );
  const tarball = path.join(cacheDir, 'camunda-zeebe.tar.gz');
  if (copy.status !== 0 || !existsSync(tarball)) {
    throw new EngineSetupError(`mvn could not fetch ${ENGINE_ARTIFACT} from Maven Central (exit ${copy.status})`);
  }
  const staging = `${distDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1']);
  rmSync(tarball);
  // Rename last, so an interrupted unpack is never mistaken for a complete one.
  execFileSync('mv', [staging, distDir]);
  return distDir;
}

/** Compiles our PostgreSQL exporter against the distribution's own jars (no extra downloads). */
export function ensureExporter(javaHome: string): string {
  if (existsSync(exporterJar) && statSync(exporterJar).mtimeMs >= statSync(exporterSource).mtimeMs) return exporterJar;
  const classes = path.join(cacheDir, 'exporter-classes');
  rmSync(classes, { recursive: true, force: true });
  execFileSync(
    path.join(javaHome, 'bin/javac'),
    ['-nowarn', '--release', '21', '-cp', path.join(distDir, 'lib/*'), '-d', classes, exporterSource],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  execFileSync(path.join(javaHome, 'bin/jar'), ['cf', exporterJar, '-C', classes, '.']);
  return exporterJar;
}

function profileDir(profile: Pick<EngineProfile, 'name'>): string {
  return path.join(cacheDir, profile.name);
}

/** The broker's configuration: single node, unprotected local API, bounded memory, controlled clock. */
export function engineConfig(profile: EngineProfile, jar: string): object {
  return {
    server: { port: profile.restPort, address: '127.0.0.1' },
    management: { server: { port: profile.managementPort, address: '127.0.0.1' } },
    zeebe: {
      clock: { controlled: true },
      broker: {
        gateway: { enable: true, network: { host: '127.0.0.1', port: profile.grpcPort }, security: { enabled: false } },
        network: {
          host: '127.0.0.1',
          commandApi: { port: profile.commandPort },
          internalApi: { port: profile.internalPort },
        },
        cluster: { clusterSize: 1, replicationFactor: 1, partitionsCount: 1 },
        threads: { cpuThreadCount: 1, ioThreadCount: 1 },
        data: {
          directory: path.join(profileDir(profile), 'data'),
          snapshotPeriod: '5m',
          disk: { freeSpace: { processing: '512MB', replication: '256MB' } },
        },
        experimental: { rocksdb: { memoryLimit: '128MB' } },
        exporters: {
          postgres: {
            className: 'io.telecom.exporter.PostgresRecordExporter',
            jarPath: jar,
            args: {
              url: profile.jdbc.jdbcUrl,
              username: profile.jdbc.username,
              password: profile.jdbc.password,
              batchSize: 200,
              flushMillis: 10,
            },
          },
        },
      },
    },
  };
}

async function probe(url: string, timeoutMs = 1500): Promise<Response | undefined> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return undefined;
  }
}

interface Topology {
  brokers: { partitions: { partitionId: number; role: string; health: string }[] }[];
  partitionsCount: number;
}

export async function isHealthy(restAddress: string): Promise<boolean> {
  const res = await probe(`${restAddress}/v2/topology`);
  if (!res?.ok) return false;
  const topology = (await res.json()) as Topology;
  const leaders = topology.brokers.flatMap((b) => b.partitions).filter((p) => p.role === 'leader' && p.health === 'healthy');
  return leaders.length === topology.partitionsCount && topology.partitionsCount > 0;
}

function addresses(profile: EngineProfile) {
  return {
    restAddress: `http://127.0.0.1:${profile.restPort}`,
    grpcAddress: `grpc://127.0.0.1:${profile.grpcPort}`,
    managementAddress: `http://127.0.0.1:${profile.managementPort}`,
  };
}

/**
 * Starts the engine for a profile and waits until the topology reports a healthy leader.
 * An engine already answering on the profile's ports is reused.
 */
export async function startEngine(profile: EngineProfile, log: Log = console.log, timeoutMs = 240_000): Promise<RunningEngine> {
  const { restAddress, grpcAddress, managementAddress } = addresses(profile);
  const dir = profileDir(profile);
  const logFile = path.join(dir, 'engine.log');
  const pidFile = path.join(dir, 'engine.pid');
  if (await isHealthy(restAddress)) {
    log(`engine already running at ${restAddress}; reusing it`);
    return { restAddress, grpcAddress, managementAddress, pid: readPid(pidFile), started: false, startupMs: 0, logFile };
  }
  if ((await probe(`${managementAddress}/actuator/health`)) !== undefined) {
    throw new EngineSetupError(
      `port ${profile.managementPort} answers but the engine at ${restAddress} is not healthy; stop it first (npm run engine -- stop)`,
    );
  }
  const { javaHome, version } = findJava();
  const dist = ensureDistribution(log);
  const jar = ensureExporter(javaHome);

  if (profile.fresh) rmSync(path.join(dir, 'data'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'application.yaml');
  // JSON is valid YAML, so the config needs no YAML library.
  writeFileSync(configFile, JSON.stringify(engineConfig(profile, jar), null, 2));

  const javaOpts =
    process.env.ENGINE_JAVA_OPTS ??
    '-Xms256m -Xmx768m -XX:MaxDirectMemorySize=256m -XX:MaxMetaspaceSize=256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1';
  const out = openSync(logFile, 'a');
  const begin = Date.now();
  log(`starting Camunda ${ENGINE_VERSION} (JDK ${version}) — log: ${path.relative(root, logFile)}`);
  const child = spawn(path.join(dist, 'bin/broker'), [`--spring.config.additional-location=file:${configFile}`], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      JAVA_HOME: javaHome,
      JAVA_OPTS: `${javaOpts}${version >= 23 ? ' --sun-misc-unsafe-memory-access=allow' : ''} --enable-native-access=ALL-UNNAMED`,
    },
  });
  closeSync(out);
  child.unref();
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));

  while (Date.now() - begin < timeoutMs) {
    if (exited !== null) {
      throw new EngineSetupError(`the engine exited with code ${exited} during startup; last log lines:\n${tail(logFile)}`);
    }
    if (await isHealthy(restAddress)) {
      const startupMs = Date.now() - begin;
      log(`engine healthy after ${(startupMs / 1000).toFixed(1)} s`);
      return { restAddress, grpcAddress, managementAddress, pid: child.pid, started: true, startupMs, logFile };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new EngineSetupError(`the engine did not report a healthy leader within ${timeoutMs / 1000} s; last log lines:\n${tail(logFile)}`);
}

/** Stops the engine of a profile (by name: 'dev', 'test'): SIGTERM, then SIGKILL after 30 s. */
export async function stopEngine(profile: Pick<EngineProfile, 'name'>, log: Log = console.log): Promise<void> {
  const pidFile = path.join(profileDir(profile), 'engine.pid');
  const pid = readPid(pidFile);
  if (pid === undefined || !alive(pid)) {
    log('engine is not running');
    rmSync(pidFile, { force: true });
    return;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  log('engine stopped');
}

export function engineRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Math.round(Number(m[1]) / 1024) : undefined;
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}
