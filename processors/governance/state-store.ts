import type { KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import type { GovernanceCommand } from '../../schemas/types.js';
import type { GovernanceStatus } from '../../schemas/vocabulary.js';

/** What the executor knows of one command: the command itself and where it is in its life. */
export interface CommandState {
  command: GovernanceCommand;
  status: GovernanceStatus;
  /** Attempts made so far (0 before the first). */
  attempt: number;
  /** When the status was reached; strictly increasing per command, so the latest step is unambiguous. */
  at: number;
  message: string | null;
  retriable: boolean;
  /** The command this one reverts, when it is a revert. */
  reverts?: string;
  /** The revert that undid this command. */
  revertedBy?: string;
  /** Who approved it, once approved, and their role (from the API's credential). */
  approvedBy?: string;
  approverRole?: string;
  /** The requester's role, for a person's command (from the API's credential). */
  role?: string;
  /** What the action changed, as the connector reported it. */
  undo?: Record<string, string>;
}

/** The key of a target, across commands: provider, instance, type and id. */
export function targetKey(command: Pick<GovernanceCommand, 'provider' | 'instance' | 'target'>): string {
  return [command.provider, command.instance, command.target.type, command.target.id].join('\u001f');
}

/**
 * The latest state of every governance command, kept in a compacted topic keyed by command id (as
 * the cursor store keeps cursors), so that a restarted or new executor knows which commands are
 * done. `save` resolves once Kafka acknowledged the write.
 */
export class CommandStateStore {
  private states = new Map<string, CommandState>();
  private byTarget = new Map<string, Set<string>>();

  constructor(private readonly bus: Pick<KafkaBus, 'send' | 'readCompactedTopic' | 'topics'>, private readonly log: Logger) {}

  /** Reads the whole topic, replacing what this store held. */
  async load(): Promise<void> {
    const records = await this.bus.readCompactedTopic(this.bus.topics.governanceState);
    const states = new Map<string, CommandState>();
    for (const record of records) {
      if (!record.key) continue;
      const id = record.key.toString();
      if (!record.value) {
        states.delete(id);
        continue;
      }
      try {
        states.set(id, JSON.parse(record.value.toString()) as CommandState);
      } catch (err) {
        this.log.warn({ err, commandId: id }, 'ignoring an unreadable command state');
      }
    }
    this.states = states;
    this.byTarget = new Map();
    for (const state of states.values()) this.index(state);
    this.log.info({ commands: states.size }, 'governance command states loaded');
  }

  get(commandId: string): CommandState | undefined {
    return this.states.get(commandId);
  }

  /** Every known command acting on the same target as `command`. */
  onTarget(command: Pick<GovernanceCommand, 'provider' | 'instance' | 'target'>): CommandState[] {
    const ids = this.byTarget.get(targetKey(command)) ?? new Set<string>();
    return [...ids].flatMap((id) => this.states.get(id) ?? []);
  }

  async save(state: CommandState): Promise<void> {
    await this.bus.send(this.bus.topics.governanceState, [{ key: state.command.command_id, value: Buffer.from(JSON.stringify(state)) }]);
    this.states.set(state.command.command_id, state);
    this.index(state);
  }

  all(): Iterable<CommandState> {
    return this.states.values();
  }

  get size(): number {
    return this.states.size;
  }

  private index(state: CommandState): void {
    const key = targetKey(state.command);
    const ids = this.byTarget.get(key);
    if (ids) ids.add(state.command.command_id);
    else this.byTarget.set(key, new Set([state.command.command_id]));
  }
}
