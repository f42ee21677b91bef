import type { AccountEvent, AuditEvent, FileEvent } from '../../schemas/types.js';
import type { AccountStatus } from '../../schemas/vocabulary.js';

/** A record a policy can evaluate: an audit event, a file state, or an account record (app grants). */
export type PolicyRecord = AuditEvent | FileEvent | AccountEvent;

/** Which topic's record it is. */
export type RecordKind = 'audit' | 'file' | 'account';

/** The account of an audit event's actor, as the latest account scan saw it (`actor_account.*` fields). */
export interface ActorAccount {
  status: AccountStatus | null;
  /** Names and ids of the groups the actor belongs to. */
  groups: readonly string[];
  /** True when the account no longer exists at the provider. */
  deleted: boolean;
}

/**
 * Facts a policy may use that are not in the record itself; the policy processor answers them from
 * the account topic it keeps in memory. Both are synchronous: evaluation is a hot path, and they are
 * asked only when a compiled policy uses the field (`CompiledPolicy.needs`).
 */
export interface Enricher {
  /** The account of the event's actor (same provider and instance), or null when unknown. */
  actorAccount?(event: AuditEvent): ActorAccount | null;
  /** How many users granted the app of this app_grant record (same provider, instance and app id). */
  grantUserCount?(grant: AccountEvent): number | null;
}

/** What a record is, told by the fields only its schema has. */
export function recordKindOf(record: PolicyRecord): RecordKind {
  if ('event_id' in record) return 'audit';
  if ('file' in record) return 'file';
  return 'account';
}

/** The time a record is evaluated at: when the activity occurred, or when the state was observed. */
export function recordTime(record: PolicyRecord): number {
  return 'occurred_at' in record ? record.occurred_at : record.observed_at;
}

/** The id of a record: event_id for audit events, record_id for states. */
export function recordIdOf(record: PolicyRecord): string {
  return 'event_id' in record ? record.event_id : record.record_id;
}

/** One record under evaluation, with its enrichments fetched at most once whatever the number of policies asking. */
export class RecordContext {
  private account: ActorAccount | null | undefined;
  private userCount: number | null | undefined;

  constructor(
    readonly record: PolicyRecord,
    private readonly enricher: Enricher | null,
  ) {}

  actorAccount(): ActorAccount | null {
    if (this.account === undefined) {
      this.account = 'event_id' in this.record ? this.enricher?.actorAccount?.(this.record) ?? null : null;
    }
    return this.account;
  }

  grantUserCount(): number | null {
    if (this.userCount === undefined) {
      this.userCount = 'kind' in this.record && 'subject' in this.record ? this.enricher?.grantUserCount?.(this.record) ?? null : null;
    }
    return this.userCount;
  }
}
