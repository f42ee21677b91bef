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
  /** provider → instance → settings: the configuration's, then as changed at run time (`set`). */
  readonly #connectors = new Map<string, Map<string, InstanceConfig>>();
  readonly #created = new Map<string, { connector: ConnectorInstance; abort: AbortController }>();
  readonly #abort = new AbortController();

  constructor(options: ConnectionsOptions) {
    this.#options = options;
    for (const [provider, instances] of Object.entries(options.connectors)) {
      this.#connectors.set(provider, new Map(Object.entries(instances)));
    }
    // Every in-flight request and wait of every instance listens on this signal.
    setMaxListeners(0, this.#abort.signal);
  }

  /** Whether provider.instance is configured (enabled or not). */
  has(provider: string, instance: string): boolean {
    return this.#options.definitions.has(provider) && this.#connectors.get(provider)?.get(instance) !== undefined;
  }

  /** The configured instance, or undefined. */
  find(provider: string, instance: string): ConfiguredInstance | undefined {
    const definition = this.#options.definitions.get(provider);
    const config = this.#connectors.get(provider)?.get(instance);
    return definition && config ? { provider, instance, definition, config } : undefined;
  }

  /** Every configured instance of a registered provider, in configuration order (instances added at run time last). */
  configured(): ConfiguredInstance[] {
    const out: ConfiguredInstance[] = [];
    for (const [provider, instances] of this.#connectors) {
      for (const instance of instances.keys()) {
        const found = this.find(provider, instance);
        if (found) out.push(found);
      }
    }
    return out;
  }

  /** The settings the configuration file gave the instance (before any change at run time), or undefined. */
  fromFile(provider: string, instance: string): InstanceConfig | undefined {
    return this.#options.connectors[provider]?.[instance];
  }

  /**
   * Adds, changes (`config`) or removes (`null`) an instance at run time. A change drops the instance's
   * connector, cancelling its requests: the next `get` makes one with the new settings (new credentials).
   */
  set(provider: string, instance: string, config: InstanceConfig | null): void {
    const key = `${provider}.${instance}`;
    const created = this.#created.get(key);
    if (created) {
      this.#created.delete(key);
      created.abort.abort(new AppwardenError('AW_NOT_READY', `connector instance ${key} was changed`));
    }
    if (config === null) {
      this.#connectors.get(provider)?.delete(instance);
      return;
    }
    if (!this.#connectors.has(provider)) this.#connectors.set(provider, new Map());
    this.#connectors.get(provider)!.set(instance, config);
  }

  /** The instance's one connector in this process, created on first use. */
  get(provider: string, instance: string): ConnectorInstance {
    if (this.#abort.signal.aborted) throw new AppwardenError('AW_NOT_READY', 'the connections of this process are closed');
    const key = `${provider}.${instance}`;
    const existing = this.#created.get(key);
    if (existing) return existing.connector;
    const found = this.find(provider, instance);
    if (!found) throw new AppwardenError('AW_NOT_FOUND', `no connector instance ${key} is configured`, { details: { provider, instance } });
    const log = this.#options.log.child({ component: 'connector', provider, instance });
    const abort = new AbortController();
    const signal = AbortSignal.any([this.#abort.signal, abort.signal]);
    setMaxListeners(0, signal);
    const connector = createConnector(found.definition, instance, found.config, log, signal);
    this.#created.set(key, { connector, abort });
    return connector;
  }

  /** Cancels every request of every instance; `get` refuses afterwards. */
  close(): void {
    this.#abort.abort(new AppwardenError('AW_NOT_READY', 'the connections of this process are closing'));
  }
}
