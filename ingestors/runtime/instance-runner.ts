import { setMaxListeners } from 'node:events';
import { isAppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { linkSignals } from '../../core/linked-signal.js';
import { sleep } from '../../core/sleep.js';
import type { ConnectorInstance } from '../contract.js';
import { withCallerSignal } from './caller-signal.js';
import { CursorStore } from './cursor-store.js';
import { FailedPassLog } from './failed-pass-log.js';
import { UnknownEventTypes } from './unknown-event-types.js';
import { progressLine, savedStatusOf, STATUS_STREAM, type InstancePhase, type InstanceStatus } from './instance-status.js';
import { instanceTasks, type InstanceTaskSources } from './instance-tasks.js';
import { isPermissionRefusal, permissionGateOf, type PermissionGate } from './permission-gate.js';
import { StatusWriter } from './status-writer.js';
import { completedScanOf, feedRestartsOf } from './stream-status.js';
import type { LaneKind, StreamTask } from './stream-task.js';

// setTimeout takes at most 2^31-1 ms; a lane with nothing due sleeps until woken.
const MAX_SLEEP_MS = 2_147_483_647;

export interface InstanceRunnerOptions extends InstanceTaskSources {
  /** The instance's connector, shared with everything else in the process that talks to it (see `Connections`). */
  connector: ConnectorInstance;
  log: Logger;
  /** How often a progress line is logged while the instance works. */
  progressIntervalMs?: number;
  /** The process running it (`host:pid`), shown in `/v1/connectors`. */
  worker?: string;
}

/**
 * Runs one connector instance: validates its credentials, scans accounts first, then runs one lane
 * per kind of work (account scans, file scans, activity polls, change polls), so that an hours-long
 * file scan delays neither the account rescan nor the polls. A stream refused for a permission
 * waits for the periodic permission check while the others go on. A failure slows this instance only.
 */
export class InstanceRunner {
  private readonly abort = new AbortController();
  private readonly connector: ConnectorInstance;
  private readonly tasks: StreamTask[];
  private readonly gate: PermissionGate;
  private phase: InstancePhase = 'starting';
  private running: Promise<void> | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  /** Aborted to wake every sleeping lane (after a permission check). */
  private wakeUp = new AbortController();
  /** Scan tasks asked for now (`scanNow`), run at their lane's next turn whatever their schedule. */
  private readonly forced = new Set<string>();
  private readonly statusWriter: StatusWriter;
  private readonly log: Logger;
  private readonly unknownTypes = new UnknownEventTypes();
  private readonly failedPasses: FailedPassLog;

  constructor(private readonly options: InstanceRunnerOptions) {
    const { definition, instance, config } = options;
    this.log = options.log.child({ component: 'connector', provider: definition.id, instance });
    this.failedPasses = new FailedPassLog(this.log);
    this.gate = permissionGateOf(config);
    // Every in-flight request and wait of the instance listens on this signal.
    setMaxListeners(1000, this.abort.signal);
    this.connector = options.connector;
    this.tasks = instanceTasks(options, this.unknownTypes, this.log, () => this.wakeLanes());
    this.statusWriter = new StatusWriter(options.cursors, CursorStore.key(definition.id, instance, STATUS_STREAM), this.log);
  }

  get id(): string {
    return `${this.options.definition.id}.${this.options.instance}`;
  }

  status(): InstanceStatus {
    const { definition, instance, cursors } = this.options;
    return {
      provider: definition.id,
      instance,
      phase: this.phase,
      credentials: this.gate.credentials(),
      streams: this.tasks.map((t) => {
        const position = () => cursors.get(CursorStore.key(definition.id, instance, t.name))?.position;
        if (t.status.kind === 'snapshot') return { ...t.status, lastCompletedScan: completedScanOf(position()) };
        return t.status.kind === 'changes' ? { ...t.status, feedRestarts: feedRestartsOf(position()) } : { ...t.status };
      }),
      http: this.connector.http.stats(),
      unknownEventTypes: this.unknownTypes.list(),
      source: 'runner',
      ...(this.options.worker ? { worker: this.options.worker } : {}),
    };
  }

  start(): void {
    if (this.running) return;
    this.log.info({ streams: this.tasks.map((t) => t.name) }, 'connector instance starting');
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
    this.saveStatus();
    await this.statusWriter.flushed();
    this.log.info('connector instance stopped');
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    this.phase = 'validating';
    for (let attempt = 0; !signal.aborted; attempt++) {
      if (await this.checkCredentials()) break;
      this.phase = 'error';
      this.saveStatus();
      await sleep(Math.min(60_000, 1000 * 2 ** attempt), signal);
    }
    if (signal.aborted) return;

    // Accounts first: the first scan of a large tenant takes long; the other lanes start after it.
    this.phase = 'scanning_accounts';
    this.saveStatus();
    let accountsScanned!: () => void;
    const accountsFirst = new Promise<void>((resolve) => { accountsScanned = resolve; });
    const lanes: LaneKind[] = ['accounts', 'files', 'activities', 'changes'];
    await Promise.all([
      ...lanes.map(async (kind) => {
        const tasks = this.tasks.filter((t) => t.lane === kind);
        if (kind !== 'accounts') await accountsFirst;
        await this.lane(tasks, signal, kind === 'accounts' ? accountsScanned : () => undefined);
      }),
      accountsFirst.then(() => {
        if (signal.aborted) return;
        this.phase = 'running';
        this.saveStatus();
      }),
      this.recheckPermissions(signal),
    ]);
  }

  /** Runs each due task of a lane in turn, then sleeps until the next is due or a permission check wakes it. */
  private async lane(tasks: StreamTask[], signal: AbortSignal, afterFirstRound: () => void): Promise<void> {
    let first = true;
    while (!signal.aborted) {
      for (const task of tasks) {
        if (signal.aborted) break;
        if (!this.gate.mayRun(task.name, task.stream)) {
          task.status.state = 'missing_permission';
          continue;
        }
        if (Date.now() >= task.dueAt() || this.forced.delete(task.name)) await this.runTask(task);
      }
      if (first) afterFirstRound();
      first = false;
      const runnable = tasks.filter((t) => this.gate.mayRun(t.name, t.stream));
      for (const task of tasks) task.status.nextRunAt = runnable.includes(task) ? new Date(task.dueAt()).toISOString() : null;
      const next = Math.min(...runnable.map((t) => t.dueAt()));
      const wake = linkSignals([signal, this.wakeUp.signal]);
      await sleep(Math.min(MAX_SLEEP_MS, Math.max(0, next - Date.now())), wake.signal).finally(wake.dispose);
    }
  }

  /** Runs the scans of these kinds (accounts, files) now, whatever their schedule; answers the streams it woke. */
  scanNow(kinds: readonly ('accounts' | 'files')[]): string[] {
    const tasks = this.tasks.filter((t) => (kinds as readonly string[]).includes(t.lane));
    for (const task of tasks) this.forced.add(task.name);
    this.wakeLanes();
    return tasks.map((t) => t.name);
  }

  private wakeLanes(): void {
    const wake = this.wakeUp;
    this.wakeUp = new AbortController();
    wake.abort();
  }

  /** Runs one pass of a stream and records its outcome. */
  private async runTask(task: StreamTask): Promise<void> {
    const { status } = task;
    status.state = 'running';
    status.lastRunStartedAt = new Date().toISOString();
    try {
      await task.pass(this.abort.signal);
      if (this.abort.signal.aborted) return;
      status.state = 'idle';
      status.lastSuccessAt = new Date().toISOString();
      status.lastError = null;
      if (status.notAvailable) {
        this.log.info({ stream: task.name }, 'the stream is available to this tenant again; it resumes');
        delete status.notAvailable;
      }
      if (this.gate.succeeded(task.name)) this.log.info({ stream: task.name, permission: task.stream.permission }, 'permission granted again; the stream resumes');
      this.failedPasses.succeeded(task.name);
      task.passed({ failed: false, refused: false, waitMs: 0 }, Date.now());
    } catch (err) {
      if (this.abort.signal.aborted) return;
      const unavailable = task.stream.unavailable?.(err) ?? null;
      if (unavailable !== null) {
        this.notAvailable(task, unavailable);
        this.saveStatus();
        return;
      }
      const code = isAppwardenError(err) ? err.code : 'AW_INTERNAL';
      status.lastError = { code, message: (err as Error).message, at: new Date().toISOString() };
      const refused = isPermissionRefusal(err);
      if (refused) {
        status.state = 'missing_permission';
        this.gate.refused(task.name, task.stream, err);
        this.log.warn({ stream: task.name, permission: task.stream.permission, capabilities: task.stream.capabilities }, 'the provider refused the stream a permission; it waits for the next permission check');
      } else {
        status.state = 'error';
        this.failedPasses.failed(task.name, err);
      }
      const waitMs = isAppwardenError(err, 'AW_PROVIDER_THROTTLED') ? Number(err.details.waitMs ?? 0) : 0;
      task.passed({ failed: true, refused, waitMs: Number.isFinite(waitMs) ? waitMs : 0 }, Date.now());
    }
    this.saveStatus();
  }

  /**
   * The tenant lacks what the stream reads: not a failure (no error, health unchanged), and no
   * retries: the next pass is `unavailableRecheckMs` away.
   */
  private notAvailable(task: StreamTask, reason: string): void {
    const { status } = task;
    if (status.state !== 'running' || !status.notAvailable) this.log.info({ stream: task.name, reason }, 'the stream is not available for this tenant; it is checked again later');
    status.state = 'not_available';
    status.notAvailable = { reason, since: status.notAvailable?.since ?? new Date().toISOString() };
    status.lastError = null;
    task.passed({ failed: false, refused: false, waitMs: this.options.config.schedule.unavailableRecheckMs }, Date.now());
  }

  /** Checks the credentials again every `permissionsRecheckMs`; refused streams then try again. */
  private async recheckPermissions(signal: AbortSignal): Promise<void> {
    const every = this.options.config.schedule.permissionsRecheckMs;
    while (!signal.aborted) {
      await sleep(every, signal);
      if (signal.aborted) return;
      await this.checkCredentials();
      this.wakeLanes();
    }
  }

  /** Runs the connector's credential check; true when the credentials were accepted. */
  private async checkCredentials(): Promise<boolean> {
    try {
      const check = await this.connector.checkCredentials();
      const { lost, regained } = this.gate.checked(check);
      for (const missing of check.missing.filter((m) => lost.includes(m.capability))) this.log.warn(missing, 'capability unavailable with these credentials');
      if (regained.length > 0) this.log.info({ capabilities: regained }, 'capabilities available again');
      if (!check.ok) this.log.error({ missing: check.missing }, 'credentials refused; retrying later');
      this.saveStatus();
      return check.ok;
    } catch (err) {
      if (!this.abort.signal.aborted) this.log.error({ err }, 'credential check failed; retrying later');
      return false;
    }
  }

  /** Records the phase, missing permissions and stream states in the cursors topic when they changed, for API processes that do not run this instance. */
  private saveStatus(): void {
    this.statusWriter.save(savedStatusOf(this.status(), this.phase, this.options.worker));
  }

  private lastProgress = '';

  private logProgress(): void {
    const line = progressLine(this.status());
    const fingerprint = JSON.stringify({ ...line, freshness: undefined });
    if (fingerprint === this.lastProgress) return;
    this.lastProgress = fingerprint;
    this.log.info(line, 'progress');
  }
}
