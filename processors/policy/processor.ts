import type { BatchContext, ConsumedBatch, ConsumedRecord, ConsumerHandle, KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { decode } from '../../schemas/registry.js';
import type { AccountEvent } from '../../schemas/types.js';
import type { SigningKey } from '../governance/command-message.js';
import { AccountDirectory } from './account-directory.js';
import { AssignedPartitions } from './assigned-partitions.js';
import { BatchOutput } from './batch-output.js';
import type { CompiledPolicy } from './compile.js';
import type { GeoLocator } from './geo.js';
import { PartitionStateStore, partitionName, SHARED_SCOPE } from './partition-state-store.js';
import { PartitionWork } from './partition-work.js';
import { PoliciesInEffect, type ActivePolicy } from './policies-in-effect.js';
import { PolicyStore, type PolicyLimits } from './policy-store.js';
import { recordKindOf, type PolicyRecord } from './record-context.js';
import { POLICY_HEADER } from './regroup.js';
import type { LiveSettings } from './evaluation.js';
import { MemoryPolicyState } from './state.js';
import { followTopic, type TopicFollower } from './topic-follower.js';

export interface PolicyProcessorOptions {
  bus: KafkaBus;
  log: Logger;
  /** The consumer group of the policy processors: they share the partitions of the input topics. */
  groupId: string;
  /** Signs the governance commands the policies ask for (the executor carries out only signed ones). */
  signingKey: SigningKey;
  /** The policies loaded at start (the policy folders); versions deployed through the store replace them by id. */
  policies: readonly CompiledPolicy[];
  /** How far behind a partition's newest record a record may arrive and still find its window (EvaluatorOptions). */
  lateArrivalMs: number;
  /** The wall clock, the governance ceilings and the per-policy time budget (EvaluatorOptions.live). */
  live: LiveSettings;
  /**
   * Where deploys come from. Default: a PolicyStore over `<prefix>.policies` that the processor starts,
   * follows and stops. A store passed in (e.g. shared with the API of the same process) is started
   * and stopped by its owner. null: no deploys, only `policies` and `setPolicies`.
   */
  store?: PolicyStore | null;
  /** Bounds of the store the processor creates (when `store` is not given). */
  storeLimits?: Partial<PolicyLimits>;
  /** Loads the GeoIP locator, once an impossible-travel policy is enabled. Default: geoip-lite's database. */
  loadGeo?: () => Promise<GeoLocator>;
  /** How long start waits for the account topic to be read to its end before evaluating. Default 120 s. */
  accountsCatchUpTimeoutMs?: number;
  sessionTimeoutMs?: number;
  /** How long a fetch waits on partitions without new records before it answers empty (kafkajs: 5 s). */
  maxWaitTimeMs?: number;
}

export interface PolicyProcessorStats {
  /** Records evaluated. */
  records: number;
  matches: number;
  /** Alert messages published (new alerts and updates). */
  alertsPublished: number;
  newAlerts: number;
  commands: number;
  notices: number;
  /** Messages that were not an audit, file or account record (the sink dead-letters them). */
  undecodable: number;
  /** Records the evaluator failed on (logged, skipped). */
  failed: number;
  /** Evaluations of one policy on one record that threw (the other policies still ran). */
  policyErrors: number;
  /** Partitions (input and regroup) with evaluators in this process. */
  partitions: number;
  accounts: number;
}

const DEFAULT_CATCH_UP_MS = 120_000;

/**
 * Evaluates policies over the audit, file and account topics as one consumer group: one Evaluator
 * (and its state) per input partition, since one user's events share a partition. For each batch it
 * publishes alerts (upserts by alert_id) and governance commands (keyed by target), then saves what
 * changed in the partition's state to `<prefix>.policy.state`, then commits the offsets. A process
 * given a partition reads that partition's state back first, so windows survive restarts and
 * rebalances; a record replayed after a crash finds itself already counted and changes nothing.
 * A policy grouping by something other than the user runs in two stages (see Regrouping) through
 * `<prefix>.policy.regroup`, which the same group consumes. Enrichments come from the whole account
 * topic, which every processor reads for itself, and deploys from the policy store, applied between
 * two batches without a restart.
 */
export class PolicyProcessor {
  /** What the account scans say of each account: the `actor_account.*` and `grant.user_count` enrichments. */
  readonly accounts = new AccountDirectory();
  /** The store deploys come from (null when there is none). */
  readonly store: PolicyStore | null;
  private readonly log: Logger;
  private readonly ownsStore: boolean;
  private readonly stateStore: PartitionStateStore;
  private readonly policies: PoliciesInEffect;
  /** Policy-wide entries (safety and alert limits, stops) shared by this process's partitions. */
  private shared = new MemoryPolicyState();
  private readonly partitions: AssignedPartitions<PartitionWork>;
  private consumer: ConsumerHandle | null = null;
  private readonly consumerReady: Promise<ConsumerHandle>;
  private setConsumer!: (c: ConsumerHandle) => void;
  private accountsFollower: TopicFollower | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly counters = { records: 0, matches: 0, alertsPublished: 0, newAlerts: 0, commands: 0, notices: 0, undecodable: 0, failed: 0, policyErrors: 0 };
  private readonly errorLoggedAt = new Map<string, number>();

  constructor(private readonly options: PolicyProcessorOptions) {
    this.log = options.log.child({ component: 'policy' });
    this.ownsStore = options.store === undefined;
    this.store = options.store === undefined ? new PolicyStore({ bus: options.bus, log: options.log, ...(options.storeLimits ? { limits: options.storeLimits } : {}) }) : options.store;
    this.policies = new PoliciesInEffect({
      policies: options.policies, store: this.store, log: this.log, ...(options.loadGeo ? { loadGeo: options.loadGeo } : {}),
      onChange: (set, removed) => { for (const work of this.partitions.values()) work.setPolicies(set, removed); },
    });
    this.stateStore = new PartitionStateStore(options.bus, options.groupId, this.log);
    this.partitions = new AssignedPartitions(this.stateStore, (topic, _partition, state) => new PartitionWork({
      state, shared: this.shared, enricher: this.accounts, lateArrivalMs: options.lateArrivalMs, regrouped: topic === options.bus.topics.policyRegroup,
      live: options.live, onPolicyError: (policyId, err) => this.onPolicyError(policyId, err),
    }, this.policies.set), this.log);
    this.consumerReady = new Promise((resolve) => (this.setConsumer = resolve));
  }

  async start(): Promise<void> {
    const { bus } = this.options;
    this.accountsFollower = await followTopic(bus, {
      topic: bus.topics.account, name: `${this.options.groupId}.accounts`, log: this.log, onRecord: (r) => this.onAccountRecord(r),
    });
    const timeoutMs = this.options.accountsCatchUpTimeoutMs ?? DEFAULT_CATCH_UP_MS;
    if (!(await settlesWithin(this.accountsFollower.caughtUp, timeoutMs))) {
      this.log.warn({ timeoutMs, accounts: this.accounts.size }, 'the account topic was not read to its end in time; starting with the accounts read so far');
    }
    this.shared = (await this.stateStore.load([SHARED_SCOPE])).get(SHARED_SCOPE)!;
    if (this.store) {
      if (this.ownsStore) await this.store.start();
      this.unsubscribe = this.store.onChange(() => void this.policies.refresh());
    }
    await this.policies.refresh();
    const consumer = await bus.consume({
      groupId: this.options.groupId,
      topics: [bus.topics.audit, bus.topics.file, bus.topics.account, bus.topics.policyRegroup],
      fromBeginning: true,
      eachBatch: (batch, ctx) => this.accept(batch, ctx),
      ...(this.options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: this.options.sessionTimeoutMs }),
      ...(this.options.maxWaitTimeMs === undefined ? {} : { maxWaitTimeMs: this.options.maxWaitTimeMs }),
    });
    this.consumer = consumer;
    this.setConsumer(consumer);
    this.log.info({ groupId: this.options.groupId, policies: this.policies.count, accounts: this.accounts.size }, 'policy processor started');
  }

  async stop(): Promise<void> {
    // Each waits out its own fetch: together, not one after the other.
    await Promise.all([this.consumer?.stop(), this.accountsFollower?.stop()]);
    this.unsubscribe?.();
    if (this.ownsStore) await this.store?.stop();
    await this.policies.settled();
    this.log.info({ ...this.stats() }, 'policy processor stopped');
  }

  /**
   * Replaces the policies loaded at start (a reload of the policy folders); the store's versions
   * still replace them by id. Takes effect from the next batch, without a restart; windows and open
   * alerts carry over by policy id.
   */
  setPolicies(policies: readonly CompiledPolicy[]): Promise<void> {
    return this.policies.setBase(policies);
  }

  /** The policies in effect, by id. */
  activePolicies(): ActivePolicy[] {
    return this.policies.list();
  }

  stats(): PolicyProcessorStats {
    return { ...this.counters, partitions: this.partitions.size, accounts: this.accounts.size };
  }

  /** A policy threw on a record: counted, and logged at most once a minute per policy. */
  private onPolicyError(policyId: string, err: unknown): void {
    this.counters.policyErrors++;
    const now = Date.now();
    if ((this.errorLoggedAt.get(policyId) ?? -Infinity) > now - 60_000) return;
    this.errorLoggedAt.set(policyId, now);
    this.log.error({ err, policyId }, 'a policy failed on a record; the other policies still evaluated it');
  }

  private onAccountRecord(record: ConsumedRecord): void {
    if (!record.value) return;
    try {
      const decoded = decode(record.value);
      if (decoded.schema.name === 'account-event') this.accounts.apply(decoded.record as AccountEvent);
    } catch {
      // Not an account record: the sink sends it to the dead-letter topic.
    }
  }

  private async accept(batch: ConsumedBatch, ctx: BatchContext): Promise<void> {
    const consumer = await this.consumerReady;
    const name = partitionName(batch.topic, batch.partition);
    try {
      const work = await this.partitions.get(consumer.assignment(), batch.topic, batch.partition);
      await ctx.heartbeat();
      const out = new BatchOutput();
      let last: number | null = null;
      let undecodable = 0;
      for (const record of batch.records) {
        if (!ctx.isRunning()) break;
        if (!this.evaluate(work, record, out)) undecodable++;
        last = record.offset;
      }
      if (undecodable > 0) this.log.debug({ topic: batch.topic, partition: batch.partition, count: undecodable }, 'skipped messages that are not records');
      if (last === null) return;
      // Order matters: outputs (and forwarded records) acknowledged, then the state that counts them, then the offsets.
      await out.publish(this.options.bus, this.options.signingKey);
      this.counters.alertsPublished += out.alertCount;
      this.counters.newAlerts += out.newAlerts;
      this.counters.commands += out.commandCount;
      await this.stateStore.save([[name, work.state.takeChanges()], [SHARED_SCOPE, this.shared.takeChanges()]]);
      try {
        await consumer.commit([{ topic: batch.topic, partition: batch.partition, offset: last }]);
      } catch (err) {
        if (ctx.isRunning()) throw err;
        // Given away meanwhile: the next owner reads the saved state and skips what it counts.
        this.log.debug({ err, partition: name }, 'commit after the partition was given away failed');
      }
    } catch (err) {
      // Its memory counted records whose outcome may not have been published: read it back from the topic.
      this.partitions.drop(batch.topic, batch.partition);
      throw err;
    }
  }

  /** Evaluates one message; false when it is not a record of ours. */
  private evaluate(work: PartitionWork, record: ConsumedRecord, out: BatchOutput): boolean {
    let value: PolicyRecord;
    try {
      if (!record.value) throw new Error('no value');
      const decoded = decode(record.value);
      const schema = decoded.schema.name;
      if (schema !== 'audit-event' && schema !== 'file-event' && schema !== 'account-event') throw new Error(`a ${schema} record`);
      value = decoded.record as PolicyRecord;
    } catch {
      this.counters.undecodable++;
      return false;
    }
    const { topics } = this.options.bus;
    const regrouped = record.topic === topics.policyRegroup;
    // The directory must know this account record as well as the record under evaluation does.
    if (record.topic === topics.account) this.accounts.apply(value as AccountEvent);
    this.counters.records++;
    try {
      if (!regrouped) out.forward(this.policies.set.regrouping.forward(value, recordKindOf(value), record, this.accounts));
      const result = work.process(value, regrouped ? record.headers[POLICY_HEADER] : undefined);
      if (!result) return true;
      this.counters.matches += result.matches.length;
      for (const notice of result.notices) {
        this.counters.notices++;
        this.log.warn({ policyId: notice.policy_id, version: notice.policy_version, notice: notice.kind }, notice.message);
      }
      if (result.alerts.length > 0 || result.commands.length > 0) out.add(result);
    } catch (err) {
      this.counters.failed++;
      this.log.error({ err, topic: record.topic, partition: record.partition, offset: record.offset }, 'policy evaluation failed on a record; skipped');
    }
    return true;
  }
}

/** True when `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
