import type { AppConfig } from '../../core/config.js';
import type { ConsumedBatch, ConsumedRecord, ConsumerHandle, KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { sleep } from '../../core/sleep.js';
import type { ActionHandler, ActionTarget, ConnectorDefinition } from '../../ingestors/contract.js';
import { deadLetterFrom } from '../../ingestors/runtime/dead-letter.js';
import { decode, encode } from '../../schemas/registry.js';
import type { GovernanceCommand, GovernanceResult } from '../../schemas/types.js';
import type { GovernanceStatus } from '../../schemas/vocabulary.js';
import { ActionCatalog } from './action-catalog.js';
import { describeFailure, runAction, type ActionRunOutcome, type ActionRunSettings } from './action-runner.js';
import { readEnvelope, type CommandEnvelope } from './command-message.js';
import { supersedes } from './conflicts.js';
import { NotifyDispatcher, type Notifier } from './notifier.js';
import { CommandStateStore, type CommandState } from './state-store.js';

export interface GovernanceExecutorOptions {
  bus: KafkaBus;
  connectors: AppConfig['connectors'];
  definitions: ReadonlyMap<string, ConnectorDefinition>;
  settings: Pick<AppConfig['governance'], 'dryRun'> & ActionRunSettings;
  groupId: string;
  /** Notifiers of the `notify` action; none: notify commands are `unsupported`. */
  notifiers?: readonly Notifier[];
  /** Recipient of notify commands that name none. */
  defaultNotifyTo?: string;
  log: Logger;
}

/** Statuses after which a delivered command is not carried out again (only an approve or a retry moves it). */
const SETTLED: ReadonlySet<GovernanceStatus> = new Set(['awaiting_approval', 'succeeded', 'failed', 'unsupported', 'dry_run', 'reverted']);
/** Heartbeat period while an action runs, well inside a consumer's session timeout. */
const HEARTBEAT_EVERY_MS = 3000;

/**
 * Carries out governance commands: a consumer group over `<prefix>.governance.command` that calls
 * the provider through the connector of the command's instance. Each command's latest state is kept
 * in a compacted topic, so a command delivered twice (a replay, a restart) is carried out once.
 * Every state change is published to `<prefix>.governance.result`.
 */
export class GovernanceExecutor {
  private readonly log: Logger;
  private readonly store: CommandStateStore;
  private readonly catalog: ActionCatalog;
  private readonly notify: NotifyDispatcher;
  private readonly abort = new AbortController();
  private consumer: ConsumerHandle | null = null;
  /** The partitions the loaded states were loaded for; another assignment means a reload. */
  private loadedFor: string | null = null;
  private readonly counters = { handled: 0, succeeded: 0, failed: 0, deadLettered: 0 };

  constructor(private readonly options: GovernanceExecutorOptions) {
    this.log = options.log.child({ component: 'governance' });
    this.store = new CommandStateStore(options.bus, this.log);
    this.catalog = new ActionCatalog(options.connectors, options.definitions, options.log, this.abort.signal);
    this.notify = new NotifyDispatcher(options.notifiers ?? [], options.defaultNotifyTo);
  }

  async start(): Promise<void> {
    await this.store.load();
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
    await this.consumer?.stop();
    this.log.info({ ...this.counters }, 'governance executor stopped');
  }

  stats(): { handled: number; succeeded: number; failed: number; deadLettered: number; commands: number } {
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
    if (this.loadedFor !== null && this.loadedFor !== assignment) await this.store.load();
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
    await this.handle(command, readEnvelope(record.headers), heartbeat);
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
      const who = envelope.requestedBy ?? 'unknown';
      const state = envelope.intent === 'approve' ? { ...known, approvedBy: who } : known;
      await this.execute(state, heartbeat, envelope.intent === 'approve' ? `approved by ${who}` : `retry asked by ${who}`);
      return;
    }
    if (known && SETTLED.has(known.status)) {
      log.debug({ status: known.status }, 'command already handled; not carried out again');
      return;
    }
    // Stopped while running: carry it on (the action is idempotent); approval, if needed, was given.
    if (known?.status === 'running') {
      await this.execute(known, heartbeat, 'resumed after a restart');
      return;
    }
    let state = known ?? await this.transition(newState(command, envelope.reverts), 'pending', { message: `requested by ${command.requested_by}` });
    const refusal = this.refusal(command);
    if (refusal) {
      state = await this.transition(state, refusal.status, { message: refusal.message, retriable: false });
      if (refusal.status === 'failed') this.counters.failed++;
      return;
    }
    if (command.mode === 'dry_run' || this.options.settings.dryRun) {
      await this.transition(state, 'dry_run', { message: `dry run: would ${command.action} ${describeTarget(command)}; nothing was changed` });
      return;
    }
    if (command.requires_approval) {
      await this.transition(state, 'awaiting_approval', { message: 'waiting for a person to approve it (POST /v1/governance/:id/approve)' });
      return;
    }
    await this.execute(state, heartbeat, null);
  }

  /** Why the command cannot be carried out here at all, as the status to record. */
  private refusal(command: GovernanceCommand): { status: 'unsupported' | 'failed'; message: string } | null {
    if (command.action === 'notify') {
      const reason = this.notify.unsupportedReason(command);
      return reason ? { status: 'unsupported', message: reason } : null;
    }
    const found = this.catalog.lookup(command.provider, command.instance, command.action);
    if (found.kind === 'unknown') return { status: 'failed', message: found.reason };
    if (found.kind === 'unsupported') return { status: 'unsupported', message: found.reason };
    return null;
  }

  private handler(command: GovernanceCommand): ActionHandler | null {
    if (command.action === 'notify') return { run: (_target, _params, signal) => this.notify.send(command, signal) };
    const found = this.catalog.lookup(command.provider, command.instance, command.action);
    return found.kind === 'ready' ? found.handler : null;
  }

  private async execute(initial: CommandState, heartbeat: () => Promise<void>, why: string | null): Promise<void> {
    const { command } = initial;
    let state = initial;
    const stronger = this.strongerDone(command);
    if (stronger) {
      await this.transition(state, 'succeeded', {
        message: `superseded: ${stronger.command.action} (${stronger.command.command_id}) already succeeded on this ${command.target.type}; nothing to do`,
      });
      this.counters.succeeded++;
      return;
    }
    const handler = this.handler(command);
    const refusal = handler ? null : this.refusal(command);
    if (!handler) {
      await this.transition(state, refusal?.status ?? 'unsupported', { message: refusal?.message ?? `${command.action} is not available`, retriable: false });
      return;
    }
    // An action may wait long (a throttled provider, retries, verify): stay in the group meanwhile.
    const ticker = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    let outcome: ActionRunOutcome;
    try {
      // The command's target type is an open vocabulary; each handler checks the types it acts on.
      outcome = await runAction(handler, { ...command.target } as ActionTarget, this.paramsOf(state), this.options.settings, {
        onAttempt: async (n, previous) => {
          const message = n > 1 ? `retrying after: ${describeFailure(previous)}` : why;
          state = await this.transition(state, 'running', { attempt: state.attempt + 1, message });
        },
        pause: (ms) => sleepOrStop(ms, this.abort.signal),
      }, this.abort.signal);
    } finally {
      clearInterval(ticker);
    }

    if (outcome.kind === 'succeeded') {
      const { result } = outcome;
      state = await this.transition(state, 'succeeded', {
        message: result.message ?? (result.status === 'noop' ? 'already in the wanted state' : 'applied'),
        ...(result.undo ? { undo: result.undo } : {}),
      });
      this.counters.succeeded++;
      if (state.reverts) await this.markReverted(state);
      return;
    }
    this.counters.failed++;
    if (outcome.kind === 'not_verified') {
      const last = outcome.lastError ? ` (last check: ${describeFailure(outcome.lastError)})` : '';
      await this.transition(state, 'failed', {
        message: `${command.action} was sent, but ${describeTarget(command)} did not show it after ${outcome.checks} checks${last}`,
        retriable: true,
      });
      return;
    }
    await this.transition(state, 'failed', { message: describeFailure(outcome.error), retriable: outcome.retriable });
  }

  /**
   * The parameters the handler gets: the command's own, and on a revert also the `undo` record the
   * original action returned (what it changed), which the inverse needs to put things back.
   */
  private paramsOf(state: CommandState): Readonly<Record<string, string>> {
    const undo = state.reverts ? this.store.get(state.reverts)?.undo : undefined;
    return undo ? { ...state.command.params, ...undo } : state.command.params;
  }

  /** A succeeded, not reverted command on the same target whose action makes this one moot. */
  private strongerDone(command: GovernanceCommand): CommandState | undefined {
    return this.store.onTarget(command).find((other) =>
      other.command.command_id !== command.command_id && other.status === 'succeeded'
      && supersedes(command.target.type, other.command.action, command.action));
  }

  private async markReverted(revert: CommandState): Promise<void> {
    const original = this.store.get(revert.reverts!);
    if (!original || original.status !== 'succeeded') return;
    await this.transition({ ...original, revertedBy: revert.command.command_id }, 'reverted', {
      message: `reverted by ${revert.command.command_id} (${revert.command.action}, requested by ${revert.command.requested_by})`,
    });
  }

  /** Records a new status: the result topic for everyone, the state topic for the next executor. */
  private async transition(
    from: CommandState, status: GovernanceStatus,
    change: { message?: string | null; retriable?: boolean; attempt?: number; undo?: Record<string, string> } = {},
  ): Promise<CommandState> {
    const state: CommandState = {
      ...from,
      status,
      // Strictly increasing per command, so that the latest step is the one with the greatest time.
      at: Math.max(Date.now(), from.at + 1),
      attempt: change.attempt ?? from.attempt,
      message: change.message ?? null,
      retriable: change.retriable ?? false,
      ...(change.undo ? { undo: change.undo } : {}),
    };
    const { command } = state;
    const result: GovernanceResult = {
      command_id: command.command_id,
      status,
      provider: command.provider,
      instance: command.instance,
      action: command.action,
      target: command.target,
      attempt: state.attempt,
      at: state.at,
      message: state.message,
      retriable: state.retriable,
    };
    await Promise.all([
      this.options.bus.send(this.options.bus.topics.governanceResult, [{ key: command.command_id, value: Buffer.from(encode('governance-result', result)) }]),
      this.store.save(state),
    ]);
    this.log.info({ commandId: command.command_id, action: command.action, target: command.target.id, status, attempt: state.attempt, message: state.message }, `governance command ${status}`);
    return state;
  }

  private async deadLetter(record: ConsumedRecord, err: unknown): Promise<void> {
    const dead = deadLetterFrom(err, {
      stage: 'decode', provider: null, instance: null, stream: null,
      raw: record.value ? record.value.toString('base64') : '',
      origin: { topic: record.topic, partition: record.partition, offset: String(record.offset) },
    });
    await this.options.bus.send(this.options.bus.topics.deadLetter, [{
      key: `${record.topic}/${record.partition}`, value: Buffer.from(JSON.stringify(dead)), headers: { 'aw-code': dead.code, 'aw-stage': dead.stage },
    }]);
    this.counters.deadLettered++;
    this.log.warn({ offset: record.offset, partition: record.partition, reason: dead.reason }, 'an undecodable governance command went to the dead-letter topic');
  }
}

/** Sleeps; rejects with the stop reason when stopped, so the command is left to be carried on later. */
async function sleepOrStop(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, signal);
  if (signal.aborted) throw signal.reason;
}

function newState(command: GovernanceCommand, reverts: string | undefined): CommandState {
  return { command, status: 'pending', attempt: 0, at: 0, message: null, retriable: false, ...(reverts ? { reverts } : {}) };
}

function describeTarget(command: GovernanceCommand): string {
  const { type, id, name } = command.target;
  return name && name !== id ? `${type} ${name} (${id})` : `${type} ${id}`;
}
