/** What the runtime knows about one stream of one instance; shown in progress lines and the API. */
export interface StreamStatus {
  stream: string;
  kind: 'activities' | 'snapshot' | 'changes';
  /**
   * `missing_permission`: the stream waits for the next permission check (see the instance's `credentials.missing`).
   * `not_available`: the tenant lacks what it reads (see `notAvailable`); it tries again every `schedule.unavailableRecheckMs`.
   */
  state: 'waiting' | 'running' | 'idle' | 'error' | 'missing_permission' | 'not_available';
  /** Set while the state is `not_available`: why, and since when (the first pass that found it so). */
  notAvailable?: { reason: string; since: string };
  /** Records received from the provider since start. */
  fetched: number;
  /** Events Kafka acknowledged since start. */
  published: number;
  deadLettered: number;
  /** Set by the API: the dead letters passed `DEGRADED_DEAD_LETTERS`. */
  degraded?: boolean;
  /** Re-read records already published by this process (trailing window). */
  repeated: number;
  /** Activities: everything the provider timestamped before this instant has been read. */
  readUntil: string | null;
  /** Activities: how far behind the provider the stream is, in ms, as of the last poll. */
  freshnessMs: number | null;
  lastRunStartedAt: string | null;
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  /** Snapshots: the last complete scan, as saved with the stream's cursor (so it survives a restart). */
  lastCompletedScan?: CompletedScan | null;
  /** Changes: the provider refused the feed's cursor and the feed restarted from the present; as saved with the cursor. */
  feedRestarts?: FeedRestarts | null;
}

/** A change feed's restarts from the present; after each, the scan of its topic runs early to cover the gap. */
export interface FeedRestarts {
  count: number;
  lastAt: string;
  /** The parts restarted the last time (`user:<email>`...; `*`: the whole feed). */
  parts: string[];
  /** The provider's refusal, the last time. */
  reason: string;
}

/** The restarts a change stream's cursor records, or null. */
export function feedRestartsOf(position: Record<string, unknown> | undefined): FeedRestarts | null {
  const restarts = position?.restarts as { count?: unknown; lastAt?: unknown; parts?: unknown; reason?: unknown } | undefined;
  if (typeof restarts?.lastAt !== 'number' || typeof restarts.count !== 'number') return null;
  return {
    count: restarts.count,
    lastAt: new Date(restarts.lastAt).toISOString(),
    parts: Array.isArray(restarts.parts) ? restarts.parts.map(String) : [],
    reason: typeof restarts.reason === 'string' ? restarts.reason : '',
  };
}

export interface CompletedScan {
  startedAt: string | null;
  completedAt: string;
  records: number | null;
}

/** The last complete scan a snapshot cursor records (`completedAt`, `startedAt`, `records`), or null. */
export function completedScanOf(position: Record<string, unknown> | undefined): CompletedScan | null {
  const completedAt = position?.completedAt;
  if (typeof completedAt !== 'number') return null;
  const startedAt = position?.startedAt;
  const records = position?.records;
  return {
    startedAt: typeof startedAt === 'number' ? new Date(startedAt).toISOString() : null,
    completedAt: new Date(completedAt).toISOString(),
    records: typeof records === 'number' ? records : null,
  };
}

export function newStreamStatus(stream: string, kind: StreamStatus['kind']): StreamStatus {
  return {
    stream, kind, state: 'waiting', fetched: 0, published: 0, deadLettered: 0, repeated: 0,
    readUntil: null, freshnessMs: null, lastRunStartedAt: null, lastSuccessAt: null, nextRunAt: null, lastError: null,
  };
}

/** Dead letters (since the runner started) from which a stream is shown `degraded` in `/v1/connectors`. */
export const DEGRADED_DEAD_LETTERS = 10;

/** Whether a stream's dead letters passed the threshold: bad input does not stop it, but someone should look. */
export function isDegraded(status: Pick<StreamStatus, 'deadLettered'>): boolean {
  return status.deadLettered >= DEGRADED_DEAD_LETTERS;
}
