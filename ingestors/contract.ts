import type { TSchema } from 'typebox';
import { AppwardenError } from '../core/errors.js';
import type { InstanceConfig, InstanceSettings } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { AccountEvent, AuditEvent, FileEvent } from '../schemas/types.js';
import type { Provider } from '../schemas/vocabulary.js';
import type { HttpClient, HttpClientOptions } from './runtime/http-client.js';
import type { ActionHandlers, ActionTable, ActionVerb } from './action-contract.js';

export {
  ACTION_VERBS, actionTable, connectorCapabilities,
  type ActionHandler, type ActionHandlers, type ActionResult, type ActionTable, type ActionTarget, type ActionVerb,
} from './action-contract.js';

/** Provider ids, used in schemas, topics, configuration and the API. */
export type ProviderId = Provider;

/**
 * What a connector can do, cell by cell of shared/CAPABILITIES.md. Governance actions are
 * `action:<verb>`; the governance executor refuses an action the connector does not declare.
 */
export type Capability = DataCapability | `action:${ActionVerb}`;

/** What a connector reads; its `action:<verb>` capabilities are derived from its action table (see `connectorCapabilities`). */
export type DataCapability =
  | 'accounts' | 'groups' | 'privileges' | 'app_grants'
  | 'activities:logon' | 'activities:user' | 'activities:admin'
  | 'files:periodic' | 'files:realtime';

/** The context shared by every normalizer: which instance, and when we received the record. */
export interface NormalizeContext {
  instance: string;
  ingestedAt: number;
  /** The record exactly as the provider sent it, when the caller has the text. */
  rawText?: string;
  /** The activity stream that read the record (its `name`), when one did: a provider whose records do not say their kind (a ServiceNow table row) reads it here. */
  stream?: string;
  /** The IANA zone of times the record writes without an offset (the stream's `timeZone`); absent: UTC. */
  timeZone?: string;
}

export interface SnapshotContext {
  instance: string;
  observedAt: number;
}

/**
 * What a stream serves and which provider permission it needs, so that the runner knows what an
 * HTTP 403 of the stream means: its capabilities are shown missing with that permission's name,
 * the stream waits for the next permission check, and every other stream keeps running.
 */
export interface StreamPermission {
  /** The capabilities this stream serves (e.g. `activities:logon`...). */
  readonly capabilities: readonly Capability[];
  /** The provider's name of the permission it needs (`okta.logs.read`, `ActivityFeed.Read`, a scope URL). */
  readonly permission: string;
  /**
   * Whether an error of a pass means the tenant lacks what the stream reads (no license for the
   * product, the product not enabled): the reason to show, else null. Such a stream is not failing:
   * it shows state `not_available` and tries again only every `schedule.unavailableRecheckMs`.
   */
  unavailable?(err: unknown): string | null;
}

/** A half-open time range [since, until) in epoch milliseconds. */
export interface TimeWindow {
  since: number;
  until: number;
}

/**
 * A stream of audit records read by time. The runtime decides which windows to read (first
 * history, then polls that re-read a trailing window); the stream only knows how to read one.
 */
export interface ActivityStream extends StreamPermission {
  /** Unique within the instance, e.g. `system_log`; sub-streams use `name/sub`. */
  readonly name: string;
  /**
   * The order of the records `read` yields within a window: `asc` (the default), oldest first; or
   * `desc`, newest first (Google's Reports API). After a `desc` page nothing says the older records
   * of the window were read, so the runtime then moves the cursor only once the window is complete.
   */
  readonly order?: 'asc' | 'desc';
  /** Yields pages of raw records whose time is in the window, in `order`. */
  read(window: TimeWindow, signal: AbortSignal): AsyncIterable<unknown[]>;
  /** The record's time (epoch ms) or null when it has none; used to move the cursor. */
  timeOf(raw: unknown): number | null;
  /**
   * The IANA zone in which the stream's records write times without an offset (a ServiceNow instance's
   * zone); the normalizer receives it as `NormalizeContext.timeZone`, so the raw record stays as sent.
   */
  readonly timeZone?: string;
  // Records are normalized by the connector's `normalizeActivity`, the one path `appwarden normalize` uses too.
}

/** One item of a snapshot scan or change feed; `kind` names its normalizer in the stream's `kinds`. */
export interface SnapshotItem<K extends string = string> {
  kind: K;
  raw: unknown;
}

