import type { AppConfig } from '../../core/config.js';
import type { KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectorDefinition } from '../contract.js';
import { CursorStore } from './cursor-store.js';
import { InstanceRunner } from './instance-runner.js';
import type { InstanceStatus } from './instance-status.js';
import { EventPublisher } from './publisher.js';

export interface ConnectorRuntimeOptions {
  connectors: AppConfig['connectors'];
  definitions: ReadonlyMap<string, ConnectorDefinition>;
  bus: KafkaBus;
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
    for (const [provider, instances] of Object.entries(this.options.connectors)) {
      const definition = this.options.definitions.get(provider);
      if (!definition) continue; // loadConfig already refused unknown providers
      for (const [instance, config] of Object.entries(instances)) {
        if (!config.enabled) {
          this.log.info({ provider, instance }, 'connector instance disabled in configuration');
          continue;
        }
        const runner = new InstanceRunner({
          definition, instance, config, cursors: this.cursors, publisher, log: this.options.log,
          progressIntervalMs: this.options.progressIntervalMs,
        });
        this.runners.push(runner);
      }
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
