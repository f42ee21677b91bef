import { setMaxListeners } from 'node:events';
import type { AppConfig, InstanceConfig } from '../../core/config.js';
import { AppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectorDefinition, ConnectorInstance } from '../contract.js';
import { createConnector } from './connector-factory.js';

/** One configured connector instance, as the holder knows it. */
export interface ConfiguredInstance {
  provider: string;
  instance: string;
  definition: ConnectorDefinition;
  config: InstanceConfig;
}

export interface ConnectionsOptions {
  connectors: AppConfig['connectors'];
  definitions: ReadonlyMap<string, ConnectorDefinition>;
  log: Logger;
}

/**
 * The connections of one process: each configured instance's connector (its HTTP clients, rate
 * limiter, token cache and throttle pause) is created once, on first use, and handed to everything
 * in the process that talks to that instance: the connector runtime, the governance executor and
 * the API. So a 429 seen by an action pauses that instance's scans too, and the provider's budget
 * is counted once. Creating a connector does no I/O. `close()` cancels every request still running.
 */
export class Connections {
  readonly #options: ConnectionsOptions;
  readonly #created = new Map<string, ConnectorInstance>();
  readonly #abort = new AbortController();

  constructor(options: ConnectionsOptions) {
    this.#options = options;
    // Every in-flight request and wait of every instance listens on this signal.
    setMaxListeners(0, this.#abort.signal);
  }

  /** Whether provider.instance is configured (enabled or not). */
  has(provider: string, instance: string): boolean {
    return this.#options.definitions.has(provider) && this.#options.connectors[provider]?.[instance] !== undefined;
  }

  /** The configured instance, or undefined. */
  find(provider: string, instance: string): ConfiguredInstance | undefined {
    const definition = this.#options.definitions.get(provider);
    const config = this.#options.connectors[provider]?.[instance];
    return definition && config ? { provider, instance, definition, config } : undefined;
  }

  /** Every configured instance of a registered provider, in configuration order. */
  configured(): ConfiguredInstance[] {
    const out: ConfiguredInstance[] = [];
    for (const [provider, instances] of Object.entries(this.#options.connectors)) {
      for (const instance of Object.keys(instances)) {
        const found = this.find(provider, instance);
        if (found) out.push(found);
      }
    }
    return out;
  }

  /** The instance's one connector in this process, created on first use. */
  get(provider: string, instance: string): ConnectorInstance {
    if (this.#abort.signal.aborted) throw new AppwardenError('AW_NOT_READY', 'the connections of this process are closed');
    const key = `${provider}.${instance}`;
    const existing = this.#created.get(key);
    if (existing) return existing;
    const found = this.find(provider, instance);
    if (!found) throw new AppwardenError('AW_NOT_FOUND', `no connector instance ${key} is configured`, { details: { provider, instance } });
    const log = this.#options.log.child({ component: 'connector', provider, instance });
    const created = createConnector(found.definition, instance, found.config, log, this.#abort.signal);
    this.#created.set(key, created);
    return created;
  }

  /** Cancels every request of every instance; `get` refuses afterwards. */
  close(): void {
    this.#abort.abort(new AppwardenError('AW_NOT_READY', 'the connections of this process are closing'));
  }
}
