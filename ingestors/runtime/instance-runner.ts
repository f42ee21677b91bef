import { setMaxListeners } from 'node:events';
import type { InstanceConfig } from '../../core/config.js';
import { isAppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { sleep } from '../../core/sleep.js';
import type { ConnectorDefinition, ConnectorInstance, CredentialCheck } from '../contract.js';
import { ActivityPoller } from './activity-poller.js';
import { withCallerSignal } from './caller-signal.js';
import { ChangePoller } from './change-poller.js';
import type { CursorStore } from './cursor-store.js';
import type { HttpClient } from './http-client.js';
import type { EventPublisher } from './publisher.js';
import { SnapshotScanner } from './snapshot-scanner.js';
import { newStreamStatus, type StreamStatus } from './stream-status.js';

const FAILED_SCAN_RETRY_MS = 60_000;

export type InstancePhase = 'starting' | 'validating' | 'scanning_accounts' | 'running' | 'error' | 'stopped';

export interface InstanceStatus {
  provider: string;
  instance: string;
  phase: InstancePhase;
  credentials: CredentialCheck | null;
  streams: StreamStatus[];
  http: ReturnType<HttpClient['stats']> | null;
}

export interface InstanceRunnerOptions {
  definition: ConnectorDefinition;
  instance: string;
  config: InstanceConfig;
  /** The instance's connector, shared with everything else in the process that talks to it (see `Connections`). */
  connector: ConnectorInstance;
  cursors: CursorStore;
  publisher: EventPublisher;
  /** Where the scans keep what they saw, to find deletions (`<dataDir>/scans`). */
  dataDir: string;
  log: Logger;
  /** How often a progress line is logged while the instance works. */
  progressIntervalMs?: number;
}

/**
 * Runs one connector instance: validates its credentials, scans accounts first, then polls
 * activities continuously and rescans snapshots periodically. A failure slows this instance only.
 */
export class InstanceRunner {
  private readonly abort = new AbortController();
  private readonly connector: ConnectorInstance;
  private readonly pollers: ActivityPoller[];
  private readonly scanners: SnapshotScanner[];
  private readonly changePollers: ChangePoller[];
  private readonly retryAt = new Map<SnapshotScanner, number>();
  private phase: InstancePhase = 'starting';
  private credentials: CredentialCheck | null = null;
  private running: Promise<void> | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  constructor(private readonly options: InstanceRunnerOptions) {
    const { definition, instance, config } = options;
    this.log = options.log.child({ component: 'connector', provider: definition.id, instance });
    // Every in-flight request and wait of the instance listens on this signal.
    setMaxListeners(1000, this.abort.signal);
    this.connector = options.connector;
    const ref = (stream: string) => ({ provider: definition.id, instance, stream });
    this.pollers = this.connector.activityStreams.map((s) => new ActivityPoller(
      ref(s.name), s, config.activities, options.cursors, options.publisher, newStreamStatus(s.name, 'activities'), this.log,
    ));
    this.scanners = this.connector.snapshotStreams.map((s) => new SnapshotScanner(
      ref(s.name), s, options.cursors, options.publisher, newStreamStatus(s.name, 'snapshot'), this.log, options.dataDir,
    ));
    this.changePollers = (this.connector.changeStreams ?? []).map((s) => {
      // A feed's removals are checked against what the scan of the same topic saw.
      const scanner = this.scanners.find((scan) => scan.topic === s.topic);
      return new ChangePoller(ref(s.name), s, options.cursors, options.publisher, newStreamStatus(s.name, 'changes'), this.log, scanner && ((ids) => scanner.known(ids)));
    });
  }

  get id(): string {
    return `${this.options.definition.id}.${this.options.instance}`;
  }

  status(): InstanceStatus {
    return {
      provider: this.options.definition.id,
      instance: this.options.instance,
      phase: this.phase,
      credentials: this.credentials,
      streams: [...this.scanners.map((s) => s.status), ...this.pollers.map((p) => p.status), ...this.changePollers.map((c) => c.status)],
      http: this.connector.http.stats(),
    };
  }

  start(): void {
    if (this.running) return;
    this.log.info({ streams: this.status().streams.map((s) => s.stream) }, 'connector instance starting');
    this.progressTimer = setInterval(() => this.logProgress(), this.options.progressIntervalMs ?? 5000);
    this.progressTimer.unref();
    // The connector is shared: stopping cancels this runner's requests (see `withCallerSignal`), not the others'.
    this.running = withCallerSignal(this.abort.signal, () => this.run()).catch((err) => {
      this.phase = 'error';
      this.log.error({ err }, 'connector instance stopped on an unexpected error');
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.progressTimer) clearInterval(this.progressTimer);
    await this.running;
    this.phase = 'stopped';
    this.logProgress();
    this.log.info('connector instance stopped');
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const { schedule } = this.options.config;
    this.phase = 'validating';
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        this.credentials = await this.connector.checkCredentials();
        if (this.credentials.ok) break;
        this.log.error({ missing: this.credentials.missing }, 'credentials refused; retrying later');
      } catch (err) {
        this.log.error({ err }, 'credential check failed; retrying later');
      }
      this.phase = 'error';
      await sleep(Math.min(60_000, 1000 * 2 ** attempt), signal);
    }
    if (signal.aborted) return;
    for (const missing of this.credentials?.missing ?? []) this.log.warn(missing, 'capability unavailable with these credentials');

    // Accounts first: the first scan of a large tenant takes long; activities and files follow it.
    this.phase = 'scanning_accounts';
    for (const scanner of this.scanners) {
      if (scanner.topic === 'account' && this.isDue(scanner)) await this.runStream(scanner.status, () => scanner.scan(signal));
    }
    this.phase = 'running';
    await Promise.all([
      this.pollLoop(this.pollers, schedule.activitiesEveryMs, signal),
      this.pollLoop(this.changePollers, schedule.changesEveryMs, signal),
      this.snapshotLoop(signal),
    ]);
  }

  /** Polls each stream, then waits `every` (or as long as the provider asked), until stopped. */
  private async pollLoop(pollers: ReadonlyArray<{ status: StreamStatus; poll(signal: AbortSignal): Promise<void> }>, every: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && pollers.length > 0) {
      let wait = every;
      for (const poller of pollers) {
        const throttledFor = await this.runStream(poller.status, () => poller.poll(signal));
        wait = Math.max(wait, throttledFor);
      }
      for (const poller of pollers) poller.status.nextRunAt = new Date(Date.now() + wait).toISOString();
      await sleep(wait, signal);
    }
  }

  private async snapshotLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.scanners.length > 0) {
      for (const s of this.scanners) s.status.nextRunAt = new Date(this.nextDue(s)).toISOString();
      await sleep(Math.min(...this.scanners.map((s) => this.nextDue(s))) - Date.now(), signal);
      for (const scanner of this.scanners) {
        if (signal.aborted || !this.isDue(scanner)) continue;
        const throttledFor = await this.runStream(scanner.status, () => scanner.scan(signal));
        // A failed scan is tried again later, not at once: after the provider's wait, or a minute.
        if (scanner.status.state === 'error') this.retryAt.set(scanner, Date.now() + Math.max(throttledFor, FAILED_SCAN_RETRY_MS));
        else this.retryAt.delete(scanner);
      }
    }
  }

  /** Accounts rescan every `accountsEveryMs`, files every `filesEveryMs`. */
  private nextDue(scanner: SnapshotScanner): number {
    const { schedule } = this.options.config;
    const due = (scanner.lastCompletedAt() ?? 0) + (scanner.topic === 'file' ? schedule.filesEveryMs : schedule.accountsEveryMs);
    return Math.max(due, this.retryAt.get(scanner) ?? 0);
  }

  private isDue(scanner: SnapshotScanner): boolean {
    return Date.now() >= this.nextDue(scanner);
  }

  /** Runs one pass of a stream and records its outcome; returns how long the provider asked us to wait, if it did. */
  private async runStream(status: StreamStatus, pass: () => Promise<void>): Promise<number> {
    status.state = 'running';
    status.lastRunStartedAt = new Date().toISOString();
    try {
      await pass();
      status.state = 'idle';
      status.lastSuccessAt = new Date().toISOString();
      status.lastError = null;
      return 0;
    } catch (err) {
      if (this.abort.signal.aborted) return 0;
      status.state = 'error';
      const code = isAppwardenError(err) ? err.code : 'AW_INTERNAL';
      status.lastError = { code, message: (err as Error).message, at: new Date().toISOString() };
      this.log.error({ err, stream: status.stream }, 'stream pass failed; the cursor stays at the last acknowledged page');
      const waitMs = isAppwardenError(err, 'AW_PROVIDER_THROTTLED') ? Number(err.details.waitMs ?? 0) : 0;
      return Number.isFinite(waitMs) ? waitMs : 0;
    }
  }

  private lastProgress = '';

  private logProgress(): void {
    const status = this.status();
    const totals = status.streams.reduce(
      (acc, s) => ({ fetched: acc.fetched + s.fetched, published: acc.published + s.published, deadLettered: acc.deadLettered + s.deadLettered }),
      { fetched: 0, published: 0, deadLettered: 0 },
    );
    const line = {
      phase: status.phase,
      ...totals,
      throttleWaits: status.http?.throttled ?? 0,
      throttleWaitMs: status.http?.throttleWaitMs ?? 0,
      freshness: Object.fromEntries(status.streams.filter((s) => s.kind === 'activities').map((s) => [s.stream, s.freshnessMs])),
    };
    const fingerprint = JSON.stringify({ ...line, freshness: undefined });
    if (fingerprint === this.lastProgress) return;
    this.lastProgress = fingerprint;
    this.log.info(line, 'progress');
  }
}
