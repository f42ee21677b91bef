import type { KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import type { Connections } from './connections.js';
import { CursorStore } from './cursor-store.js';
import { InstanceRunner } from './instance-runner.js';
import type { InstanceStatus } from './instance-status.js';
import { EventPublisher } from './publisher.js';

export interface ConnectorRuntimeOptions {
  /** The process's connections: the runners use the instances' connectors from there. */
  connections: Connections;
  bus: KafkaBus;
  /** The data folder; scans keep what they saw under `<dataDir>/scans`. */
  dataDir: string;
  log: Logger;
  progressIntervalMs?: number;
}

/**
 * Runs every configured connector instance of this process, with one shared cursor store. Instances
 * are added, restarted with new settings and stopped while it runs (`apply`), as connections change.
 */
export class ConnectorRuntime {
  private readonly runners = new Map<string, InstanceRunner>();
  private readonly cursors: CursorStore;
  private readonly log: Logger;
  private readonly publisher: EventPublisher;
  /** Instances that stay stopped (paused or disconnected at run time). */
  private readonly held = new Set<string>();
  private started = false;
  /** Applies one change at a time: a stop finishes before the next start of the same instance. */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly options: ConnectorRuntimeOptions) {
    this.log = options.log.child({ component: 'connector-runtime' });
    this.cursors = new CursorStore(options.bus, this.log);
    this.publisher = new EventPublisher(options.bus);
  }

  async start(): Promise<void> {
    await this.cursors.load();
    this.started = true;
    for (const { provider, instance } of this.options.connections.configured()) this.startRunner(provider, instance);
    this.log.info({ instances: [...this.runners.keys()] }, 'connector runtime started');
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.applying;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
  }

  /**
   * After `Connections` changed an instance: stops its runner, and starts a new one with the current
   * settings unless the instance is gone, disabled or `hold` (paused, disconnected).
   */
  apply(provider: string, instance: string, options: { hold: boolean }): Promise<void> {
    const key = `${provider}.${instance}`;
    if (options.hold) this.held.add(key);
    else this.held.delete(key);
    this.applying = this.applying.then(async () => {
      const running = this.runners.get(key);
      if (running) {
        this.runners.delete(key);
        await running.stop();
      }
      if (this.started) this.startRunner(provider, instance);
    }).catch((err) => this.log.error({ err, provider, instance }, 'a connection change could not be applied'));
    return this.applying;
  }

  /** Runs the scans of these kinds now; false when this process does not run the instance. */
  scanNow(provider: string, instance: string, kinds: readonly ('accounts' | 'files')[]): boolean {
    const runner = this.runners.get(`${provider}.${instance}`);
    if (!runner) return false;
    this.log.info({ provider, instance, kinds, streams: runner.scanNow(kinds) }, 'scan asked for');
    return true;
  }

  statuses(): InstanceStatus[] {
    return [...this.runners.values()].map((r) => r.status());
  }

  private startRunner(provider: string, instance: string): void {
    const { connections } = this.options;
    const found = connections.find(provider, instance);
    const key = `${provider}.${instance}`;
    if (!found || this.held.has(key)) return;
    if (!found.config.enabled) {
      this.log.info({ provider, instance }, 'connector instance disabled in configuration');
      return;
    }
    const runner = new InstanceRunner({
      definition: found.definition, instance, config: found.config, connector: connections.get(provider, instance), cursors: this.cursors,
      publisher: this.publisher, dataDir: this.options.dataDir, log: this.options.log, progressIntervalMs: this.options.progressIntervalMs,
    });
    this.runners.set(key, runner);
    runner.start();
  }
}
