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
  /** Which instances this process may run, when several connector workers share them (see `ConnectorOwners`); all without. */
  gate?: RunGate;
  /** This process as `/v1/connectors` names it (`host:pid`), recorded with each instance's status. */
  worker?: string;
}

/** Decides which instances a process runs when connector workers share them. */
export interface RunGate {
  /** Whether this process may run the instance now. */
  mayRun(provider: string, instance: string): boolean;
  /** Called before a runner starts; resolves once this process's claim on the instance is acknowledged by Kafka. */
  claim(provider: string, instance: string): Promise<void>;
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
    const starting = this.applying.then(async () => {
      await this.startRunners(this.options.connections.configured());
    });
    this.applying = starting.catch((err) => this.log.error({ err }, 'a connector instance could not be started'));
    await starting;
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
      if (this.started) await this.startRunners([{ provider, instance }]);
    }).catch((err) => this.log.error({ err, provider, instance }, 'a connection change could not be applied'));
    return this.applying;
  }

  /**
   * After the gate changed its mind about these instances: stops the runners it no longer allows
   * (each stop waits for the page in flight to be published and its cursor saved), then starts those
   * it now allows. Resolves when both are done.
   */
  refresh(instances: ReadonlyArray<{ provider: string; instance: string }>): Promise<void> {
    const gate = this.options.gate;
    this.applying = this.applying.then(async () => {
      const stopping = instances.flatMap(({ provider, instance }) => {
        const running = this.runners.get(`${provider}.${instance}`);
        if (!running || gate?.mayRun(provider, instance) !== false) return [];
        this.runners.delete(running.id);
        return [running.stop()];
      });
      await Promise.all(stopping);
      if (this.started) await this.startRunners(instances);
    }).catch((err) => this.log.error({ err }, 'connector instances could not be handed over'));
    return this.applying;
  }

  /** Every instance configured in this process, running or not. */
  instances(): Array<{ provider: string; instance: string }> {
    return this.options.connections.configured().map(({ provider, instance }) => ({ provider, instance }));
  }

  /** The instances this process runs now, as `provider.instance`. */
  running(): string[] {
    return [...this.runners.keys()];
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

  /** Starts the runners of these instances that may run: claims them first when a gate shares them out. */
  private async startRunners(instances: ReadonlyArray<{ provider: string; instance: string }>): Promise<void> {
    const { connections, gate } = this.options;
    const startable = instances.filter(({ provider, instance }) => {
      const found = connections.find(provider, instance);
      const key = `${provider}.${instance}`;
      if (!found || this.runners.has(key) || this.held.has(key) || gate?.mayRun(provider, instance) === false) return false;
      if (!found.config.enabled) this.log.info({ provider, instance }, 'connector instance disabled in configuration');
      return found.config.enabled;
    });
    if (startable.length === 0) return;
    if (gate) {
      for (const { provider, instance } of startable) await gate.claim(provider, instance);
      // The cursors the previous worker saved while it ran them (saved before it released them).
      await this.cursors.load(startable.map(({ provider, instance }) => `${provider}/${instance}`));
    }
    for (const { provider, instance } of startable) this.startRunner(provider, instance);
  }

  private startRunner(provider: string, instance: string): void {
    const { connections } = this.options;
    const found = connections.find(provider, instance);
    const key = `${provider}.${instance}`;
    if (!found) return;
    const runner = new InstanceRunner({
      definition: found.definition, instance, config: found.config, connector: connections.get(provider, instance), cursors: this.cursors,
      publisher: this.publisher, dataDir: this.options.dataDir, log: this.options.log, progressIntervalMs: this.options.progressIntervalMs,
      worker: this.options.worker,
    });
    this.runners.set(key, runner);
    runner.start();
  }
}