/** The normalizer of one kind of snapshot item. */
export type SnapshotNormalizer = (raw: unknown, ctx: SnapshotContext) => AccountEvent | FileEvent;

/**
 * A stream's item kinds, each with its normalizer: the only kinds its `read` may yield (checked by
 * the compiler). An item of another kind goes to the dead letters, its reason naming the kind.
 */
export type SnapshotKinds<K extends string = string> = { readonly [kind in K]: SnapshotNormalizer };

/** One page of a snapshot scan, with what the runtime needs to resume it and to find deletions. */
export interface SnapshotPage<K extends string = string> {
  items: SnapshotItem<K>[];
  /**
   * Where the scan stands once this page is done (a page token, a folder queue...). The runtime saves
   * it after Kafka acknowledged the page, and a restarted scan calls `read(signal, checkpoint)`.
   */
  checkpoint?: string;
  /**
   * The part of the stream the items come from (`user:<email>`, `drive:<id>`...); default: each
   * entity's kind (user, group, membership, privilege, app_grant, file).
   */
  scope?: string;
  /**
   * Parts this scan could not read (a missing permission, a user whose Drive is closed to us): what
   * the last complete scan saw there is kept, not deleted. `*` is the whole stream.
   */
  skipped?: string[];
}

/**
 * A full scan of state (accounts, groups, privileges, grants, or files), repeated periodically. After
 * a scan that read to its end, whatever the previous complete scan saw and this one did not (outside
 * its `skipped` parts) becomes a deletion event.
 */
export interface SnapshotStream<K extends string = string> extends StreamPermission {
  readonly name: string;
  readonly topic: 'account' | 'file';
  readonly kinds: SnapshotKinds<K>;
  /** Yields the pages of one scan; with `resume`, the pages after that checkpoint (or all, if the stream cannot resume). */
  read(signal: AbortSignal, resume?: string): AsyncIterable<SnapshotPage<K>>;
}

/**
 * An entity a change feed says left one view of the tenant (Drive's `removed`: deleted, or that
 * user lost access). It is a deletion only when the last complete scan saw the entity in one of
 * `scopes` (a scope ending in `*` matches every scope that starts with the rest).
 */
export interface Removal<K extends string = string> {
  /** Normalized like the feed's other items, to find the entity's record id. */
  item: SnapshotItem<K>;
  scopes: string[];
}

export interface ChangePage<K extends string = string> {
  items: SnapshotItem<K>[];
  cursor: string;
  removed?: Removal<K>[];
  /**
   * The provider refused the saved cursor of the feed, or of parts of it (an expired or invalid page
   * token, delta link or stream position), and the stream restarted them from the present: `cursor`
   * holds the new position. What changed in between is not in the feed any more, so the runtime logs
   * the restart, shows it in the stream's status and runs the scan of the same topic early.
   */
  restarted?: FeedRestart[];
}

/** One restart of a change feed from the present, after the provider refused its cursor. */
export interface FeedRestart {
  /** The part of the feed restarted (`user:<email>`, `drive:<id>`, `space:<id>`); absent: the whole feed. */
  part?: string;
  /** The provider's refusal, as a person reads it. */
  reason: string;
}

/**
 * A feed of changes read from a provider's own cursor (Graph delta link, Drive changes page token,
 * Dropbox list_folder cursor): near-realtime updates between full scans. The runtime saves the
 * cursor that follows a page only after Kafka acknowledged the page's events.
 */
export interface ChangeStream<K extends string = string> extends StreamPermission {
  readonly name: string;
  readonly topic: 'account' | 'file';
  readonly kinds: SnapshotKinds<K>;
  /** The cursor to begin with when none is saved: usually "from now on", since a full scan covers the past. */
  initialCursor(signal: AbortSignal): Promise<string>;
  /**
   * Changes after `cursor`, a page at a time, each with the cursor that follows it. A cursor the
   * provider refuses is not an error of the pass: the stream restarts that part from the present and
   * says so in the page (`restarted`), so that the feed does not fail every poll after.
   */
  read(cursor: string, signal: AbortSignal): AsyncIterable<ChangePage<K>>;
}

