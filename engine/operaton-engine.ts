import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Our engine application (engine/: Spring Boot + Operaton), built with Maven once and reused until
 * its sources change, started natively with the JDK. See docs/engine.md.
 */
export const OPERATON_VERSION = '1.0.3';

const root = fileURLToPath(new URL('..', import.meta.url));
const engineDir = path.join(root, 'engine');
const cacheDir = path.join(root, '.operaton');

export interface OperatonProfile {
  /** Its log and pid file live in .operaton/<name>/. */
  name: string;
  port: number;
  /** The PostgreSQL the engine keeps its tables in (schema `operaton`) and writes our events to. */
  jdbc: { jdbcUrl: string; username: string; password: string };
  /** Tests: the engine's clock can be moved (POST /telecom/clock/add). */
  clockControl?: boolean;
  /** More of the engine app's settings (application.yaml), e.g. ENGINE_NODE_NAME for a second node. */
  env?: Record<string, string>;
}

export interface RunningOperaton {
  baseUrl: string;
  pid: number | undefined;
  started: boolean;
  startupMs: number;
  logFile: string;
}

export class OperatonSetupError extends Error {}

type Log = (line: string) => void;

/** A JDK 17+: JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm. */
export function findJdk(): { javaHome: string; version: number } {
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(process.env.JAVA_HOME);
  if (existsSync('/usr/lib/jvm')) for (const entry of readdirSync('/usr/lib/jvm')) candidates.push(path.join('/usr/lib/jvm', entry));
  const found = candidates
    .map((home) => ({ javaHome: home, version: javaVersion(home) }))
    .filter((c): c is { javaHome: string; version: number } => c.version !== undefined && c.version >= 17)
    .sort((a, b) => b.version - a.version);
  const preferred = found.find((c) => c.javaHome === process.env.JAVA_HOME) ?? found[0];
  if (!preferred) {
    throw new OperatonSetupError(
      `the engine needs a JDK 17 or newer: set JAVA_HOME to one, or install one (apt-get install openjdk-17-jdk-headless). Looked at: ${candidates.join(', ') || 'none'}`,
    );
  }
  return preferred;
}

function javaVersion(home: string): number | undefined {
  if (!existsSync(path.join(home, 'bin/java'))) return undefined;
  const release = path.join(home, 'release');
  if (existsSync(release)) {
    const m = /JAVA_VERSION="(\d+)/.exec(readFileSync(release, 'utf8'));
    if (m?.[1]) return Number(m[1]);
  }
  const m = /version "(\d+)/.exec(spawnSync(path.join(home, 'bin/java'), ['-version'], { encoding: 'utf8' }).stderr ?? '');
  return m?.[1] ? Number(m[1]) : undefined;
}

/** A hash of everything the jar is built from: a change to any of them builds it again. */
function sourcesHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        hash.update(path.relative(engineDir, full));
        hash.update(readFileSync(full));
      }
    }
  };
  hash.update(readFileSync(path.join(engineDir, 'pom.xml')));
  walk(path.join(engineDir, 'src'));
  return hash.digest('hex').slice(0, 16);
}

/** Builds the engine jar with Maven unless a jar of the same sources is cached in .operaton/. */
export function ensureEngineJar(log: Log = console.log): string {
  const jar = path.join(cacheDir, `telecom-engine-${sourcesHash()}.jar`);
  if (existsSync(jar)) return jar;
  // One build at a time (two test runs, or npm start beside a test run, share engine/target).
  mkdirSync(cacheDir, { recursive: true });
  const lock = path.join(cacheDir, 'build.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      // a lock older than 10 minutes was left by a build that died
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { force: true });
      if (Date.now() > deadline) throw new OperatonSetupError(`another build of the engine holds ${lock}; remove it if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return existsSync(jar) ? jar : buildEngineJar(jar, log);
  } finally {
    rmSync(lock, { force: true });
  }
}

function buildEngineJar(jar: string, log: Log): string {
  const mvn = spawnSync('mvn', ['--version'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new OperatonSetupError('Maven (mvn) is needed to build the engine (engine/pom.xml) once: apt-get install maven');
  }
  const { javaHome } = findJdk();
  log(`building the engine (engine/, Operaton ${OPERATON_VERSION}) with Maven; the first build downloads about 110 MB`);
  const started = Date.now();
  const build = spawnSync('mvn', ['-B', '-q', '-DskipTests', 'package'], {
    cwd: engineDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, JAVA_HOME: javaHome },
  });
  const built = path.join(engineDir, 'target/telecom-engine.jar');
  if (build.status !== 0 || !existsSync(built)) throw new OperatonSetupError(`mvn package failed in engine/ (exit ${build.status})`);
  mkdirSync(cacheDir, { recursive: true });
  // Older builds go, but not the last few: an engine still running may have been started from one
  // (each engine runs from a link of its own in its profile folder, which keeps the file anyway).
  const older = readdirSync(cacheDir)
    .filter((f) => /^telecom-engine-.*\.jar$/.test(f))
    .map((f) => ({ f, at: statSync(path.join(cacheDir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
    .slice(2);
  for (const { f } of older) rmSync(path.join(cacheDir, f));
  copyFileSync(built, `${jar}.partial`);
  // Renamed last, so an interrupted copy is never taken for a built jar.
  spawnSync('mv', [`${jar}.partial`, jar]);
  log(`engine built in ${((Date.now() - started) / 1000).toFixed(0)} s (${Math.round(statSync(jar).size / 1e6)} MB)`);
  return jar;
}

export async function isOperatonHealthy(baseUrl: string, timeoutMs = 1500): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/engine-rest/engine`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return false;
    const engines = (await res.json()) as { name: string }[];
    return engines.some((e) => e.name === 'default');
  } catch {
    return false;
  }
}

