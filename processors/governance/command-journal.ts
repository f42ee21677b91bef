import type { KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { encode } from '../../schemas/registry.js';
import type { GovernanceResult } from '../../schemas/types.js';
import type { GovernanceStatus } from '../../schemas/vocabulary.js';
import type { CommandState, CommandStateStore } from './state-store.js';

/** What a step changes besides the status. */
export interface StepChange {
  message?: string | null;
  retriable?: boolean;
  attempt?: number;
  undo?: Record<string, string>;
}

/**
 * Records each step of a command: the result topic for everyone (the governance log), the state
 * topic for the next executor (so a command delivered again is not carried out twice).
 */
export class CommandJournal {
  constructor(private readonly bus: KafkaBus, private readonly store: CommandStateStore, private readonly log: Logger) {}

  async record(from: CommandState, status: GovernanceStatus, change: StepChange = {}): Promise<CommandState> {
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
      this.bus.send(this.bus.topics.governanceResult, [{ key: command.command_id, value: Buffer.from(encode('governance-result', result)) }]),
      this.store.save(state),
    ]);
    this.log.info({ commandId: command.command_id, action: command.action, target: command.target.id, status, attempt: state.attempt, message: state.message }, `governance command ${status}`);
    return state;
  }
}
