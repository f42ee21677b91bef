import type { ClickHouse } from '../../core/clickhouse.js';
import type { AccountEvent, AuditEvent } from '../../schemas/types.js';
import { ACCOUNT_EVENT_COLUMNS, accountRowToAccountEvent, type StoredAccountRow } from '../sink/row-to-record.js';
import { TABLES } from '../sink/tables.js';
import { AccountDirectory } from './account-directory.js';
import type { PolicyNeeds } from './compile.js';
import type { ActorAccount, Enricher, PolicyRecord } from './record-context.js';

/** Actors and apps loaded before the directory is dropped and refilled (a long backtest touches many). */
const MAX_LOADED = 100_000;

/**
 * An Enricher over the accounts stored in ClickHouse (the latest state of each account, group,
 * membership and app grant), answering as the policy processor's AccountDirectory does, because it
 * is one: the stored records the evaluation will ask about are applied to an AccountDirectory.
 * Evaluation asks synchronously, so `prepare` loads what a page of records will ask first.
 */
export class StoredAccountsEnricher implements Enricher {
  private directory = new AccountDirectory();
  /** Actor and app keys whose records the directory holds. */
  private readonly loaded = new Set<string>();

  constructor(private readonly clickhouse: ClickHouse) {}

  /** Loads the accounts of the records' actors and the grants of their apps, as far as the needs ask. */
  async prepare(records: readonly PolicyRecord[], needs: PolicyNeeds): Promise<void> {
    const actors = needs.actorAccount ? records.filter((r): r is AuditEvent => 'event_id' in r).filter((e) => !this.loaded.has(actorKey(e))) : [];
    const grants = needs.grantUserCount
      ? records.filter((r): r is AccountEvent => 'kind' in r && r.kind === 'app_grant' && r.app !== null).filter((g) => !this.loaded.has(appKey(g)))
      : [];
    if (actors.length === 0 && grants.length === 0) return;
    if (this.loaded.size + actors.length + grants.length > MAX_LOADED) {
      this.directory = new AccountDirectory();
      this.loaded.clear();
    }
    if (actors.length > 0) await this.loadActors(actors);
    if (grants.length > 0) await this.loadGrants(grants);
  }

  actorAccount(event: AuditEvent): ActorAccount | null {
    return this.directory.actorAccount(event);
  }

  grantUserCount(grant: AccountEvent): number | null {
    return this.directory.grantUserCount(grant);
  }

  private async loadActors(events: AuditEvent[]): Promise<void> {
    const ids = [...new Set(events.map((e) => e.actor.id).filter((id): id is string => !!id))];
    const emails = [...new Set(events.map((e) => e.actor.email?.toLowerCase()).filter((m): m is string => !!m))];
    const people = await this.select(
      "kind IN ('user', 'membership') AND (subject_id IN {ids:Array(String)} OR user_key IN {emails:Array(String)})", { ids, emails },
    );
    // A user found by email has memberships under its id.
    const more = [...new Set(people.filter((r) => r.kind === 'user' && !ids.includes(r.subject.id)).map((r) => r.subject.id))];
    const memberships = more.length ? await this.select("kind = 'membership' AND subject_id IN {ids:Array(String)}", { ids: more }) : [];
    const groupIds = [...new Set([...people, ...memberships].map((r) => r.group?.id).filter((id): id is string => !!id))];
    const groups = groupIds.length ? await this.select("kind = 'group' AND subject_id IN {ids:Array(String)}", { ids: groupIds }) : [];
    for (const record of [...groups, ...people, ...memberships].sort((a, b) => a.observed_at - b.observed_at)) this.directory.apply(record);
    for (const e of events) this.loaded.add(actorKey(e));
  }

  private async loadGrants(grants: AccountEvent[]): Promise<void> {
    const apps = [...new Set(grants.map((g) => g.app!.id))];
    const records = await this.select("kind = 'app_grant' AND app_id IN {apps:Array(String)}", { apps });
    for (const record of records.sort((a, b) => a.observed_at - b.observed_at)) this.directory.apply(record);
    for (const g of grants) this.loaded.add(appKey(g));
  }

  private async select(where: string, params: Record<string, unknown>): Promise<AccountEvent[]> {
    const rows = await this.clickhouse.query<StoredAccountRow>(`SELECT ${ACCOUNT_EVENT_COLUMNS} FROM ${TABLES.accounts} FINAL WHERE ${where}`, params);
    return rows.map(accountRowToAccountEvent);
  }
}

function actorKey(e: AuditEvent): string {
  return `actor\u001f${e.provider}\u001f${e.instance}\u001f${e.actor.id ?? ''}\u001f${e.actor.email?.toLowerCase() ?? ''}`;
}

function appKey(g: AccountEvent): string {
  return `app\u001f${g.provider}\u001f${g.instance}\u001f${g.app!.id}`;
}
