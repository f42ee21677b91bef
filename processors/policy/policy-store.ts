import { AppwardenError } from '../../core/errors.js';
import type { ConsumedRecord, KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import type { ProviderCapabilities } from './capabilities.js';
import { tryCompilePolicy, type CompiledPolicy, type CompileOptions } from './compile.js';
import { parsePolicyText } from './loader.js';
import type { PolicyDocument } from './policy-schema.js';
import { formatProblem, type PolicyProblem } from './problems.js';
import { followTopic, type TopicFollower } from './topic-follower.js';

/** One accepted version of a policy in the store. */
export interface StoredPolicy {
  id: string;
  /** 1, 2, 3... per id; every accepted version is kept. */
  version: number;
  /** The document as accepted; null when this version deletes the policy. */
  document: PolicyDocument | null;
  /** The YAML or JSON text it was put as, comments included, when it was put as text. */
  text: string | null;
  /** This version deletes the policy: it no longer runs, whether it came from the store or a policy folder. */
  deleted: boolean;
  /** When it was accepted (ISO 8601). */
  at: string;
  /** Who put it, as the caller said (`user:ana`). */
  by: string | null;
  /** The version this one restores, when it is a rollback. */
  rolled_back_from: number | null;
  /** The admin who approved it, when a policy author proposed it (enforce mode). */
  approved_by?: string | null;
}

/** What a put answers: the new version, or every problem found (nothing was stored). */
export type PutResult =
  | { ok: true; version: number; policy: StoredPolicy; compiled: CompiledPolicy }
  | { ok: false; problems: PolicyProblem[] };

export interface PutOptions {
  /** Who deploys it (kept with the version). */
  by?: string;
  /** The admin who approved it, when someone else proposed it. */
  approvedBy?: string;
  /** The name problems in a text are reported under (`file:line: field: ...`). Default `policy`. */
  file?: string;
}

export interface PolicyStoreOptions {
  bus: Pick<KafkaBus, 'send' | 'consume' | 'fetchLag' | 'topics'>;
  log: Logger;
  /** What each provider's connector can do, for validating actions; default the registered connectors. */
  capabilities?: ProviderCapabilities;
  /** Bounds on what the store holds and accepts; default DEFAULT_POLICY_LIMITS. */
  limits?: Partial<PolicyLimits>;
}

/** The bounds of the policy store (`policies.maxPolicies`, `maxVersions`, `maxDocumentBytes`) and who notify may name. */
export interface PolicyLimits {
  maxPolicies: number;
  maxVersions: number;
  maxDocumentBytes: number;
  /** `governance.notify.allowedRecipients`: a policy naming another recipient is refused. Unset: not checked here. */
  allowedRecipients?: readonly string[];
}

export const DEFAULT_POLICY_LIMITS: PolicyLimits = { maxPolicies: 1000, maxVersions: 50, maxDocumentBytes: 262_144 };

const ID = /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/;

/**
 * The policies deployed without a restart, kept in the compacted `<prefix>.policies` topic: key
 * `<id>` holds the current version, `<id>@<version>` every accepted version (so compaction keeps the
 * whole history). Every policy processor follows the topic and applies a change as it arrives; the
 * API puts, deletes and rolls back through this class. A put is validated first and refused with
 * every problem (file, line and field for a text), leaving what runs unchanged.
 *
 * Versions are numbered from what this store has read: run the writes of one deployment through
 * one API process at a time (two writers putting the same id at once may both take the same number;
 * the later write wins).
 */
export class PolicyStore {
  private readonly log: Logger;
  private readonly current = new Map<string, StoredPolicy>();
  private readonly history = new Map<string, Map<number, StoredPolicy>>();
  private readonly compiledById = new Map<string, CompiledPolicy>();
  private readonly listeners = new Set<() => void>();
  private follower: TopicFollower | null = null;
  /** Writes go one at a time, so each takes the next version number. */
  private writes: Promise<unknown> = Promise.resolve();

  private readonly limits: PolicyLimits;

  constructor(private readonly options: PolicyStoreOptions) {
    this.log = options.log.child({ component: 'policy-store' });
    this.limits = { ...DEFAULT_POLICY_LIMITS, ...options.limits };
  }

  /** Reads the topic to its end, then keeps following it (changes from other processes arrive by themselves). */
  async start(): Promise<void> {
    if (this.follower) return;
    this.follower = await followTopic(this.options.bus, {
      topic: this.options.bus.topics.policies, name: 'appwarden-policies', log: this.log, onRecord: (r) => this.onRecord(r),
    });
    await this.follower.caughtUp;
    this.log.info({ policies: this.list().length, removed: this.removedIds().length }, 'policy store loaded');
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
    this.follower = null;
  }

  /** Calls `listener` after every change of a current version (a put, a delete, a rollback, here or elsewhere). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Validates and stores a new version of a policy, given as YAML or JSON text (problems then carry
   * line numbers) or as a parsed document. Resolves once Kafka acknowledged it.
   */
  put(input: unknown, options: PutOptions = {}): Promise<PutResult> {
    return this.serialized(() => this.putNow(input, options, null));
  }

  /** Stores a version that deletes the policy (it stops running everywhere, a policy folder's included). */
  delete(id: string, options: { by?: string } = {}): Promise<StoredPolicy> {
    return this.serialized(async () => {
      if (!ID.test(id)) throw new AppwardenError('AW_BAD_REQUEST', `${JSON.stringify(id)} is not a policy id`, { details: { field: 'id' } });
      if (this.current.get(id)?.deleted) throw new AppwardenError('AW_NOT_FOUND', `policy ${id} is already deleted`);
      const stored = this.version(id, null, null, options.by ?? null, null);
      await this.write(stored);
      return stored;
    });
  }

  /** Makes an earlier version current again, as a new version (the history stays as it was). */
  rollback(id: string, version: number, options: { by?: string } = {}): Promise<PutResult> {
    return this.serialized(async () => {
      const earlier = this.history.get(id)?.get(version);
      if (!earlier) throw new AppwardenError('AW_NOT_FOUND', `policy ${id} has no version ${version}`);
      if (!earlier.document) {
        throw new AppwardenError('AW_BAD_REQUEST', `version ${version} of policy ${id} is a deletion; roll back to a version with a policy`, { details: { field: 'version' } });
      }
      return this.putNow(earlier.text ?? earlier.document, { ...(options.by ? { by: options.by } : {}), file: `${id}@${version}` }, version);
    });
  }

  /** The current version of a policy, unless it was deleted. */
  get(id: string): StoredPolicy | null {
    const stored = this.current.get(id);
    return stored && !stored.deleted ? stored : null;
  }

  /** The current version of every policy in the store that is not deleted, by id. */
  list(): StoredPolicy[] {
    return [...this.current.values()].filter((p) => !p.deleted).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Every accepted version of a policy, oldest first (empty when the store never had it). */
  versions(id: string): StoredPolicy[] {
    return [...(this.history.get(id)?.values() ?? [])].sort((a, b) => a.version - b.version);
  }

  /** Ids whose current version is a deletion: they do not run, even when a policy folder has them. */
  removedIds(): string[] {
    return [...this.current.values()].filter((p) => p.deleted).map((p) => p.id).sort();
  }

  /** The current versions, compiled, that are not deleted: what the store makes run. */
  compiled(): CompiledPolicy[] {
    return [...this.compiledById.values()];
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    // Version numbers come from what was read: a store that has not read the topic would reuse them.
    if (!this.follower) return Promise.reject(new AppwardenError('AW_NOT_READY', 'the policy store is not started (call start() first)'));
    const run = this.writes.then(work, work);
    this.writes = run.catch(() => undefined);
    return run;
  }

  /**
   * Checks a policy as `put` would, storing nothing (for a validate request): the compiled policy,
   * numbered as the next version of its id, or every problem.
   */
  validate(input: unknown, options: Pick<PutOptions, 'file'> = {}): { compiled: CompiledPolicy | null; problems: PolicyProblem[] } {
    let document: unknown = input;
    if (typeof input === 'string') {
      const file = options.file ?? 'policy';
      const load = parsePolicyText(input, file, this.compileOptions(1));
      if (load.problems.length > 0) return { compiled: null, problems: load.problems };
      if (load.policies.length !== 1) {
        return { compiled: null, problems: [{ path: [], file, line: 1, message: `a put holds one policy, this text holds ${load.policies.length}` }] };
      }
      document = load.policies[0]!.compiled.document;
    }
    const id = document !== null && typeof document === 'object' ? (document as { id?: unknown }).id : undefined;
    const version = typeof id === 'string' ? this.latestVersion(id) + 1 : 1;
    return tryCompilePolicy(document, this.compileOptions(version));
  }

  private async putNow(input: unknown, options: PutOptions, rolledBackFrom: number | null): Promise<PutResult> {
    const { compiled, problems } = this.validate(input, options);
    if (!compiled) return { ok: false, problems };
    if (!this.get(compiled.id) && this.list().length >= this.limits.maxPolicies) {
      return { ok: false, problems: [{ path: ['id'], message: `the store already holds ${this.limits.maxPolicies} policies, its limit (policies.maxPolicies); delete one before adding ${compiled.id}` }] };
    }
    const text = typeof input === 'string' ? input : null;
    const stored = { ...this.version(compiled.id, compiled.document, text, options.by ?? null, rolledBackFrom), ...(options.approvedBy ? { approved_by: options.approvedBy } : {}) };
    await this.write(stored);
    return { ok: true, version: stored.version, policy: stored, compiled: this.compiledById.get(stored.id) ?? compiled };
  }

  private compileOptions(version: number): CompileOptions {
    return {
      version,
      maxDocumentBytes: this.limits.maxDocumentBytes,
      ...(this.options.capabilities ? { capabilities: this.options.capabilities } : {}),
      ...(this.limits.allowedRecipients ? { allowedRecipients: this.limits.allowedRecipients } : {}),
    };
  }

  private latestVersion(id: string): number {
    let latest = this.current.get(id)?.version ?? 0;
    for (const v of this.history.get(id)?.keys() ?? []) latest = Math.max(latest, v);
    return latest;
  }

  private version(id: string, document: PolicyDocument | null, text: string | null, by: string | null, rolledBackFrom: number | null): StoredPolicy {
    return {
      id, version: this.latestVersion(id) + 1, document, text, deleted: document === null,
      at: new Date().toISOString(), by, rolled_back_from: rolledBackFrom,
    };
  }

  /**
   * History first, then current, in one acknowledged send (one partition: the order holds); versions
   * beyond `maxVersions` are dropped, oldest first (a tombstone each, so compaction removes them).
   */
  private async write(stored: StoredPolicy): Promise<void> {
    const value = Buffer.from(JSON.stringify(stored));
    const kept = [...(this.history.get(stored.id)?.keys() ?? []), stored.version].sort((a, b) => a - b);
    const dropped = kept.slice(0, Math.max(0, kept.length - this.limits.maxVersions));
    await this.options.bus.send(this.options.bus.topics.policies, [
      { key: `${stored.id}@${stored.version}`, value },
      { key: stored.id, value },
      ...dropped.map((v) => ({ key: `${stored.id}@${v}`, value: null })),
    ]);
    this.apply(`${stored.id}@${stored.version}`, stored);
    this.apply(stored.id, stored);
    for (const v of dropped) this.history.get(stored.id)?.delete(v);
  }

  private onRecord(record: ConsumedRecord): void {
    const key = record.key?.toString();
    if (!key) return;
    if (!record.value) {
      // A dropped version: `<id>@<version>`.
      const at = key.lastIndexOf('@');
      if (at !== -1) this.history.get(key.slice(0, at))?.delete(Number(key.slice(at + 1)));
      return;
    }
    let stored: StoredPolicy;
    try {
      stored = JSON.parse(record.value.toString()) as StoredPolicy;
    } catch (err) {
      this.log.warn({ err, key }, 'ignored an unreadable message on the policies topic');
      return;
    }
    this.apply(key, stored);
  }

  private apply(key: string, stored: StoredPolicy): void {
    const at = key.lastIndexOf('@');
    if (at !== -1) {
      let versions = this.history.get(stored.id);
      if (!versions) this.history.set(stored.id, (versions = new Map()));
      versions.set(stored.version, stored);
      return;
    }
    const known = this.current.get(stored.id);
    // Our own write comes back through the topic: nothing new then; nor is an older version.
    if (known && (known.version > stored.version || (known.version === stored.version && known.at === stored.at))) return;
    this.current.set(stored.id, stored);
    if (stored.deleted || !stored.document) {
      this.compiledById.delete(stored.id);
    } else {
      const { compiled, problems } = tryCompilePolicy(stored.document, this.compileOptions(stored.version));
      if (compiled) this.compiledById.set(stored.id, compiled);
      else {
        // Accepted when it was put, refused now (e.g. a connector lost an action): keep what ran before.
        this.log.error({ policyId: stored.id, version: stored.version, problems: problems.map(formatProblem) }, 'a stored policy no longer compiles; the previous version keeps running');
      }
    }
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err }, 'a policy store listener failed');
      }
    }
  }
}
