import type { Logger } from '../../core/logger.js';
import { sleep } from '../../core/sleep.js';
import type { ActionHandler, ActionTarget } from '../../ingestors/contract.js';
import type { GovernanceCommand } from '../../schemas/types.js';
import type { ActionCatalog } from './action-catalog.js';
import { describeFailure, runAction, type ActionRunOutcome, type ActionRunSettings } from './action-runner.js';
import { describeTarget, type CommandGuard, type Verdict } from './command-guard.js';
import type { CommandJournal } from './command-journal.js';
import { supersedes } from './conflicts.js';
import type { NotifyDispatcher } from './notifier.js';
import type { CommandState, CommandStateStore } from './state-store.js';

/** Heartbeat period while an action runs, well inside a consumer's session timeout. */
const HEARTBEAT_EVERY_MS = 3000;

/** What carrying out a command needs from the executor; `counters` are the executor's own. */
export interface CommandExecutionParts {
  store: CommandStateStore;
  journal: CommandJournal;
  guard: CommandGuard;
  catalog: ActionCatalog;
  notify: NotifyDispatcher;
  settings: ActionRunSettings;
  /** Aborted when the executor stops: a running action stops and is carried on after the restart. */
  signal: AbortSignal;
  counters: { succeeded: number; failed: number };
  log: Logger;
}

/**
 * Carrying out one accepted command: the guard's rules, a stronger action already done, the
 * provider's handler (or the notifier), retries and verification, and every state recorded in the
 * journal; a revert marks the command it reverts.
 */
export class CommandExecution {
  constructor(private readonly deps: CommandExecutionParts) {}

  /** Records a guard's verdict (dry run, skipped, rejected, over the ceiling). */
  async settle(state: CommandState, verdict: NonNullable<Verdict>): Promise<void> {
    if (verdict.status === 'failed') this.deps.counters.failed++;
    if (verdict.status === 'rejected') {
      this.deps.log.warn({ security: true, commandId: state.command.command_id, requestedBy: state.command.requested_by }, verdict.message);
    }
    await this.deps.journal.record(state, verdict.status, { message: verdict.message, retriable: verdict.retriable });
  }

  /** Why the command cannot be carried out here at all, as the status to record. */
  refusal(command: GovernanceCommand): { status: 'unsupported' | 'failed'; message: string } | null {
    if (command.action === 'notify') {
      const reason = this.deps.notify.unsupportedReason(command);
      return reason ? { status: 'unsupported', message: reason } : null;
    }
    const found = this.deps.catalog.lookup(command.provider, command.instance, command.action);
    if (found.kind === 'unknown') return { status: 'failed', message: found.reason };
    if (found.kind === 'unsupported') return { status: 'unsupported', message: found.reason };
    return null;
  }

  private handler(command: GovernanceCommand): ActionHandler | null {
    if (command.action === 'notify') return { run: (_target, _params, signal) => this.deps.notify.send(command, signal) };
    const found = this.deps.catalog.lookup(command.provider, command.instance, command.action);
    return found.kind === 'ready' ? found.handler : null;
  }

