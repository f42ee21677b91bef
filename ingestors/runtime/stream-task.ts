import type { InstanceSettings } from '../../core/config.js';
import type { StreamPermission } from '../contract.js';
import type { ActivityPoller } from './activity-poller.js';
import type { ChangePoller } from './change-poller.js';
import type { SnapshotScanner } from './snapshot-scanner.js';
import type { StreamStatus } from './stream-status.js';

const FAILED_SCAN_RETRY_MS = 60_000;

/** The kinds of work of an instance; each runs in its own lane, so that an hours-long file scan delays no poll. */
export type LaneKind = 'accounts' | 'files' | 'activities' | 'changes';

/** One stream as a lane schedules it: a pass, and when the next one is due. */
export interface StreamTask {
  readonly name: string;
  readonly lane: LaneKind;
  readonly stream: StreamPermission;
  readonly status: StreamStatus;
  pass(signal: AbortSignal): Promise<void>;
  /** When the next pass is due (epoch ms). */
  dueAt(): number;
  /** After a pass: `failed` unless it succeeded; `waitMs`, how long the provider asked to wait. */
  passed(outcome: { failed: boolean; refused: boolean; waitMs: number }, now: number): void;
}

/** An activity or change poll: again `every` ms after the previous pass, or after the provider's wait. */
export function pollTask(lane: 'activities' | 'changes', name: string, stream: StreamPermission, poller: ActivityPoller | ChangePoller, every: number): StreamTask {
  let next = 0;
  return {
    name, lane, stream, status: poller.status,
    pass: (signal) => poller.poll(signal),
    dueAt: () => next,
    passed: ({ waitMs }, now) => { next = now + Math.max(every, waitMs); },
  };
}

/**
 * A full scan, every `accountsEveryMs` / `filesEveryMs` after the last complete one; a failed one a minute
 * later (or after the provider's wait). `rescanWantedAt`: when a change feed of the same topic last
 * restarted from the present; unless the last complete scan started after it, the scan is due then.
 */
export function scanTask(name: string, stream: StreamPermission, scanner: SnapshotScanner, schedule: InstanceSettings['schedule'], rescanWantedAt: () => number | null = () => null): StreamTask {
  const lane: LaneKind = scanner.topic === 'file' ? 'files' : 'accounts';
  const every = lane === 'files' ? schedule.filesEveryMs : schedule.accountsEveryMs;
  let retryAt = 0;
  const earlyAt = (): number => {
    const wanted = rescanWantedAt();
    return wanted !== null && (scanner.lastCompletedStartedAt() ?? -Infinity) < wanted ? wanted : Infinity;
  };
  return {
    name, lane, stream, status: scanner.status,
    pass: (signal) => scanner.scan(signal),
    dueAt: () => Math.max(Math.min((scanner.lastCompletedAt() ?? 0) + every, earlyAt()), retryAt),
    // A scan refused for a permission waits for the permission check, not for the retry delay.
    passed: ({ failed, refused, waitMs }, now) => { retryAt = failed && !refused ? now + Math.max(waitMs, FAILED_SCAN_RETRY_MS) : 0; },
  };
}
