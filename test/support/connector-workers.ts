import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { partitionOfKey } from '../../core/kafka.js';
import type { AppConfig } from '../../core/config.js';
import { freshDir } from './fresh.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** One `appwarden start --roles connectors` process and the JSON log lines it wrote. */
export interface ConnectorWorker {
  child: ChildProcess;
  /** `host:pid`, as `/v1/connectors` names it. */
  label: string;
  lines: Array<Record<string, unknown>>;
  /** Where its log goes, whole. */
  logFile: string;
  exited: Promise<void>;
}

/** A configuration file for connector workers: the test's Kafka, connectors and takeover bound; no simulated tenants. */
export function workerConfigFile(config: AppConfig, takeoverTimeoutMs: number): string {
  const file = path.join(freshDir('appwarden-workers'), 'appwarden.json');
  writeFileSync(file, JSON.stringify({ kafka: config.kafka, connectors: config.connectors, connectorWorkers: { takeoverTimeoutMs }, simulate: false }), { mode: 0o600 });
  return file;
}

/** Starts a connector worker in its own process, with its own data folder (as on its own machine). */
export function startConnectorWorker(configFile: string): ConnectorWorker {
  const dataDir = freshDir('appwarden-worker-data');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/appwarden.mjs'), 'start', '--roles', 'connectors'], {
    cwd: ROOT,
    env: { ...process.env, APPWARDEN_CONFIG: configFile, APPWARDEN_DATA_DIR: dataDir, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const worker: ConnectorWorker = {
    child, label: `${hostname()}:${child.pid}`, lines: [], logFile: path.join(dataDir, 'worker.log'),
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
  };
  // A test runner that gives up on a file exits without its cleanups: the worker goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void worker.exited.then(() => process.off('exit', killOnExit));
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    appendFileSync(worker.logFile, chunk);
    const text = rest + chunk.toString();
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      try {
        worker.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  return worker;
}

export interface RunInterval { worker: string; instance: string; startedAt: number; stoppedAt: number | null }

/** When each worker ran each instance, from its `connector instance starting` / `stopped` lines. */
export function runIntervals(workers: readonly ConnectorWorker[]): RunInterval[] {
  const out: RunInterval[] = [];
  for (const w of workers) {
    for (const line of w.lines) {
      if (line.component !== 'connector' || typeof line.instance !== 'string') continue;
      const at = Date.parse(String(line.time));
      if (line.msg === 'connector instance starting') out.push({ worker: w.label, instance: line.instance, startedAt: at, stoppedAt: null });
      if (line.msg === 'connector instance stopped') {
        const open = out.find((i) => i.worker === w.label && i.instance === line.instance && i.stoppedAt === null);
        if (open) open.stoppedAt = at;
      }
    }
  }
  return out;
}

/** Pairs of intervals in which two workers ran one instance at the same time (a killed worker's last one never ends). */
export function overlaps(intervals: readonly RunInterval[], killedAt: ReadonlyMap<string, number> = new Map()): string[] {
  const end = (i: RunInterval) => i.stoppedAt ?? killedAt.get(i.worker) ?? Number.POSITIVE_INFINITY;
  const found: string[] = [];
  for (const a of intervals) {
    for (const b of intervals) {
      if (a === b || a.instance !== b.instance || a.worker >= b.worker) continue;
      if (a.startedAt < end(b) && b.startedAt < end(a)) found.push(`${a.instance}: ${a.worker} and ${b.worker}`);
    }
  }
  return found;
}

/** Okta instance ids, one in each partition of the owners topic, so that every worker is given some. */
export function instancePerPartition(partitions: number, provider = 'okta'): string[] {
  const chosen = new Map<number, string>();
  for (let i = 0; chosen.size < partitions; i++) {
    const id = `w${i}`;
    const p = partitionOfKey(`${provider}/${id}`, partitions);
    if (!chosen.has(p)) chosen.set(p, id);
  }
  return [...chosen.values()];
}
