import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, closeSync, openSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppwardenError } from './errors.js';
import { probeKafka } from './kafka.js';
import { acquireLock, freePort, isAlive, isPortFree, readNumber, signal, sleep, tail, waitUntil } from './local-process.js';
import type { KafkaSecurity } from './kafka-security.js';
import { ensureKafkaJars } from './local-kafka-jars.js';
import { localKafkaPaths, type LocalKafkaPaths } from './local-kafka-paths.js';
import { otherBrokerUsers, registerBrokerUser } from './local-kafka-users.js';
import { localSecurity } from './local-kafka-sasl.js';
import { formatStorage, serverProperties } from './local-kafka-storage.js';
import { ensurePrivateDir, writePrivateFile } from './private-files.js';
import type { Logger } from './logger.js';

/**
 * A single-node Apache Kafka broker (KRaft, broker and controller in one JVM, loopback only) run
 * from the broker's jars on Maven Central. It runs detached, so tests and `npm start` share it;
 * its state lives in a data folder: server.properties, broker.pid, broker.port, broker.log, logs/.
 */

export interface LocalKafkaOptions {
  /** The project folder; holds scripts/kafka/pom.xml and scripts/kafka/log4j2.xml. */
  projectRoot: string;
  /** Broker state and data. Default `<projectRoot>/.data/kafka`. */
  dataDir?: string;
  /** Where the jars are kept (in `libs/`). Default `<projectRoot>/.cache/kafka`. */
  cacheDir?: string;
  /** Client port on 127.0.0.1. Default: the port of the last run when free, else any free port. */
  port?: number;
  log: Logger;
  /** How long the broker may take to answer after it was started. Default 60 s. */
  startTimeoutMs?: number;
  /** How long to wait for another process that is starting the broker. Default 10 min (it may be fetching jars). */
  lockTimeoutMs?: number;
  /** JVM options of the broker. Default a 512 MB-1 GB heap (a test suite creates thousands of partitions). */
  javaOptions?: string[];
  /**
   * Clients must authenticate with SASL/SCRAM-SHA-256. The credentials are generated when the
   * storage is formatted and kept in the data folder (0600); `KafkaBrokers.security` carries them.
   */
  saslScram?: boolean;
}

export interface KafkaBrokers {
  brokers: string[];
  /** True when this call started the broker (and `stop` will stop it). */
  startedHere: boolean;
  /** Stops the broker if this call started it and no other live process uses it; otherwise only leaves it. */
  stop(): Promise<void>;
  /** What clients need to connect: set when the broker requires SASL. */
  security?: KafkaSecurity;
}

/** Brokers named in `KAFKA_BROKERS` (comma-separated host:port), or undefined when it is not set. */
export function configuredKafkaBrokers(env: NodeJS.ProcessEnv): string[] | undefined {
  const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter((b) => b !== '');
  return brokers.length > 0 ? brokers : undefined;
}

/** Local broker options from the environment: APPWARDEN_DATA_DIR, APPWARDEN_CACHE_DIR, KAFKA_PORT. */
export function localKafkaOptionsFromEnv(env: NodeJS.ProcessEnv, projectRoot: string, log: Logger): LocalKafkaOptions {
  const port = env.KAFKA_PORT ? Number(env.KAFKA_PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new AppwardenError('AW_CONFIG_INVALID', `KAFKA_PORT: not a port number: ${env.KAFKA_PORT}`);
  }
  const sasl = env.KAFKA_LOCAL_SASL?.trim().toLowerCase();
  if (sasl && !['scram', 'none', ''].includes(sasl)) {
    throw new AppwardenError('AW_CONFIG_INVALID', `KAFKA_LOCAL_SASL: scram or none, not ${env.KAFKA_LOCAL_SASL}`);
  }
  return {
    projectRoot,
    log,
    ...(sasl === 'scram' ? { saslScram: true } : {}),
    ...(env.APPWARDEN_DATA_DIR ? { dataDir: join(env.APPWARDEN_DATA_DIR, 'kafka') } : {}),
    ...(env.APPWARDEN_CACHE_DIR ? { cacheDir: join(env.APPWARDEN_CACHE_DIR, 'kafka') } : {}),
    ...(port === undefined ? {} : { port }),
  };
}

