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

/** Runs every configured connector instance of this process, with one shared cursor store. */
export class ConnectorRuntime {
  private readonly runners: InstanceRunner[] = [];
  private readonly cursors: CursorStore;
  private readonly log: Logger;

  constructor(private readonly options: ConnectorRuntimeOptions) {
    this.log = options.log.child({ component: 'connector-runtime' });
    this.cursors = new CursorStore(options.bus, this.log);
  }

  async start(): Promise<void> {
    await this.cursors.load();
    const publisher = new EventPublisher(this.options.bus);
    const { connections } = this.options;
    for (const { provider, instance, definition, config } of connections.configured()) {
      if (!config.enabled) {
        this.log.info({ provider, instance }, 'connector instance disabled in configuration');
        continue;
      }
      const runner = new InstanceRunner({
        definition, instance, config, connector: connections.get(provider, instance), cursors: this.cursors, publisher, dataDir: this.options.dataDir, log: this.options.log,
        progressIntervalMs: this.options.progressIntervalMs,
      });
      this.runners.push(runner);
    }
    for (const runner of this.runners) runner.start();
    this.log.info({ instances: this.runners.map((r) => r.id) }, 'connector runtime started');
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }

  statuses(): InstanceStatus[] {
    return this.runners.map((r) => r.status());
  }
}
