import type { AppConfig } from '../../core/config.js';
import type { GovernanceCommand } from '../../schemas/types.js';
import type { GovernanceStatus } from '../../schemas/vocabulary.js';
import { HourlyWindow } from './hourly-window.js';
import type { ProtectedAccounts } from './protected-accounts.js';
import type { CommandState } from './state-store.js';

export type GuardSettings = Pick<AppConfig['governance'], 'dryRun' | 'maxEventAgeMs' | 'limits'>;

/** Why a command is not carried out now, as the status to record; null: go on. */
export type Verdict = { status: Extract<GovernanceStatus, 'dry_run' | 'skipped' | 'rejected' | 'failed'>; message: string; retriable: boolean } | null;

const HOUR_MS = 3_600_000;
/** Statuses of a command that acted (or may have): they count against the hourly ceilings. */
const ACTED: ReadonlySet<GovernanceStatus> = new Set(['running', 'succeeded', 'failed', 'reverted']);

/**
 * The rules no policy and no request can lift, checked by the executor at every path that may act
 * (a new command, an approval, a retry, a resume after a restart): the kill switch and dry-run
 * mode, protected accounts, the age of a policy's evidence, and the hourly ceiling per connector
 * instance and action, counted on this process's wall clock.
 */
export class CommandGuard {
  private readonly acted = new HourlyWindow();

  constructor(
    private readonly settings: GuardSettings,
    private readonly protection: ProtectedAccounts,
    private readonly now: () => number,
  ) {}

  /** Counts the actions the known states show in the last hour (after a restart or a rebalance). */
  remember(states: Iterable<CommandState>): void {
    const since = this.now() - HOUR_MS;
    for (const s of states) if (s.attempt > 0 && ACTED.has(s.status) && s.at > since) this.acted.add(ceilingKey(s.command), s.at);
  }

  /** On first receipt: a policy's command about an old event is an alert only (a backfill, a replay). */
  onArrival(command: GovernanceCommand): Verdict {
    if (!isAutomatic(command)) return null;
    const age = this.now() - command.created_at;
    if (age <= this.settings.maxEventAgeMs) return null;
    return {
      status: 'skipped', retriable: false,
      message: `alert only: the event is ${describeAge(age)} old, older than governance.maxEventAgeMs (${describeAge(this.settings.maxEventAgeMs)}); nothing was changed`,
    };
  }

  /**
   * Before a command is put to approval or carried out: protection first (who may act on the
   * target), then the kill switch and the command's own dry-run mode. `roles`: the role of every
   * person who asked for it so far (requester, approver, retrier).
   */
  beforeRun(state: CommandState, roles: ReadonlyArray<string | undefined>): Verdict {
    const { command } = state;
    const reason = this.protection.reason(command);
    if (reason !== null) {
      if (isAutomatic(command)) {
        return { status: 'skipped', retriable: false, message: `protected account: ${reason}; policies never act on it (alert only)` };
      }
      const short = roles.filter((r) => r !== 'admin');
      if (roles.length === 0 || short.length > 0) {
        return {
          status: 'rejected', retriable: false,
          message: `protected account: ${reason}; acting on it by hand needs the admin role (asked with ${short.map((r) => r ?? 'no role').join(', ') || 'no role'})`,
        };
      }
    }
    if (this.settings.dryRun) return { status: 'dry_run', retriable: false, message: `dry run (governance.dryRun, the kill switch): would ${command.action} ${describeTarget(command)}; nothing was changed` };
    if (command.mode === 'dry_run') return { status: 'dry_run', retriable: false, message: `dry run: would ${command.action} ${describeTarget(command)}; nothing was changed` };
    return null;
  }

  /** Right before the action runs: takes a slot under the hourly ceiling, or says why there is none. */
  takeSlot(command: GovernanceCommand): Verdict {
    const max = this.ceiling(command.action);
    const key = ceilingKey(command);
    const now = this.now();
    if (this.acted.count(key, now) >= max) {
      return {
        status: 'failed', retriable: true,
        message: `safety ceiling: ${max} ${command.action} on ${command.provider}.${command.instance} in the last hour already (governance.limits); not carried out, retry later`,
      };
    }
    this.acted.add(key, now);
    return null;
  }

  /** The hourly ceiling of an action: its own entry in `governance.limits.perAction`, else `actionsPerHour`. */
  ceiling(action: string): number {
    return this.settings.limits.perAction[action] ?? this.settings.limits.actionsPerHour;
  }
}

/** A policy's command (as opposed to a person's). */
export function isAutomatic(command: Pick<GovernanceCommand, 'requested_by'>): boolean {
  return command.requested_by.startsWith('policy:');
}

function ceilingKey(command: Pick<GovernanceCommand, 'provider' | 'instance' | 'action'>): string {
  return `${command.provider}\u001f${command.instance}\u001f${command.action}`;
}

export function describeTarget(command: GovernanceCommand): string {
  const { type, id, name } = command.target;
  return name && name !== id ? `${type} ${name} (${id})` : `${type} ${id}`;
}

function describeAge(ms: number): string {
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)} d`;
  if (ms >= HOUR_MS) return `${Math.floor(ms / HOUR_MS)} h`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)} min`;
  return `${Math.floor(ms / 1000)} s`;
}
