import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { partitionOfKey, type ConsumedBatch, type ConsumerHandle, type KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import type { RunGate } from './connector-runtime.js';

/** The last word on who runs an instance, in `<prefix>.connector.owners` under `provider/instance`. */
export interface OwnerRecord {
  state: 'running' | 'released';
  /** The process (random at each start), and its member id in the group when it wrote this. */
  worker: string;
  member: string;
  /** `host:pid`, for people. */
  label: string;
  at: string;
}

/** What the owners need of the connector runtime. */
export interface OwnedRuntime {
  /** Every instance configured in this process (the file's and those added at run time). */
  instances(): Array<{ provider: string; instance: string }>;
  /** Stops the runners the gate no longer allows and starts those it now allows; resolves when done. */
  refresh(instances: ReadonlyArray<{ provider: string; instance: string }>): Promise<void>;
  stop(): Promise<void>;
}

export interface ConnectorOwnersOptions {
  bus: Pick<KafkaBus, 'consume' | 'send' | 'fetchLag' | 'groupMembers' | 'topics'>;
  groupId: string;
  /** A dead worker's instances are run by another within about this long (session timeout: half of it). */
  takeoverTimeoutMs: number;
  log: Logger;
}

type Ref = { provider: string; instance: string };
const keyOf = ({ provider, instance }: Ref) => `${provider}/${instance}`;

/**
 * Shares the connector instances out among the processes with the connectors role, by Kafka's group
 * membership. Each instance belongs to the partition of `<prefix>.connector.owners` its key hashes to
 * (as the producer places it); every worker joins one group on that topic and runs the instances of the
 * partitions it is given. The topic also carries, per instance, a claim (`running`, written and
 * acknowledged before a runner starts) or a release (`released`, written after the runner stopped:
 * its page in flight published, its cursor saved).
 *
 * Why one instance never runs on two workers: a worker starts an instance only when (1) it holds the
 * partition in the current generation, (2) it has read that partition to its end since it got it, and
 * (3) the latest record there is a release, its own claim, or a claim by a member that is no longer in
 * the group. A worker that loses a partition in a rebalance stops its runners before it writes their
 * releases, so the new owner, which waits for those releases while the old owner is still a member,
 * starts after the old one stopped, whatever order the rebalance's events reach the two. A member
 * leaves the group only by leaving (after writing its releases) or by missing heartbeats for the
 * session timeout; a worker that sees its own heartbeats fail for that long stops all its runners,
 * so a process cut off from Kafka, or frozen, gives up its instances by itself (and it cannot publish
 * meanwhile). A page it still had in flight when it froze is read again by the new owner from the
 * saved cursor, under the same event ids: the sink and the API keep one row per id.
 */
export class ConnectorOwners implements RunGate {
  readonly worker = randomUUID();
  readonly label = `${hostname()}:${process.pid}`;
  #runtime: OwnedRuntime | null = null;
  #consumer: ConsumerHandle | null = null;
  #member = '';
  /** The owners topic's partition count, once known. */
  #partitions = 0;
  /** Partitions of the current generation, and those read to their end since. */
  readonly #owned = new Set<number>();
  readonly #caughtUp = new Set<number>();
  /** Per owned partition, the offset to reach before it is caught up, and the last one applied. */
  readonly #ends = new Map<number, number>();
  readonly #applied = new Map<number, number>();
  /** The latest record of each instance of an owned partition. */
  readonly #latest = new Map<string, { partition: number; record: OwnerRecord }>();
  #members = new Set<string>();
  #lastHeartbeat = Date.now();
  #rejoining = false;
  #timer: NodeJS.Timeout | null = null;
  /** Ownership changes, one at a time. */
  #changing: Promise<void> = Promise.resolve();
  readonly #log: Logger;

  constructor(private readonly options: ConnectorOwnersOptions) {
    this.#log = options.log.child({ component: 'connector-owners' });
  }

  get sessionTimeoutMs(): number {
    return Math.round(this.options.takeoverTimeoutMs / 2);
  }

  /** Joins the group and starts the instances of the partitions it was given; later ones start as they come. */
  async start(runtime: OwnedRuntime): Promise<void> {
    this.#runtime = runtime;
    const heartbeatMs = Math.round(this.options.takeoverTimeoutMs / 10);
    this.#consumer = await this.options.bus.consume({
      groupId: this.options.groupId,
      topics: [this.options.bus.topics.connectorOwners],
      fromBeginning: true,
      sessionTimeoutMs: this.sessionTimeoutMs,
      heartbeatIntervalMs: heartbeatMs,
      maxWaitTimeMs: Math.min(1000, heartbeatMs),
      eachBatch: async (batch) => this.#onBatch(batch),
      onAssignment: ({ memberId, assignment }) => this.#onAssignment(memberId, assignment.filter((a) => a.topic === this.options.bus.topics.connectorOwners).map((a) => a.partition)),
      onMembership: (event) => this.#onMembership(event),
    });
    this.#timer = setInterval(() => this.#checkMembership(), heartbeatMs);
    this.#timer.unref();
    // The first assignment was made while joining: its instances are started when this resolves.
    await this.#changing;
  }

  /** Stops every runner, releases its instances, then leaves the group (whose others take them over at once). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#change(async () => {
      this.#owned.clear();
      await this.#runtime?.stop();
      await this.#release([...this.#claimed()]);
    });
    await this.#consumer?.stop();
    this.#consumer = null;
  }

  mayRun(provider: string, instance: string): boolean {
    const key = keyOf({ provider, instance });
    if (this.#partitions === 0) return false;
    const partition = partitionOfKey(key, this.#partitions);
    if (!this.#owned.has(partition) || !this.#caughtUp.has(partition)) return false;
    const record = this.#latest.get(key)?.record;
    return !record || record.state === 'released' || record.worker === this.worker || !this.#members.has(record.member);
  }

  /** Whether another worker runs the instance (as far as this one knows): its status is read from the cursors topic. */
  runElsewhere(provider: string, instance: string): boolean {
    return this.#partitions > 0 && !this.#owned.has(partitionOfKey(keyOf({ provider, instance }), this.#partitions));
  }

  async claim(provider: string, instance: string): Promise<void> {
    const key = keyOf({ provider, instance });
    const latest = this.#latest.get(key);
    if (latest?.record.state === 'running' && latest.record.worker === this.worker && latest.record.member === this.#member) return;
    const record: OwnerRecord = { state: 'running', worker: this.worker, member: this.#member, label: this.label, at: new Date().toISOString() };
    await this.options.bus.send(this.options.bus.topics.connectorOwners, [{ key, value: Buffer.from(JSON.stringify(record)) }]);
    this.#latest.set(key, { partition: partitionOfKey(key, this.#partitions), record });
    if (latest && latest.record.worker !== this.worker && latest.record.state === 'running') {
      this.#log.info({ provider, instance, from: latest.record.label }, 'took over a connector instance whose worker left the group');
    }
  }

  #change(step: () => Promise<void>): Promise<void> {
    this.#changing = this.#changing.then(step).catch((err) => this.#log.error({ err }, 'connector instances could not be handed over'));
    return this.#changing;
  }

  #onAssignment(memberId: string, partitions: number[]): void {
    this.#member = memberId;
    this.#rejoining = false;
    this.#lastHeartbeat = Date.now();
    const revoked = [...this.#owned].filter((p) => !partitions.includes(p));
    const gained = partitions.filter((p) => !this.#owned.has(p));
    // Synchronously, before the consumer fetches for the new assignment: from now on the gate refuses the revoked ones.
    for (const p of revoked) this.#forget(p);
    for (const p of gained) this.#owned.add(p);
    this.#log.info({ member: memberId, partitions, revoked, gained }, 'connector partitions assigned');
    void this.#change(async () => {
      await this.#handOver(revoked);
      await this.#learnEnds(gained);
    });
  }

  /** Stops the instances of partitions given away, then releases them. */
  async #handOver(revoked: number[]): Promise<void> {
    if (revoked.length === 0 || !this.#runtime || this.#partitions === 0) return;
    const inRevoked = (key: string) => revoked.includes(partitionOfKey(key, this.#partitions));
    const instances = this.#runtime.instances().filter((i) => inRevoked(keyOf(i)));
    await this.#runtime.refresh(instances);
    await this.#release([...this.#claimed()].filter(inRevoked));
  }

  /** The instances whose latest record is this worker's claim. */
  *#claimed(): Iterable<string> {
    for (const [key, { record }] of this.#latest) if (record.worker === this.worker && record.state === 'running') yield key;
  }

  /** Records that this worker no longer runs these instances (their runners have stopped). */
  async #release(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const record: OwnerRecord = { state: 'released', worker: this.worker, member: this.#member, label: this.label, at: new Date().toISOString() };
    const messages = keys.map((key) => ({ key, value: Buffer.from(JSON.stringify(record)) }));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.bus.send(this.options.bus.topics.connectorOwners, messages);
        break;
      } catch (err) {
        if (attempt >= 5) {
          this.#log.error({ err, instances: keys }, 'could not record the release of connector instances; their next owner waits until this worker is out of the group');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      }
    }
    for (const key of keys) this.#latest.delete(key);
    this.#log.info({ instances: keys }, 'connector instances released');
  }

  /** Where each newly held partition ends now: it is caught up once read that far. */
  async #learnEnds(gained: number[]): Promise<void> {
    if (gained.length === 0) return;
    const lags = await this.#retrying(() => this.options.bus.fetchLag(this.options.groupId, [this.options.bus.topics.connectorOwners]));
    this.#partitions = lags.length;
    for (const lag of lags) {
      if (!gained.includes(lag.partition) || !this.#owned.has(lag.partition)) continue;
      if (lag.lag === 0 || (this.#applied.get(lag.partition) ?? -1) >= lag.highWatermark - 1) this.#caughtUp.add(lag.partition);
      else this.#ends.set(lag.partition, lag.highWatermark - 1);
    }
    this.#members = new Set(await this.#retrying(() => this.options.bus.groupMembers(this.options.groupId)));
    await this.#refreshPartitions(gained);
  }

  /** Kafka answers again after a while: keeps asking while this worker still holds partitions. */
  async #retrying<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (this.#owned.size === 0 || attempt >= 30) throw err;
        this.#log.warn({ err }, 'Kafka did not answer the connector owners; trying again');
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** attempt)));
      }
    }
  }

  async #onBatch(batch: ConsumedBatch): Promise<void> {
    const { partition } = batch;
    if (!this.#owned.has(partition)) return;
    const touched = new Set<string>();
    for (const r of batch.records) {
      // After a rebalance the consumer reads a partition it kept from the start again: skip what was applied.
      if (r.offset <= (this.#applied.get(partition) ?? -1)) continue;
      this.#applied.set(partition, r.offset);
      const key = r.key?.toString();
      if (!key || !r.value) continue;
      try {
        const record = JSON.parse(r.value.toString()) as OwnerRecord;
        const before = this.#latest.get(key)?.record;
        this.#latest.set(key, { partition, record });
        touched.add(key);
        // A late release by a worker that lost this partition earlier: say again that this one runs it.
        if (before?.worker === this.worker && before.state === 'running' && record.worker !== this.worker && record.state === 'released') {
          const [provider, instance] = key.split('/') as [string, string];
          this.#latest.delete(key);
          await this.claim(provider, instance);
        }
      } catch (err) {
        this.#log.warn({ err, key }, 'ignored an unreadable connector owner record');
      }
    }
    const end = this.#ends.get(partition);
    if (end !== undefined && (this.#applied.get(partition) ?? -1) >= end) {
      this.#ends.delete(partition);
      this.#caughtUp.add(partition);
      void this.#change(() => this.#refreshPartitions([partition]));
    } else if (touched.size > 0 && this.#caughtUp.has(partition)) {
      void this.#change(async () => this.#runtime?.refresh(this.#runtime.instances().filter((i) => touched.has(keyOf(i)))));
    }
  }

  /** Starts what may run in these partitions; re-checks the group's members while some instance waits for a release. */
  async #refreshPartitions(partitions: number[]): Promise<void> {
    if (!this.#runtime || this.#partitions === 0) return;
    await this.#runtime.refresh(this.#runtime.instances().filter((i) => partitions.includes(partitionOfKey(keyOf(i), this.#partitions))));
  }

  #onMembership(event: 'heartbeat' | 'rebalancing'): void {
    if (event === 'heartbeat') {
      this.#lastHeartbeat = Date.now();
      return;
    }
    // Rejoining after a pause longer than the session: the group has gone on without this member.
    if (Date.now() - this.#lastHeartbeat > this.sessionTimeoutMs) this.#giveUpAll();
    this.#rejoining = true;
  }

  /** Every heartbeat interval: gives everything up when the session has surely expired; re-checks who is waited for. */
  #checkMembership(): void {
    if (!this.#rejoining && this.#owned.size > 0 && Date.now() - this.#lastHeartbeat > this.sessionTimeoutMs) {
      this.#giveUpAll();
      return;
    }
    const waiting = [...this.#latest.entries()].filter(([, { partition, record }]) =>
      this.#caughtUp.has(partition) && record.state === 'running' && record.worker !== this.worker && this.#members.has(record.member));
    if (waiting.length === 0) return;
    void this.#change(async () => {
      this.#members = new Set(await this.options.bus.groupMembers(this.options.groupId));
      await this.#refreshPartitions([...new Set(waiting.map(([, { partition }]) => partition))]);
    });
  }

  #giveUpAll(): void {
    const partitions = [...this.#owned];
    if (partitions.length === 0) return;
    this.#log.warn({ sessionTimeoutMs: this.sessionTimeoutMs }, 'no heartbeat accepted for the session timeout: this worker stops its connector instances until it rejoins the group');
    for (const p of partitions) this.#forget(p);
    void this.#change(() => this.#handOver(partitions));
  }

  #forget(partition: number): void {
    this.#owned.delete(partition);
    this.#caughtUp.delete(partition);
    this.#ends.delete(partition);
    this.#applied.delete(partition);
  }
}