function profileDir(profile: Pick<OperatonProfile, 'name'>): string {
  return path.join(cacheDir, profile.name);
}

/** Memory bounded for 2 cores (see docs/engine.md); ENGINE_JAVA_OPTS replaces it. */
const DEFAULT_JAVA_OPTS =
  '-Xms256m -Xmx384m -XX:MaxMetaspaceSize=160m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1';

/** Starts the engine for a profile and waits until its REST API answers; one already answering is reused. */
export async function startOperaton(profile: OperatonProfile, log: Log = console.log, timeoutMs = 180_000): Promise<RunningOperaton> {
  const baseUrl = `http://127.0.0.1:${profile.port}`;
  const dir = profileDir(profile);
  const logFile = path.join(dir, 'engine.log');
  const pidFile = path.join(dir, 'engine.pid');
  if (await isOperatonHealthy(baseUrl)) {
    log(`engine already running at ${baseUrl}; reusing it`);
    return { baseUrl, pid: readPid(pidFile), started: false, startupMs: 0, logFile };
  }
  const built = ensureEngineJar(log);
  const { javaHome, version } = findJdk();
  mkdirSync(dir, { recursive: true });
  // The engine runs from a link of its own: a rebuild for changed sources never pulls the jar from
  // under a running engine (Spring Boot reads classes from it lazily).
  const jar = path.join(dir, 'telecom-engine.jar');
  rmSync(jar, { force: true });
  linkSync(built, jar);
  const out = openSync(logFile, 'a');
  const begin = Date.now();
  log(`starting the engine (Operaton ${OPERATON_VERSION}, JDK ${version}) at ${baseUrl} — log: ${path.relative(root, logFile)}`);
  const javaOpts = (process.env.ENGINE_JAVA_OPTS ?? DEFAULT_JAVA_OPTS).split(/\s+/).filter(Boolean);
  const child = spawn(path.join(javaHome, 'bin/java'), [...javaOpts, '-jar', jar], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      ENGINE_PORT: String(profile.port),
      ENGINE_JDBC_URL: profile.jdbc.jdbcUrl,
      ENGINE_JDBC_USER: profile.jdbc.username,
      ENGINE_JDBC_PASSWORD: profile.jdbc.password,
      ENGINE_CLOCK_CONTROL: String(profile.clockControl ?? false),
      ...profile.env,
    },
  });
  closeSync(out);
  child.unref();
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() - begin < timeoutMs) {
    if (exited !== null)
      throw new OperatonSetupError(`the engine exited with code ${exited} during startup; last log lines:\n${tail(logFile)}`);
    if (await isOperatonHealthy(baseUrl)) {
      const startupMs = Date.now() - begin;
      log(`engine ready after ${(startupMs / 1000).toFixed(1)} s`);
      return { baseUrl, pid: child.pid, started: true, startupMs, logFile };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new OperatonSetupError(`the engine did not answer within ${timeoutMs / 1000} s; last log lines:\n${tail(logFile)}`);
}

/** Stops a profile's engine: SIGTERM (a graceful stop: running commands end, then the pool closes), SIGKILL after 30 s. */
export async function stopOperaton(profile: Pick<OperatonProfile, 'name'>, log: Log = console.log): Promise<void> {
  const pidFile = path.join(profileDir(profile), 'engine.pid');
  const pid = readPid(pidFile);
  if (pid === undefined || !alive(pid)) {
    rmSync(pidFile, { force: true });
    return;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  log('engine stopped');
}

export function processRssMb(pid: number | undefined): number | undefined {
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

function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/** The engine's clock (tests: the engine started with clockControl). Timers fire from it. */
export function createOperatonClock(baseUrl: string) {
  const url = `${baseUrl.replace(/\/+$/, '')}/telecom/clock`;
  const call = async (method: string, suffix = '', body?: unknown) => {
    const res = await fetch(`${url}${suffix}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok)
      throw new Error(`engine clock ${method} ${suffix || '/'} answered ${res.status}; is the engine started with clock control?`);
    const text = await res.text();
    return text ? (JSON.parse(text) as { epochMilli: number }) : undefined;
  };
  return {
    async now(): Promise<Date> {
      return new Date((await call('GET'))!.epochMilli);
    },
    async advance(ms: number): Promise<Date> {
      return new Date((await call('POST', '/add', { offsetMilli: ms }))!.epochMilli);
    },
    async reset(): Promise<void> {
      await call('DELETE');
    },
  };
}