  /**
   * Carries a command out, whatever brought it here (new, approved, retried, resumed): the guard's
   * rules are checked again first, since the kill switch or the target may have changed meanwhile.
   * `asking`: roles of whoever asked on this path besides the requester and approver (a retrier).
   */
  async execute(initial: CommandState, heartbeat: () => Promise<void>, why: string | null, asking: ReadonlyArray<string | undefined>): Promise<void> {
    const { command } = initial;
    let state = initial;
    const verdict = this.deps.guard.beforeRun(state, rolesOf(state, asking));
    if (verdict) {
      await this.settle(state, verdict);
      return;
    }
    const stronger = this.strongerDone(command);
    if (stronger) {
      await this.deps.journal.record(state, 'succeeded', {
        message: `superseded: ${stronger.command.action} (${stronger.command.command_id}) already succeeded on this ${command.target.type}; nothing to do`,
      });
      this.deps.counters.succeeded++;
      return;
    }
    const handler = this.handler(command);
    const refusal = handler ? null : this.refusal(command);
    if (!handler) {
      await this.deps.journal.record(state, refusal?.status ?? 'unsupported', { message: refusal?.message ?? `${command.action} is not available`, retriable: false });
      return;
    }
    const over = this.deps.guard.takeSlot(command);
    if (over) {
      await this.settle(state, over);
      return;
    }
    // An action may wait long (a throttled provider, retries, verify): stay in the group meanwhile.
    const ticker = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    let outcome: ActionRunOutcome;
    try {
      // The command's target type is an open vocabulary; each handler checks the types it acts on.
      outcome = await runAction(handler, { ...command.target } as ActionTarget, this.paramsOf(state), this.deps.settings, {
        onAttempt: async (n, previous) => {
          const message = n > 1 ? `retrying after: ${describeFailure(previous)}` : why;
          state = await this.deps.journal.record(state, 'running', { attempt: state.attempt + 1, message });
        },
        pause: (ms) => sleepOrStop(ms, this.deps.signal),
      }, this.deps.signal);
    } finally {
      clearInterval(ticker);
    }

    if (outcome.kind === 'succeeded') {
      const { result } = outcome;
      state = await this.deps.journal.record(state, 'succeeded', {
        message: result.message ?? (result.status === 'noop' ? 'already in the wanted state' : 'applied'),
        ...(result.undo ? { undo: result.undo } : {}),
      });
      this.deps.counters.succeeded++;
      if (state.reverts) await this.markReverted(state);
      return;
    }
    this.deps.counters.failed++;
    if (outcome.kind === 'not_verified') {
      const last = outcome.lastError ? ` (last check: ${describeFailure(outcome.lastError)})` : '';
      await this.deps.journal.record(state, 'failed', {
        message: `${command.action} was sent, but ${describeTarget(command)} did not show it after ${outcome.checks} checks${last}`,
        retriable: true,
      });
      return;
    }
    await this.deps.journal.record(state, 'failed', { message: describeFailure(outcome.error), retriable: outcome.retriable });
  }

  /**
   * The parameters the handler gets: the command's own, and on a revert also the `undo` record the
   * original action returned (what it changed), which the inverse needs to put things back.
   */
  private paramsOf(state: CommandState): Readonly<Record<string, string>> {
    const undo = state.reverts ? this.deps.store.get(state.reverts)?.undo : undefined;
    return undo ? { ...state.command.params, ...undo } : state.command.params;
  }

  /** A succeeded, not reverted command on the same target whose action makes this one moot. */
  private strongerDone(command: GovernanceCommand): CommandState | undefined {
    return this.deps.store.onTarget(command).find((other) =>
      other.command.command_id !== command.command_id && other.status === 'succeeded'
      && supersedes(command.target.type, other.command.action, command.action));
  }

  private async markReverted(revert: CommandState): Promise<void> {
    const original = this.deps.store.get(revert.reverts!);
    if (!original || original.status !== 'succeeded') return;
    await this.deps.journal.record({ ...original, revertedBy: revert.command.command_id }, 'reverted', {
      message: `reverted by ${revert.command.command_id} (${revert.command.action}, requested by ${revert.command.requested_by})`,
    });
  }
}

/** Sleeps; rejects with the stop reason when stopped, so the command is left to be carried on later. */
async function sleepOrStop(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, signal);
  if (signal.aborted) throw signal.reason;
}

/** The roles of the people who asked for a command on this path: a person's command needs them all to be allowed. */
export function rolesOf(state: CommandState, asking: ReadonlyArray<string | undefined>): Array<string | undefined> {
  if (state.command.requested_by.startsWith('policy:')) return state.approvedBy ? [state.approverRole, ...asking] : [...asking];
  return [state.role, ...(state.approvedBy ? [state.approverRole] : []), ...asking];
}
