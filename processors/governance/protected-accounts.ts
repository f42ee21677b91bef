import type { AccountEvent, GovernanceCommand } from '../../schemas/types.js';

/**
 * Accounts governance never acts on by itself, and acts on by hand only for an admin: the configured
 * ids, emails and patterns (`governance.protectedAccounts`), the connectors' own service identities,
 * and (with `governance.protectPrivileged`) every account the account scans show holding a privilege
 * (but one its connector marks `admin_grade: 'false'`).
 */
export class ProtectedAccounts {
  private readonly exact = new Set<string>();
  private readonly patterns: Array<(value: string) => boolean> = [];
  /** provider␟instance → record_id of a live privilege record → the ids and email of its user. */
  private readonly privileges = new Map<string, Map<string, string[]>>();

  constructor(configured: readonly string[], private readonly privileged: boolean) {
    for (const entry of configured) {
      const value = entry.trim().toLowerCase();
      if (value.includes('*')) this.patterns.push(wildcard(value));
      else this.exact.add(value);
    }
  }

  /** Adds identities protected on one instance only (the connector's service identity). */
  addServiceIdentities(provider: string, instance: string, identities: readonly string[]): void {
    const scope = this.scope(provider, instance);
    for (const id of identities) scope.set(`service:${id}`, [id.toLowerCase()]);
  }

  /** Applies an account record: privilege records add or remove their user. */
  apply(record: AccountEvent): void {
    if (record.kind !== 'privilege' || !this.privileged) return;
    const scope = this.scope(record.provider, record.instance);
    // A privilege its connector marks not admin-grade (an AWS read-only policy) protects no one.
    if (record.deleted || record.attributes.admin_grade === 'false') scope.delete(record.record_id);
    else scope.set(record.record_id, [record.subject.id, record.subject.email].filter((v): v is string => !!v).map((v) => v.toLowerCase()));
  }

  /** Why the command's target is protected (the matching rule), or null. */
  reason(command: Pick<GovernanceCommand, 'provider' | 'instance' | 'target' | 'params' | 'action'>): string | null {
    if (command.action === 'notify') return null;
    const candidates = [command.target.id, command.target.name, command.params.user_id]
      .filter((v): v is string => typeof v === 'string' && v !== '').map((v) => v.toLowerCase());
    for (const value of candidates) {
      if (this.exact.has(value) || this.patterns.some((match) => match(value))) return `${value} is listed in governance.protectedAccounts`;
    }
    for (const [key, ids] of this.privileges.get(`${command.provider}\u001f${command.instance}`) ?? []) {
      const hit = candidates.find((v) => ids.includes(v));
      if (hit) return key.startsWith('service:') ? `${hit} is the connector's own service identity` : `${hit} holds an admin privilege`;
    }
    return null;
  }

  private scope(provider: string, instance: string): Map<string, string[]> {
    const key = `${provider}\u001f${instance}`;
    let scope = this.privileges.get(key);
    if (!scope) this.privileges.set(key, (scope = new Map()));
    return scope;
  }
}

/**
 * A matcher for a pattern where `*` is any run of characters, by the greedy two-pointer walk: it
 * backtracks only to the last `*`, so its time is bounded by the product of the lengths, never exponential.
 */
export function wildcard(pattern: string): (value: string) => boolean {
  return (value) => {
    let p = 0;
    let v = 0;
    let star = -1;
    let mark = 0;
    while (v < value.length) {
      if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
        p++;
        v++;
      } else if (p < pattern.length && pattern[p] === '*') {
        star = p++;
        mark = v;
      } else if (star !== -1) {
        p = star + 1;
        v = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length && pattern[p] === '*') p++;
    return p === pattern.length;
  };
}
