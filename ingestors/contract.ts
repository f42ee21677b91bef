import type { TSchema } from 'typebox';
import type { InstanceConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { AccountEvent, AuditEvent, FileEvent } from '../schemas/types.js';
import type { Provider } from '../schemas/vocabulary.js';
import type { HttpClient, HttpClientOptions } from './runtime/http-client.js';

/** Provider ids, used in schemas, topics, configuration and the API. */
export type ProviderId = Provider;

/**
 * What a connector can do, cell by cell of shared/CAPABILITIES.md. Governance actions are
 * `action:<verb>`; the governance executor refuses an action the connector does not declare.
 */
export type Capability =
  | 'accounts' | 'groups' | 'privileges' | 'app_grants'
  | 'activities:logon' | 'activities:user' | 'activities:admin'
  | 'files:periodic' | 'files:realtime'
  | `action:${string}`;

/** The context shared by every normalizer: which instance, and when we received the record. */
export interface NormalizeContext {
  instance: string;
  ingestedAt: number;
  /** The record exactly as the provider sent it, when the caller has the text. */
  rawText?: string;
}

export interface SnapshotContext {
  instance: string;
  observedAt: number;
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
export interface ActivityStream {
  /** Unique within the instance, e.g. `system_log`; sub-streams use `name/sub`. */
  readonly name: string;
  /** Yields pages of raw records whose time is in the window, oldest first. */
  read(window: TimeWindow, signal: AbortSignal): AsyncIterable<unknown[]>;
  /** The record's time (epoch ms) or null when it has none; used to move the cursor. */
  timeOf(raw: unknown): number | null;
  normalize(raw: unknown, ctx: NormalizeContext): AuditEvent;
}

/** One item of a snapshot scan; `kind` tells the normalizer what it is. */
export interface SnapshotItem {
  kind: string;
  raw: unknown;
}

/** A full scan of state (accounts, groups, privileges, grants, or files), repeated periodically. */
export interface SnapshotStream {
  readonly name: string;
  readonly topic: 'account' | 'file';
  read(signal: AbortSignal): AsyncIterable<SnapshotItem[]>;
  normalize(item: SnapshotItem, ctx: SnapshotContext): AccountEvent | FileEvent;
}

export interface CredentialCheck {
  ok: boolean;
  /** Permissions the credentials were seen to carry (scopes, admin roles...). */
  permissions: string[];
  /** Declared capabilities the credentials cannot serve, with the reason: "missing permission: ...". */
  missing: Array<{ capability: Capability; reason: string }>;
}

/** What the runtime gives a connector when it creates an instance. */
export interface ConnectorContext<C extends InstanceConfig = InstanceConfig> {
  instance: string;
  config: C;
  log: Logger;
  /** Builds the instance's HTTP client with its limits; the provider adds auth, paging and throttle reading. */
  http(options: Pick<HttpClientOptions, 'baseUrl' | 'authenticate' | 'onUnauthorized' | 'throttle'>): HttpClient;
  signal: AbortSignal;
}

export interface ConnectorInstance {
  checkCredentials(): Promise<CredentialCheck>;
  readonly activityStreams: readonly ActivityStream[];
  readonly snapshotStreams: readonly SnapshotStream[];
  /** The instance's HTTP client, for stats (requests, throttling waits). */
  readonly http: HttpClient;
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
  capabilities: readonly Capability[];
  /** The normalizer of the provider's audit records, also used by `appwarden normalize`. */
  normalizeActivity(raw: unknown, ctx: NormalizeContext): AuditEvent;
  create(ctx: ConnectorContext<C>): ConnectorInstance;
}
