import { instanceConfig, mergeDeep, secretKeys, type InstanceConfig } from '../../core/config.js';
import { AppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectorDefinition } from '../contract.js';
import type { ConnectionStore, ScanKind, StoredConnection } from './connection-store.js';
import type { Connections } from './connections.js';
import type { ConnectorRuntime } from './connector-runtime.js';
import { resolveSecrets } from './secret-refs.js';

export interface ConnectionApplierOptions {
  store: ConnectionStore;
  connections: Connections;
  definitions: ReadonlyMap<string, ConnectorDefinition>;
  providerDefaults: Record<string, Record<string, unknown>>;
  /** The key of inline secrets (`APPWARDEN_SECRETS_KEY`), or null. */
  secretsKey: Buffer | null;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

/**
 * Applies the connections of the store to this process: its `Connections` (every process: the API
 * tests credentials, the governance executor acts) and, in a process with the connectors role, its
 * runtime, which starts, restarts or stops the instance's runner without a restart of the process.
 */
export class ConnectionApplier {
  #runtime: ConnectorRuntime | null = null;
  readonly #held: StoredConnection[] = [];
  /** Per instance, why its stored settings could not be applied (a variable not set, a file missing). */
  readonly #problems = new Map<string, string>();
  /** Per instance and scan kind, the request already carried out (or present at start). */
  readonly #scansSeen = new Map<string, string>();
  /** Per instance, the state and settings last applied: a record that changes neither (a scan request) restarts nothing. */
  readonly #applied = new Map<string, string>();
  readonly #log: Logger;

  constructor(private readonly options: ConnectionApplierOptions) {
    this.#log = options.log.child({ component: 'connections' });
  }

  /** Applies every stored connection (call after the store caught up, before the runtime starts), then every change. */
  start(): void {
    for (const connection of this.options.store.list()) {
      this.#markScansSeen(connection);
      if (this.#applyToConnections(connection)) this.#held.push(connection);
    }
    this.options.store.onChange((connection) => this.#apply(connection));
  }

  /** From now on, changes also start, restart and stop this runtime's runners, and scan requests reach them. */
  attach(runtime: ConnectorRuntime): void {
    this.#runtime = runtime;
  }

  /** Instances that must not run when the runtime starts (paused, or settings that cannot be applied). */
  holdAtStart(runtime: ConnectorRuntime): Promise<unknown> {
    return Promise.all(this.#held.splice(0).map((c) => runtime.apply(c.provider, c.instance, { hold: true })));
  }

  /** Why an instance's stored settings could not be applied, if they could not. */
  problem(provider: string, instance: string): string | undefined {
    return this.#problems.get(`${provider}/${instance}`);
  }

  /** The settings a stored connection stands for: the file's (if any) with the stored ones over them, secrets resolved, checked. */
  effectiveConfig(connection: Pick<StoredConnection, 'provider' | 'instance' | 'settings'>): InstanceConfig {
    const definition = this.options.definitions.get(connection.provider);
    if (!definition) throw new AppwardenError('AW_CONFIG_INVALID', `unknown provider ${connection.provider}`);
    const resolved = resolveSecrets(connection.settings, secretKeys(definition.configSchema), this.options.secretsKey, this.options.env);
    const base = this.options.connections.fromFile(connection.provider, connection.instance) ?? this.options.providerDefaults[connection.provider] ?? {};
    return instanceConfig(definition.configSchema, mergeSettings(structuredClone(base) as Record<string, unknown>, resolved));
  }

  #apply(connection: StoredConnection): void {
    const { provider, instance } = connection;
    const fingerprint = JSON.stringify([connection.state, connection.settings]);
    const changed = this.#applied.get(`${provider}/${instance}`) !== fingerprint;
    const held = changed ? this.#applyToConnections(connection) : connection.state !== 'active' || this.#problems.has(`${provider}/${instance}`);
    if (!this.#runtime) return;
    void (changed ? this.#runtime.apply(provider, instance, { hold: held }) : Promise.resolve()).then(() => {
      const kinds = this.#newScanRequests(connection);
      if (kinds.length > 0 && !held) this.#runtime?.scanNow(provider, instance, kinds);
    });
  }

  /** Updates `Connections`; answers whether the runner must stay stopped. */
  #applyToConnections(connection: StoredConnection): boolean {
    const { provider, instance, state } = connection;
    const key = `${provider}/${instance}`;
    this.#applied.set(key, JSON.stringify([state, connection.settings]));
    if (state === 'disconnected') {
      this.options.connections.set(provider, instance, null);
      this.#problems.delete(key);
      this.#log.info({ provider, instance }, 'connector instance disconnected');
      return true;
    }
    try {
      this.options.connections.set(provider, instance, this.effectiveConfig(connection));
      this.#problems.delete(key);
      this.#log.info({ provider, instance, state }, 'connector instance settings applied');
      return state === 'paused';
    } catch (err) {
      // The message names the setting and the reference (variable, file), never a secret value.
      this.#problems.set(key, (err as Error).message);
      this.options.connections.set(provider, instance, null);
      this.#log.error({ provider, instance, problem: (err as Error).message }, 'connector instance settings cannot be applied; it stays stopped');
      return true;
    }
  }

  #markScansSeen(connection: StoredConnection): void {
    for (const [kind, at] of Object.entries(connection.scan_requests ?? {})) this.#scansSeen.set(`${connection.provider}/${connection.instance}/${kind}`, at);
  }

  #newScanRequests(connection: StoredConnection): ScanKind[] {
    const out: ScanKind[] = [];
    for (const [kind, at] of Object.entries(connection.scan_requests ?? {}) as Array<[ScanKind, string]>) {
      const key = `${connection.provider}/${connection.instance}/${kind}`;
      if (this.#scansSeen.get(key) !== at) out.push(kind);
      this.#scansSeen.set(key, at);
    }
    return out;
  }
}

/** Settings over settings; a secret reference (`{ env }`, `{ file }`, `{ encrypted }`) replaces, whole. */
export function mergeSettings(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  return mergeDeep(a, b, (v) => 'env' in v || 'file' in v || 'encrypted' in v);
}
