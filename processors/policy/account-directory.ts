import type { AccountEvent, AuditEvent } from '../../schemas/types.js';
import type { AccountStatus } from '../../schemas/vocabulary.js';
import type { ActorAccount, Enricher } from './record-context.js';

interface UserEntry {
  status: AccountStatus | null;
  deleted: boolean;
  /** Group id → the group's name as the membership record gave it. */
  groups: Map<string, string | null>;
}

const SEP = '\u001f';

/**
 * What the account scans said last about each account, in memory, answering the enrichments
 * policies ask for: the status and groups of an audit event's actor (`actor_account.*`), and how many
 * users granted an OAuth app (`grant.user_count`). Fed with every record of the account topic.
 * Applying a record is idempotent and never goes back in time: a record older than the one already
 * applied for the same record_id changes nothing, so two readers of the topic can both feed it.
 */
export class AccountDirectory implements Enricher {
  /** provider␟instance␟subject id → the user's account. */
  private readonly users = new Map<string, UserEntry>();
  /** provider␟instance␟lower-cased email → subject id. */
  private readonly emails = new Map<string, string>();
  /** provider␟instance␟group id → group name. */
  private readonly groupNames = new Map<string, string | null>();
  /** provider␟instance␟app id → subject id → record ids of that user's live grants of the app. */
  private readonly grants = new Map<string, Map<string, Set<string>>>();
  /** record_id → observed_at of the record applied, so an older observation changes nothing. */
  private readonly observed = new Map<string, number>();

  /** Applies one account record; returns false when a newer observation of it was already applied. */
  apply(record: AccountEvent): boolean {
    const seen = this.observed.get(record.record_id);
    if (seen !== undefined && seen > record.observed_at) return false;
    this.observed.set(record.record_id, record.observed_at);
    const scope = `${record.provider}${SEP}${record.instance}`;
    switch (record.kind) {
      case 'user': {
        const entry = this.user(scope, record.subject.id);
        entry.status = record.status;
        entry.deleted = record.deleted;
        if (record.subject.email) this.emails.set(`${scope}${SEP}${record.subject.email.toLowerCase()}`, record.subject.id);
        break;
      }
      case 'group':
        this.groupNames.set(`${scope}${SEP}${record.subject.id}`, record.subject.name);
        break;
      case 'membership': {
        if (!record.group || record.subject.type === 'group') break;
        const entry = this.user(scope, record.subject.id);
        if (record.deleted) entry.groups.delete(record.group.id);
        else entry.groups.set(record.group.id, record.group.name);
        if (record.subject.email) this.emails.set(`${scope}${SEP}${record.subject.email.toLowerCase()}`, record.subject.id);
        break;
      }
      case 'app_grant': {
        if (!record.app) break;
        const appKey = `${scope}${SEP}${record.app.id}`;
        let byUser = this.grants.get(appKey);
        if (!byUser) this.grants.set(appKey, (byUser = new Map()));
        let records = byUser.get(record.subject.id);
        if (record.deleted) {
          records?.delete(record.record_id);
          if (records?.size === 0) byUser.delete(record.subject.id);
        } else {
          if (!records) byUser.set(record.subject.id, (records = new Set()));
          records.add(record.record_id);
        }
        break;
      }
      case 'privilege':
        break;
    }
    return true;
  }

  actorAccount(event: AuditEvent): ActorAccount | null {
    const scope = `${event.provider}${SEP}${event.instance}`;
    let entry = event.actor.id ? this.users.get(`${scope}${SEP}${event.actor.id}`) : undefined;
    if (!entry && event.actor.email) {
      const id = this.emails.get(`${scope}${SEP}${event.actor.email.toLowerCase()}`);
      if (id !== undefined) entry = this.users.get(`${scope}${SEP}${id}`);
    }
    if (!entry) return null;
    const groups: string[] = [];
    for (const [id, named] of entry.groups) {
      groups.push(id);
      // The group record's name is the newest; the membership's is what the scan saw beside it.
      const name = this.groupNames.get(`${scope}${SEP}${id}`) ?? named;
      if (name) groups.push(name);
    }
    return { status: entry.status, groups, deleted: entry.deleted };
  }

  grantUserCount(grant: AccountEvent): number | null {
    if (!grant.app) return null;
    const byUser = this.grants.get(`${grant.provider}${SEP}${grant.instance}${SEP}${grant.app.id}`);
    const count = byUser?.size ?? 0;
    // The record under evaluation counts even when this directory has not seen it yet.
    return !grant.deleted && !byUser?.has(grant.subject.id) ? count + 1 : count;
  }

  /** Accounts known (users, with or without a user record yet). */
  get size(): number {
    return this.users.size;
  }

  private user(scope: string, id: string): UserEntry {
    const key = `${scope}${SEP}${id}`;
    let entry = this.users.get(key);
    if (!entry) this.users.set(key, (entry = { status: null, deleted: false, groups: new Map() }));
    return entry;
  }
}