/** Normalizes an item with its stream's normalizer for its kind; an undeclared kind is an AW_NORMALIZE_FAILED naming it. */
export function normalizeItem(stream: Pick<SnapshotStream, 'name' | 'kinds'>, item: SnapshotItem, ctx: SnapshotContext): AccountEvent | FileEvent {
  const normalize = Object.hasOwn(stream.kinds, item.kind) ? stream.kinds[item.kind] : undefined;
  if (!normalize) {
    throw new AppwardenError('AW_NORMALIZE_FAILED', `unknown ${stream.name} item kind ${JSON.stringify(item.kind)}; known: ${Object.keys(stream.kinds).join(', ')}`, {
      details: { field: 'kind', stream: stream.name },
    });
  }
  return normalize(item.raw, ctx);
}

export interface CredentialCheck {
  ok: boolean;
  /** Permissions the credentials were seen to carry (scopes, admin roles...). */
  permissions: string[];
  /** Declared capabilities the credentials cannot serve, with the reason: "missing permission: ...". */
  missing: Array<{ capability: Capability; reason: string; permission?: string }>;
}

/** What the runtime gives a connector when it creates an instance. */
export interface ConnectorContext<C extends InstanceConfig = InstanceConfig> {
  instance: string;
  config: C;
  log: Logger;
  /**
   * Builds an HTTP client of the instance with its limits and the instance's secrets kept out of its
   * errors; the provider adds auth, paging and throttle reading. `C` is what its requests name as
   * their `credential` (an audience, an impersonated user).
   */
  http<C = undefined>(options: Pick<HttpClientOptions<C>, 'baseUrl' | 'authenticate' | 'onUnauthorized' | 'throttle' | 'trustedOrigins' | 'headers' | 'continuationRefused'> & {
    /**
     * The provider's documented rate for this client (AWS CloudTrail: 2 requests per second per account
     * and Region): requests are paced to it, or to the instance's `limits.requestsPerMinute` when stricter.
     */
    providerRate?: { requests: number; perMs: number };
  }): HttpClient<C>;
  signal: AbortSignal;
}

export interface ConnectorInstance {
  checkCredentials(): Promise<CredentialCheck>;
  readonly activityStreams: readonly ActivityStream[];
  readonly snapshotStreams: readonly SnapshotStream[];
  readonly changeStreams?: readonly ChangeStream[];
  /** Governance actions by verb: `definition.actions.build(...)`, so that they match the declared capabilities. */
  readonly actions?: ActionHandlers;
  /** The instance's HTTP client (or the main one), or anything that sums its clients' stats (requests, throttling waits). */
  readonly http: Pick<HttpClient<any>, 'stats'>;
}

/**
 * A provider's connector, declared once and registered in `ingestors/registry.ts`. The shared
 * runtime owns scheduling, cursors, publishing, dead letters and health.
 */
export interface ConnectorDefinition<C extends InstanceConfig = InstanceConfig> {
  id: ProviderId;
  displayName: string;
  /** The provider's own settings; secrets are marked `secret: true`. */
  configSchema: TSchema;
  /** `connectorCapabilities(reads, actions)`: the registry refuses `action:` capabilities that are not those of `actions`. */
  capabilities: readonly Capability[];
  /** The governance actions (an `actionTable`); `create` builds the instance's handlers from it. */
  actions?: ActionTable<never>;
  /**
   * Defaults of the shared instance settings that suit this provider, under what the user configured
   * (e.g. a longer trailing window for an API that publishes events hours late).
   */
  instanceDefaults?: { schedule?: Partial<InstanceSettings['schedule']>; activities?: Partial<InstanceSettings['activities']>; limits?: Partial<InstanceSettings['limits']> };
  /**
   * The normalizer of the provider's audit records, for every activity stream and for `appwarden
   * normalize`: one event, or several when one provider record holds several (a Google Reports
   * activity and its events). A record that fails goes whole to the dead letters.
   */
  normalizeActivity(raw: unknown, ctx: NormalizeContext): AuditEvent | AuditEvent[];
  /**
   * The provider's name of the event's type when its event-type table does not know it (the event
   * then has its application's category, or `other`, and action `other`), else null. The runtime
   * counts these per instance and `/v1/connectors` shows them, so tables grow from what users see.
   */
  unknownEventType?(event: AuditEvent): string | null;
  create(ctx: ConnectorContext<C>): ConnectorInstance;
  /** The accounts the connector itself acts as (ids or emails): governance never suspends or strips them automatically. */
  serviceIdentities?(config: C): string[];
}
