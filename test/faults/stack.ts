/**
 * The fault suite's Appwarden: its own Kafka broker (a fresh data folder and port: the shared broker is
 * never touched) and one process per role group, each `appwarden start --roles ...` as an operator
 * runs a scaled-out deployment. Processes can be killed (SIGKILL), stopped (SIGTERM) and restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLocalKafka, stopLocalKafka } from '../../core/local-kafka.js';
import { freePort, isAlive, readNumber, signal, waitUntil } from '../../core/local-process.js';
import type { Logger } from '../../core/logger.js';
import { poll } from './tenants.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The processes. In embedded ClickHouse mode chdb binds one data folder per process, so the sink and
 * the API share one (`store`); the other roles run alone.
 */
export const PROCESSES = {
  connectors: ['connectors'], policy: ['policy'], governance: ['governance'], store: ['sink', 'api'],
  // A second connector worker, started only by the takeover case.
  connectors2: ['connectors'],
} as const;
export type ProcessName = keyof typeof PROCESSES;

export class FaultBroker {
  readonly dataDir: string;
  brokers: string[] = [];
  private port = 0;

  constructor(private readonly log: Logger, root: string) {
    this.dataDir = path.join(root, 'kafka');
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    const started = await ensureLocalKafka({ projectRoot: ROOT, dataDir: this.dataDir, port: this.port, log: this.log, javaOptions: ['-Xmx512m', '-Xms128m'] });
    this.brokers = started.brokers;
  }

  /** SIGTERM (a clean stop) or SIGKILL. */
  async stop(how: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (how === 'SIGTERM') {
      await stopLocalKafka({ projectRoot: ROOT, dataDir: this.dataDir, log: this.log });
      return;
    }
    const pid = await readNumber(path.join(this.dataDir, 'broker.pid'));
    if (pid === undefined) return;
    signal(pid, 'SIGKILL');
    await waitUntil(() => !isAlive(pid), 10_000);
  }
}

export interface StackOptions {
  log: Logger;
  broker: FaultBroker;
  root: string;
  connectors: Record<string, Record<string, unknown>>;
  /** Role processes get this on top (the soak sets a log level, say). */
  env?: NodeJS.ProcessEnv;
}

export class FaultStack {
  readonly adminKey = `faults-admin-${randomBytes(24).toString('hex')}`;
  readonly configFile: string;
  readonly children = new Map<ProcessName, ChildProcess>();
  apiUrl = '';
  readonly topicPrefix = `faults${randomBytes(3).toString('hex')}`;
  private apiPort = 0;

  readonly log: Logger;

  constructor(private readonly options: StackOptions) {
    this.log = options.log;
    this.configFile = path.join(options.root, 'appwarden.json');
  }

  async writeConfig(): Promise<void> {
    this.apiPort ||= await freePort();
    this.apiUrl = `http://127.0.0.1:${this.apiPort}`;
    const config = {
      // The shortest session the brokers allow: after a broker restart, a group re-forms once the sessions of its
      // members from before the restart end (6 s, not 30).
      kafka: { brokers: this.options.broker.brokers, topicPrefix: this.topicPrefix, partitions: 3, replicationFactor: 1, consumerSessionTimeoutMs: 6000 },
      clickhouse: { database: 'faults', dataDir: path.join(this.options.root, 'chdb') },
      sink: { groupId: `${this.topicPrefix}-sink`, maxBatchRows: 5000, flushIntervalMs: 200 },
      api: { host: '127.0.0.1', port: this.apiPort, adminKey: this.adminKey },
      dataDir: path.join(this.options.root, 'data'),
      governance: { signingKey: randomBytes(32).toString('base64url') },
      simulate: false,
      // The shortest takeover the configuration allows: a SIGKILLed worker's session ends after 6 s, not 15.
      connectorWorkers: { takeoverTimeoutMs: 12_000 },
      connectors: this.options.connectors,
    };
    writeFileSync(this.configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
  }

  start(name: ProcessName): ChildProcess {
    const logFile = path.join(this.options.root, `${name}.log`);
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/appwarden.mjs'), 'start', '--roles', PROCESSES[name].join(',')], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: '', APPWARDEN_CONFIG: this.configFile, LOG_FORMAT: 'json', LOG_LEVEL: 'warn', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // pino writes to stdout; a crash's trace goes to stderr. Appended as they come: a long run's log is not held here.
    writeFileSync(logFile, '');
    const append = (b: Buffer) => appendFileSync(logFile, b);
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.children.set(name, child);
    return child;
  }

  async startAll(): Promise<void> {
    // The store first: the API must answer before anything is checked.
    this.start('store');
    for (const name of ['policy', 'governance', 'connectors'] as const) this.start(name);
    await this.waitApi();
  }

  async kill(name: ProcessName, how: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(how);
    await exited;
  }

  async restart(name: ProcessName): Promise<void> {
    this.start(name);
    if (name === 'store') await this.waitApi();
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.children.keys()].reverse()) await this.kill(name, 'SIGTERM');
  }

  async waitApi(): Promise<void> {
    const ok = await poll(async () => (await this.get('/v1/connectors')).status === 200, 180_000);
    if (!ok) throw new Error(`the API did not answer within 3 minutes; see ${path.join(this.options.root, 'store.log')}`);
  }

  async get<T = unknown>(url: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.apiUrl}${url}`, { headers: { authorization: `Bearer ${this.adminKey}` }, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, body: (await res.json()) as T };
  }

  async post<T = unknown>(url: string, body: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.apiUrl}${url}`, {
      method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(30_000),
      headers: { authorization: `Bearer ${this.adminKey}`, 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async logTail(name: ProcessName): Promise<string> {
    return (await readFile(path.join(this.options.root, `${name}.log`), 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
  }
}

export function freshRoot(what: string): string {
  return mkdtempSync(path.join(tmpdir(), `appwarden-${what}-`));
}
