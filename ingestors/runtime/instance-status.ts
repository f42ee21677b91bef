import type { AppConfig } from '../../core/config.js';
import type { KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import type { CredentialCheck } from '../contract.js';
import { CursorStore } from './cursor-store.js';
import type { HttpClient } from './http-client.js';
import type { UnknownEventType } from './unknown-event-types.js';
import { completedScanOf, feedRestartsOf, type StreamStatus } from './stream-status.js';

export type InstancePhase = 'starting' | 'validating' | 'scanning_accounts' | 'running' | 'error' | 'stopped';

export interface InstanceStatus {
  provider: string;
  instance: string;
  phase: InstancePhase | 'unknown';
  credentials: CredentialCheck | null;
  streams: StreamStatus[];
  http: ReturnType<HttpClient['stats']> | null;
  /**
   * Event types the provider's table does not know, seen recently by this process (most recent
   * first, bounded); absent when read from the cursors topic by a process that does not run it.
   */
  unknownEventTypes?: UnknownEventType[];
  /** `runner`: the process runs the instance; `cursors`: read from the cursors topic by a process that does not. */
  source: 'runner' | 'cursors';
  /** With `source: cursors`, when the runner last recorded its status. */
  reportedAt?: string | null;
  /** The connector worker (`host:pid`) that runs the instance (with `source: cursors`: that last recorded its status). */
  worker?: string;
}

/** What a runner records in the cursors topic, under `<provider>/<instance>/@status`, for processes that do not run it. */
export interface SavedStatus {
  phase: InstancePhase;
  worker?: string;
  credentials: CredentialCheck | null;
  streams: Array<Pick<StreamStatus, 'stream' | 'kind' | 'state' | 'lastSuccessAt' | 'lastError' | 'notAvailable'> & { deadLettered?: number }>;
}

export const STATUS_STREAM = '@status';

/** What the cursors topic keeps of a status, for API processes that do not run the instance. */
export function savedStatusOf(status: InstanceStatus, phase: InstancePhase, worker: string | undefined): SavedStatus {
  return {
    phase,
    ...(worker ? { worker } : {}),
    credentials: status.credentials,
    streams: status.streams.map(({ stream, kind, state, lastSuccessAt, lastError, deadLettered, notAvailable }) => ({
      stream, kind, state, lastSuccessAt, lastError, deadLettered, ...(notAvailable ? { notAvailable } : {}),
    })),
  };
}

/** The fields of the instance's `progress` log line: totals of its streams, throttling, and each activity stream's freshness. */
export function progressLine(status: InstanceStatus): Record<string, unknown> {
  const totals = status.streams.reduce(
    (acc, s) => ({ fetched: acc.fetched + s.fetched, published: acc.published + s.published, deadLettered: acc.deadLettered + s.deadLettered }),
    { fetched: 0, published: 0, deadLettered: 0 },
  );
  return {
    phase: status.phase,
    ...totals,
    throttleWaits: status.http?.throttled ?? 0,
    throttleWaitMs: status.http?.throttleWaitMs ?? 0,
    freshness: Object.fromEntries(status.streams.filter((s) => s.kind === 'activities').map((s) => [s.stream, s.freshnessMs])),
  };
}

/** A connector instance by name. */
export interface InstanceName {
  provider: string;
  instance: string;
}

/**
 * The instances a process that runs no connector lists: every enabled one of the configuration, and
 * every one added or changed at run time (`connections`, the connections topic) that is not disconnected.
 */
export function listedInstances(
  connectors: AppConfig['connectors'], connections: ReadonlyArray<InstanceName & { state: string }>,
): InstanceName[] {
  const out = new Map<string, InstanceName>();
  for (const [provider, instances] of Object.entries(connectors)) {
    for (const [instance, config] of Object.entries(instances)) {
      if (config.enabled) out.set(`${provider}/${instance}`, { provider, instance });
    }
  }
  for (const c of connections) {
    const key = `${c.provider}/${c.instance}`;
    if (c.state === 'disconnected') out.delete(key);
    else out.set(key, { provider: c.provider, instance: c.instance });
  }
  return [...out.values()];
}

/**
 * The status of every listed instance (see `listedInstances`) as the cursors topic tells it, for a
 * process that runs no connector (`--roles api`): what the runner last recorded (phase, missing
 * permissions, stream states) and, per stream, the cursor (read up to, last complete scan). Re-reads
 * the topic at most every `refreshMs`.
 */
export class CursorStatusSource {
  readonly #cursors: CursorStore;
  #loadedAt = 0;
  #loading: Promise<void> | null = null;

  constructor(
    bus: Pick<KafkaBus, 'send' | 'readCompactedTopic' | 'topics'>,
    private readonly instances: () => InstanceName[],
    log: Logger,
    private readonly refreshMs = 2000,
  ) {
    this.#cursors = new CursorStore(bus, log.child({ component: 'connector-status' }));
  }

  async statuses(): Promise<InstanceStatus[]> {
    if (Date.now() - this.#loadedAt >= this.refreshMs) {
      this.#loading ??= this.#cursors.load().then(() => { this.#loadedAt = Date.now(); }).finally(() => { this.#loading = null; });
      await this.#loading;
    }
    const byInstance = new Map<string, Array<[string, Record<string, unknown>]>>();
    for (const [key, cursor] of this.#cursors.entries()) {
      const [provider, instance, ...rest] = key.split('/');
      const list = byInstance.get(`${provider}/${instance}`) ?? [];
      list.push([rest.join('/'), cursor.position]);
      byInstance.set(`${provider}/${instance}`, list);
    }
    const out: InstanceStatus[] = [];
    for (const { provider, instance } of this.instances()) {
      out.push(fromCursors(provider, instance, byInstance.get(`${provider}/${instance}`) ?? [], this.#cursors.get(CursorStore.key(provider, instance, STATUS_STREAM))?.savedAt));
    }
    return out;
  }
}

function fromCursors(provider: string, instance: string, cursors: Array<[string, Record<string, unknown>]>, reportedAt: number | undefined): InstanceStatus {
  const saved = cursors.find(([stream]) => stream === STATUS_STREAM)?.[1] as SavedStatus | undefined;
  const positions = new Map(cursors.filter(([stream]) => stream !== STATUS_STREAM));
  const names = [...new Set([...(saved?.streams ?? []).map((s) => s.stream), ...positions.keys()])];
  const streams = names.map((name): StreamStatus => {
    const recorded = saved?.streams.find((s) => s.stream === name);
    const position = positions.get(name);
    const readUntil = position?.readUntil;
    const scan = completedScanOf(position);
    const kind = recorded?.kind ?? (scan ? 'snapshot' : typeof readUntil === 'number' ? 'activities' : 'changes');
    return {
      stream: name,
      kind,
      state: recorded?.state ?? 'waiting',
      fetched: 0, published: 0, deadLettered: recorded?.deadLettered ?? 0, repeated: 0,
      readUntil: typeof readUntil === 'number' ? new Date(readUntil).toISOString() : null,
      freshnessMs: typeof readUntil === 'number' ? Math.max(0, Date.now() - readUntil) : null,
      lastRunStartedAt: null,
      lastSuccessAt: recorded?.lastSuccessAt ?? null,
      nextRunAt: null,
      lastError: recorded?.lastError ?? null,
      ...(recorded?.notAvailable ? { notAvailable: recorded.notAvailable } : {}),
      ...(recorded?.kind === 'snapshot' || scan ? { lastCompletedScan: scan } : {}),
      ...(kind === 'changes' ? { feedRestarts: feedRestartsOf(position) } : {}),
    };
  });
  return {
    provider, instance, phase: saved?.phase ?? 'unknown', credentials: saved?.credentials ?? null, streams, http: null,
    source: 'cursors', reportedAt: reportedAt === undefined ? null : new Date(reportedAt).toISOString(),
    ...(saved?.worker ? { worker: saved.worker } : {}),
  };
}