/** The brokers of `KAFKA_BROKERS` when set (nothing is started), else the local broker, started if needed. */
export async function resolveKafkaBrokers(env: NodeJS.ProcessEnv, options: LocalKafkaOptions): Promise<KafkaBrokers> {
  const brokers = configuredKafkaBrokers(env);
  if (brokers) return { brokers, startedHere: false, stop: async () => undefined };
  return ensureLocalKafka(options);
}

/**
 * Makes sure the local broker runs and answers: reuses a running one, otherwise fetches the jars
 * (first run), formats the storage (first run) and starts it.
 */
export async function ensureLocalKafka(options: LocalKafkaOptions): Promise<KafkaBrokers> {
  const paths = localKafkaPaths(options);
  const log = options.log.child({ component: 'local-kafka' });
  await ensurePrivateDir(paths.dataDir);
  const security = await localSecurity(paths, options.saslScram ?? false);
  // Registered as a user of the broker until `stop`: whoever started it leaves it running for us.
  const leave = await registerBrokerUser(paths.dataDir);
  const reused = (brokers: string[]): KafkaBrokers => ({
    brokers, startedHere: false, stop: leave, ...(security ? { security } : {}),
  });

  const running = await runningBroker(paths, security);
  if (running) {
    log.info({ brokers: running }, 'reusing broker');
    return reused(running);
  }

  const release = await acquireLock(paths.lockFile, options.lockTimeoutMs ?? 600_000, log);
  try {
    // Another process may have started it while we waited for the lock.
    const startedMeanwhile = await runningBroker(paths, security);
    if (startedMeanwhile) {
      log.info({ brokers: startedMeanwhile }, 'reusing broker');
      return reused(startedMeanwhile);
    }
    const stale = await readNumber(paths.pidFile);
    if (stale !== undefined && (await isBrokerProcess(stale, paths))) {
      log.warn({ pid: stale }, 'a broker runs on this data folder but does not answer; restarting it');
      await stopLocalKafka(options);
    }
    await ensureKafkaJars(options);
    const port = await choosePort(paths, options.port);
    // Holds the broker's own SCRAM password when SASL is on.
    await writePrivateFile(paths.serverProperties, serverProperties(paths, port, await freePort(port), security?.sasl));
    await formatStorage(paths, log, security?.sasl);
    const brokers = await startBroker(paths, port, options, log, security);
    const stop = async () => {
      await leave();
      const others = await otherBrokerUsers(paths.dataDir);
      if (others.length > 0) log.info({ users: others }, 'broker left running: other processes still use it');
      else await stopLocalKafka(options);
    };
    return { brokers, startedHere: true, stop, ...(security ? { security } : {}) };
  } finally {
    await release();
  }
}

/** Whether the local broker of this data folder runs and answers, and where. Starts nothing. */
export async function localKafkaStatus(
  options: Pick<LocalKafkaOptions, 'projectRoot' | 'dataDir'>,
): Promise<{ running: true; brokers: string[] } | { running: false }> {
  const paths = localKafkaPaths(options);
  const brokers = await runningBroker(paths, await localSecurity(paths, false));
  return brokers ? { running: true, brokers } : { running: false };
}

/**
 * Stops the local broker of this data folder: SIGTERM, then SIGKILL past the deadline. Resolves with
 * whether a broker was running.
 */
export async function stopLocalKafka(
  options: Pick<LocalKafkaOptions, 'projectRoot' | 'dataDir' | 'log'> & { timeoutMs?: number },
): Promise<boolean> {
  const paths = localKafkaPaths(options);
  const log = options.log.child({ component: 'local-kafka' });
  const pid = await readNumber(paths.pidFile);
  if (pid === undefined || !(await isBrokerProcess(pid, paths))) {
    await rm(paths.pidFile, { force: true });
    return false;
  }
  const started = Date.now();
  signal(pid, 'SIGTERM');
  if (!(await waitUntil(() => !isAlive(pid), options.timeoutMs ?? 30_000))) {
    log.warn({ pid }, 'broker did not stop in time, killing it');
    signal(pid, 'SIGKILL');
    await waitUntil(() => !isAlive(pid), 10_000);
  }
  await rm(paths.pidFile, { force: true });
  log.info({ pid, ms: Date.now() - started }, 'broker stopped');
  return true;
}

