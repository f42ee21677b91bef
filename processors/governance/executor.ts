import type { ConsumedBatch, ConsumedRecord, ConsumerHandle, KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import type { Connections } from '../../ingestors/runtime/connections.js';
import { decode } from '../../schemas/registry.js';
import type { AccountEvent, GovernanceCommand } from '../../schemas/types.js';
import type { GovernanceStatus } from '../../schemas/vocabulary.js';
import { ActionCatalog } from './action-catalog.js';
import type { ActionRunSettings } from './action-runner.js';
import { CommandExecution, rolesOf } from './command-execution.js';
import { CommandGuard, type GuardSettings } from './command-guard.js';
import { readEnvelope, SIGNATURE_HEADER, verifyCommand, type CommandEnvelope, type SigningKey } from './command-message.js';
import { NotifyDispatcher, type Notifier, type NotifyRules } from './notifier.js';
import { ProtectedAccounts } from './protected-accounts.js';
import { RecipientAllowList } from './recipients.js';
import { followTopic, type TopicFollower } from '../policy/topic-follower.js';
import { CommandStateStore, type CommandState } from './state-store.js';
import { CommandJournal } from './command-journal.js';
import { deadLetterCommand, publishRejection } from './command-intake.js';

export interface GovernanceExecutorOptions {
  bus: KafkaBus;
  /** The process's connections: actions run on the instances' shared connectors. */
  connections: Connections;
  settings: GuardSettings & ActionRunSettings;
  groupId: string;
  /** Only commands signed with this key are carried out (see signCommand). */
  signingKey: SigningKey;
  /** Accounts never acted on automatically; privileged accounts are added from the account topic when `protectPrivileged`. */
  protection?: { accounts: readonly string[]; protectPrivileged: boolean };
  /** Notifiers of the `notify` action; none: notify commands are `unsupported`. */
  notifiers?: readonly Notifier[];
  /** Recipient rules of the `notify` action; default: nobody is allowed. */
  notify?: Omit<NotifyRules, 'now'>;
  /** The wall clock of the limits and the age check. Default Date.now. */
  now?: () => number;
  log: Logger;
}

/** Statuses after which a delivered command is not carried out again (only an approve or a retry moves it). */
const SETTLED: ReadonlySet<GovernanceStatus> = new Set(['awaiting_approval', 'succeeded', 'failed', 'unsupported', 'dry_run', 'reverted', 'skipped', 'rejected']);

/**
 * Carries out governance commands: a consumer group over `<prefix>.governance.command` that calls
 * the provider through the connector of the command's instance. Each command's latest state is kept
 * in a compacted topic, so a command delivered twice (a replay, a restart) is carried out once.
 * Every state change is published to `<prefix>.governance.result`.
 */
export class GovernanceExecutor {
  private readonly log: Logger;
  private readonly store: CommandStateStore;
  private readonly journal: CommandJournal;
  private readonly catalog: ActionCatalog;
  private readonly notify: NotifyDispatcher;
  private readonly protection: ProtectedAccounts;
  private readonly guard: CommandGuard;
  private readonly execution: CommandExecution;
  private readonly abort = new AbortController();
  private consumer: ConsumerHandle | null = null;
  private accounts: TopicFollower | null = null;
  /** The partitions the loaded states were loaded for; another assignment means a reload. */
  private loadedFor: string | null = null;
  private readonly counters = { handled: 0, succeeded: 0, failed: 0, deadLettered: 0, rejected: 0 };

  constructor(private readonly options: GovernanceExecutorOptions) {
    this.log = options.log.child({ component: 'governance' });
    this.store = new CommandStateStore(options.bus, this.log);
    this.journal = new CommandJournal(options.bus, this.store, this.log);
    this.catalog = new ActionCatalog(options.connections);
    const now = options.now ?? Date.now;
    this.notify = new NotifyDispatcher(options.notifiers ?? [], { allowed: new RecipientAllowList([]), maxPerRecipientPerHour: 1, ...options.notify, now });
    this.protection = new ProtectedAccounts(options.protection?.accounts ?? [], options.protection?.protectPrivileged ?? true);
    for (const { provider, instance, definition, config } of options.connections.configured()) {
      const identities = definition.serviceIdentities?.(config) ?? [];
      if (identities.length > 0) this.protection.addServiceIdentities(provider, instance, identities);
    }
    this.guard = new CommandGuard(options.settings, this.protection, now);
    this.execution = new CommandExecution({
      store: this.store, journal: this.journal, guard: this.guard, catalog: this.catalog, notify: this.notify,
      settings: options.settings, signal: this.abort.signal, counters: this.counters, log: this.log,
    });
  }

  async start(): Promise<void> {
    const { bus } = this.options;
    // Privileged accounts come from the account scans: read them all before acting on anyone.
    this.accounts = await followTopic(bus, {
      topic: bus.topics.account, name: `${this.options.groupId}.accounts`, log: this.log, onRecord: (r) => this.onAccountRecord(r),
    });
    await this.accounts.caughtUp;
    await this.store.load();
    this.guard.remember(this.store.all());
    this.consumer = await this.options.bus.consume({
      groupId: this.options.groupId,
      topics: [this.options.bus.topics.governanceCommand],
      fromBeginning: true,
      eachBatch: (batch, ctx) => this.accept(batch, ctx.heartbeat, ctx.isRunning),
    });
    this.log.info({ groupId: this.options.groupId, commands: this.store.size, dryRun: this.options.settings.dryRun }, 'governance executor started');
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('the governance executor is stopping'));
    // Each waits out its own fetch: together, not one after the other.
    await Promise.all([this.consumer?.stop(), this.accounts?.stop()]);
    this.log.info({ ...this.counters }, 'governance executor stopped');
  }

  stats(): { handled: number; succeeded: number; failed: number; deadLettered: number; rejected: number; commands: number } {
    return { ...this.counters, commands: this.store.size };
  }

  private async accept(batch: ConsumedBatch, heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    await this.reloadIfReassigned();
    for (const record of batch.records) {
      if (!isRunning() || this.abort.signal.aborted) return;
      try {
        await this.handleRecord(record, heartbeat);
      } catch (err) {
        if (this.abort.signal.aborted) return; // stopping mid-command: it is delivered again and resumed
        throw err;
      }
      await this.consumer?.commit([{ topic: record.topic, partition: record.partition, offset: record.offset }]);
      await heartbeat();
    }
  }

  /** After a rebalance another member may have moved commands of our new partitions on: read the states again. */
  private async reloadIfReassigned(): Promise<void> {
    if (!this.consumer) return;
    const assignment = JSON.stringify(this.consumer.assignment().map((p) => `${p.topic}/${p.partition}`).sort());
    if (this.loadedFor !== null && this.loadedFor !== assignment) {
      await this.store.load();
      this.guard.remember(this.store.all());
    }
    this.loadedFor = assignment;
  }

  private async handleRecord(record: ConsumedRecord, heartbeat: () => Promise<void>): Promise<void> {
    let command: GovernanceCommand;
    try {
      if (!record.value) throw new Error('the message has no value');
      const decoded = decode(record.value);
      if (decoded.schema.name !== 'governance-command') throw new Error(`a ${decoded.schema.name} record on the governance command topic`);
      command = decoded.record as GovernanceCommand;
    } catch (err) {
      await this.deadLetter(record, err);
      return;
    }
    this.counters.handled++;
    const envelope = readEnvelope(record.headers);
    if (!verifyCommand(command, envelope, record.headers[SIGNATURE_HEADER], this.options.signingKey)) {
      await this.reject(record, command, envelope);
      return;
    }
    await this.handle(command, envelope, heartbeat);
  }

  /** A message nobody we trust signed: nothing is done, and the governance log says so. */
  private async reject(record: ConsumedRecord, command: GovernanceCommand, envelope: CommandEnvelope): Promise<void> {
    this.counters.rejected++;
    await publishRejection(this.options.bus, record, command, envelope, this.log);
  }

  private onAccountRecord(record: ConsumedRecord): void {
    if (!record.value) return;
    try {
      const decoded = decode(record.value);
      if (decoded.schema.name === 'account-event') this.protection.apply(decoded.record as AccountEvent);
    } catch {
      // Not an account record: the sink sends it to the dead-letter topic.
    }
  }

  private async handle(command: GovernanceCommand, envelope: CommandEnvelope, heartbeat: () => Promise<void>): Promise<void> {
    const id = command.command_id;
    const known = this.store.get(id);
    const log = this.log.child({ commandId: id, provider: command.provider, instance: command.instance, action: command.action });
    if (envelope.intent !== 'execute') {
      const wanted: GovernanceStatus = envelope.intent === 'approve' ? 'awaiting_approval' : 'failed';
      if (known?.status !== wanted) {
        log.info({ intent: envelope.intent, status: known?.status ?? null }, `${envelope.intent} ignored: the command is not ${wanted}`);
        return;
      }
      const who = envelope.requestedBy ? `${envelope.requestedBy.name} (${envelope.requestedBy.id}, ${envelope.requestedBy.role})` : 'unknown';
      const role = envelope.requestedBy?.role;
      const state: CommandState = envelope.intent === 'approve'
        ? { ...known, approvedBy: who, ...(role ? { approverRole: role } : {}) }
        : known;
      await this.execution.execute(state, heartbeat, envelope.intent === 'approve' ? `approved by ${who}` : `retry asked by ${who}`, [role]);
      return;
    }
    if (known && SETTLED.has(known.status)) {
      log.debug({ status: known.status }, 'command already handled; not carried out again');
      return;
    }
    // Stopped while running: carry it on (the action is idempotent) once the rules still allow it.
    if (known?.status === 'running') {
      await this.execution.execute(known, heartbeat, 'resumed after a restart', []);
      return;
    }
    const fresh = { ...newState(command, envelope.reverts), ...(envelope.requestedBy ? { role: envelope.requestedBy.role } : {}) };
    let state = known ?? await this.journal.record(fresh, 'pending', { message: `requested by ${command.requested_by}` });
    const refusal = this.execution.refusal(command);
    if (refusal) {
      state = await this.journal.record(state, refusal.status, { message: refusal.message, retriable: false });
      if (refusal.status === 'failed') this.counters.failed++;
      return;
    }
    const verdict = this.guard.onArrival(command) ?? this.guard.beforeRun(state, rolesOf(state, []));
    if (verdict) {
      await this.execution.settle(state, verdict);
      return;
    }
    if (command.requires_approval) {
      await this.journal.record(state, 'awaiting_approval', { message: 'waiting for a person to approve it (POST /v1/governance/:id/approve)' });
      return;
    }
    await this.execution.execute(state, heartbeat, null, []);
  }

  private async deadLetter(record: ConsumedRecord, err: unknown): Promise<void> {
    await deadLetterCommand(this.options.bus, record, err, this.log);
    this.counters.deadLettered++;
  }
}

function newState(command: GovernanceCommand, reverts: string | undefined): CommandState {
  return { command, status: 'pending', attempt: 0, at: 0, message: null, retriable: false, ...(reverts ? { reverts } : {}) };
}
