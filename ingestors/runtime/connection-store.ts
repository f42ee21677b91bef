import type { ConsumedRecord, KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { followTopic, type TopicFollower } from '../../processors/policy/topic-follower.js';

export const CONNECTION_STATES = ['active', 'paused', 'disconnected'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];
export const SCAN_KINDS = ['accounts', 'files'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

/**
 * A connector instance as changed through the API. For an instance of the configuration file,
 * `settings` holds only what was changed (merged over the file's); for one added through the API,
 * all of them. Secrets are references or encrypted (see `secret-refs.ts`), never plain.
 */
export interface StoredConnection {
  provider: string;
  instance: string;
  state: ConnectionState;
  settings: Record<string, unknown>;
  /** When a scan of each kind was last asked for; a runner scans again when this is newer than what it did. */
  scan_requests: Partial<Record<ScanKind, string>>;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export type ConnectionListener = (connection: StoredConnection) => void;

/**
 * The connections changed at run time, in the compacted `<prefix>.connections` topic (one message per
 * instance), which every process follows: the API writes, the processes with the connectors role apply.
 */
export class ConnectionStore {
  readonly #connections = new Map<string, StoredConnection>();
  readonly #listeners = new Set<ConnectionListener>();
  #follower: TopicFollower | null = null;
  readonly #log: Logger;

  constructor(private readonly options: { bus: Pick<KafkaBus, 'send' | 'consume' | 'fetchLag' | 'topics'>; log: Logger }) {
    this.#log = options.log.child({ component: 'connection-store' });
  }

  static key(provider: string, instance: string): string {
    return `${provider}/${instance}`;
  }

  /** Reads the whole topic (every connection made before this start), then follows it. */
  async start(): Promise<void> {
    if (this.#follower) return;
    this.#follower = await followTopic(this.options.bus, {
      topic: this.options.bus.topics.connections, name: 'appwarden-connections', log: this.#log, onRecord: (r) => this.#onRecord(r),
    });
    await this.#follower.caughtUp;
  }

  async stop(): Promise<void> {
    await this.#follower?.stop();
    this.#follower = null;
  }

  /** Called with each connection as it changes (also for changes this process wrote). */
  onChange(listener: ConnectionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(provider: string, instance: string): StoredConnection | undefined {
    return this.#connections.get(ConnectionStore.key(provider, instance));
  }

  list(): StoredConnection[] {
    return [...this.#connections.values()];
  }

  /**
   * Writes a connection; resolves once it came back from the topic (so `get` answers it, and this
   * process's listeners have applied it) or, if the follower is slow, after `waitMs`.
   */
  async put(connection: StoredConnection, waitMs = 10_000): Promise<void> {
    const key = ConnectionStore.key(connection.provider, connection.instance);
    const text = JSON.stringify(connection);
    const seen = new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      const stop = this.onChange((c) => { if (JSON.stringify(c) === text) done(); });
      function done() { clearTimeout(timer); stop(); resolve(); }
    });
    await this.options.bus.send(this.options.bus.topics.connections, [{ key, value: Buffer.from(text) }]);
    await seen;
  }

  #onRecord(record: ConsumedRecord): void {
    const key = record.key?.toString();
    if (!key || !record.value) return;
    try {
      const connection = JSON.parse(record.value.toString()) as StoredConnection;
      if (ConnectionStore.key(connection.provider, connection.instance) !== key) throw new Error('key and record disagree');
      this.#connections.set(key, connection);
      for (const listener of this.#listeners) {
        try {
          listener(connection);
        } catch (err) {
          this.#log.error({ err, key }, 'a connection change could not be applied');
        }
      }
    } catch (err) {
      this.#log.warn({ err, key }, 'ignored an unreadable message on the connections topic');
    }
  }
}