async function startBroker(paths: LocalKafkaPaths, port: number, options: LocalKafkaOptions, log: Logger, security: KafkaSecurity | undefined): Promise<string[]> {
  const started = Date.now();
  const brokers = [`127.0.0.1:${port}`];
  const out = openSync(paths.brokerLog, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND);
  let child: ChildProcess;
  try {
    child = spawn(
      'java',
      [
        ...(options.javaOptions ?? ['-Xmx1g', '-Xms512m']),
        '-XX:+UseG1GC', '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${paths.log4jConfig}`, '-Dlog4j2.shutdownHookEnabled=false',
        '-cp', join(paths.libsDir, '*'), 'kafka.Kafka', paths.serverProperties,
      ],
      { detached: true, stdio: ['ignore', out, out], cwd: paths.dataDir },
    );
  } finally {
    closeSync(out);
  }
  let exit: string | undefined;
  child.on('exit', (code, sig) => (exit = sig ? `killed by ${sig}` : `exit ${code}`));
  const spawnFailed = new Promise<Error>((resolve) => child.on('error', resolve));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw startFailure(`could not run java: ${(await spawnFailed).message}`, paths);
  await writeFile(paths.pidFile, `${pid}\n`);
  await writeFile(paths.portFile, `${port}\n`);

  const deadline = started + (options.startTimeoutMs ?? 60_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exit) {
      await rm(paths.pidFile, { force: true });
      throw startFailure(`the broker stopped during start-up (${exit})`, paths, await logTail(paths));
    }
    try {
      await probeKafka(brokers, { timeoutMs: 2000, ...(security ? { security } : {}) });
      log.info({ pid, brokers }, `broker started on ${brokers[0]} in ${Date.now() - started} ms`);
      return brokers;
    } catch (err) {
      lastError = err;
      await sleep(250);
    }
  }
  signal(pid, 'SIGKILL');
  await rm(paths.pidFile, { force: true });
  throw startFailure(`the broker did not answer within ${options.startTimeoutMs ?? 60_000} ms`, paths, await logTail(paths), lastError);
}

function startFailure(reason: string, paths: LocalKafkaPaths, logTailText = '', cause?: unknown): AppwardenError {
  const text = logTailText ? `\n--- last lines of ${paths.brokerLog} ---\n${logTailText}` : '';
  return new AppwardenError('AW_LOCAL_STACK_FAILED', `local Kafka: ${reason}${text}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { brokerLog: paths.brokerLog },
  });
}

/** The brokers of the broker recorded in this data folder, when it runs and answers. */
async function runningBroker(paths: LocalKafkaPaths, security: KafkaSecurity | undefined): Promise<string[] | undefined> {
  const pid = await readNumber(paths.pidFile);
  const port = await readNumber(paths.portFile);
  if (pid === undefined || port === undefined || !(await isBrokerProcess(pid, paths))) return undefined;
  const brokers = [`127.0.0.1:${port}`];
  // A broker that another process is still starting does not answer yet: the lock makes us wait for it.
  return probeKafka(brokers, { timeoutMs: 3000, ...(security ? { security } : {}) }).then(
    () => brokers,
    () => undefined,
  );
}

async function choosePort(paths: LocalKafkaPaths, wanted: number | undefined): Promise<number> {
  if (wanted !== undefined) {
    if (!(await isPortFree(wanted))) {
      throw new AppwardenError('AW_LOCAL_STACK_FAILED', `local Kafka: port ${wanted} on 127.0.0.1 is in use`);
    }
    return wanted;
  }
  const previous = await readNumber(paths.portFile);
  if (previous !== undefined && (await isPortFree(previous))) return previous;
  return freePort();
}

/** True when `pid` is alive and, where /proc tells, is the broker of these paths (pids get reused). */
async function isBrokerProcess(pid: number, paths: LocalKafkaPaths): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined || (cmdline.includes('kafka.Kafka') && cmdline.includes(paths.serverProperties));
}

async function logTail(paths: LocalKafkaPaths): Promise<string> {
  return tail(await readFile(paths.brokerLog, 'utf8').catch(() => ''), 30);
}

