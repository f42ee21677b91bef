import { isAppwardenError, providerStatus } from '../../core/errors.js';
import type { Capability, CredentialCheck } from '../contract.js';
import type { BoxClient } from './client.js';

/**
 * The application scopes of a Box Platform app (Developer Console → Configuration → Application
 * Scopes), as the streams and actions name them when Box refuses a call with 403.
 */
export const PERMISSIONS = {
  events: 'manage_enterprise_properties',
  users: 'manage_managed_users',
  groups: 'manage_groups',
  content: 'root_readwrite',
} as const;
type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

const FILE_ACTIONS: Capability[] = [
  'action:remove_public_link', 'action:remove_external_collaborators', 'action:make_private', 'action:quarantine', 'action:restore_sharing', 'action:apply_label',
];

/** What each scope serves, and one small read that shows whether the token has it. */
const PROBES: Array<{ permission: Permission; capabilities: Capability[]; path: string; query: Record<string, string | number> }> = [
  { permission: PERMISSIONS.users, capabilities: ['accounts', 'privileges', 'action:suspend_user', 'action:unsuspend_user', 'action:revoke_sessions'], path: '/users', query: { limit: 1, fields: 'id' } },
  { permission: PERMISSIONS.groups, capabilities: ['groups'], path: '/groups', query: { limit: 1 } },
  { permission: PERMISSIONS.events, capabilities: ['activities:logon', 'activities:user', 'activities:admin', 'files:realtime'], path: '/events', query: { stream_type: 'admin_logs', limit: 1 } },
  { permission: PERMISSIONS.content, capabilities: ['files:periodic', ...FILE_ACTIONS], path: '/folders/0', query: { fields: 'id' } },
];

/** Which scopes the app's token carries, probed scope by scope; the scans leave out what it cannot read. */
export class CredentialProbe {
  #granted: Set<string> | null = null;
  #serviceAccount: { id: string; login: string | null } | null = null;

  constructor(private readonly client: BoxClient) {}

  /** Before the first check every scope is assumed; afterwards, those the check saw work. */
  allows(permission: Permission): boolean {
    return this.#granted === null || this.#granted.has(permission);
  }

  /** The service account the connector acts as (never a governance target). */
  async serviceAccount(): Promise<{ id: string; login: string | null }> {
    if (this.#serviceAccount === null) {
      const me = await this.client.me();
      this.#serviceAccount = { id: String(me.id), login: typeof me.login === 'string' ? me.login : null };
    }
    return this.#serviceAccount;
  }

  async check(): Promise<CredentialCheck> {
    try {
      await this.serviceAccount();
    } catch (err) {
      if (isAppwardenError(err, 'AW_PROVIDER_AUTH_FAILED') || isAppwardenError(err, 'AW_CONFIG_INVALID')) {
        const reason = `credentials refused: ${(err as Error).message}`;
        return { ok: false, permissions: [], missing: PROBES.flatMap((p) => p.capabilities.map((capability) => ({ capability, reason }))) };
      }
      throw err;
    }
    const permissions: string[] = [];
    const missing: CredentialCheck['missing'] = [];
    for (const probe of PROBES) {
      try {
        await this.client.api.get(probe.path, probe.query);
        permissions.push(probe.permission);
      } catch (err) {
        if (isAppwardenError(err, 'AW_PROVIDER_THROTTLED') || isAppwardenError(err, 'AW_PROVIDER_UNAVAILABLE')) {
          permissions.push(probe.permission);
          continue;
        }
        if (providerStatus(err) !== 403) throw err;
        const reason = `missing permission: ${probe.permission} (Box answered 403; the app needs the scope, and the service account an admin role for enterprise events)`;
        for (const capability of probe.capabilities) missing.push({ capability, reason, permission: probe.permission });
      }
    }
    this.#granted = new Set(permissions);
    return { ok: permissions.length > 0, permissions, missing };
  }
}
