import { isAppwardenError } from '../../core/errors.js';
import type { Capability, CredentialCheck } from '../contract.js';
import type { Audience, TokenSource } from './token-source.js';

interface Requirement {
  capabilities: readonly Capability[];
  audience: Audience;
  /** Application permissions, any one of which serves the capabilities (the first is the one to grant). */
  anyOf: readonly string[];
}

const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const WRITE_FILES = ['Files.ReadWrite.All', 'Sites.ReadWrite.All', 'Sites.FullControl.All'];

/** What each capability needs, from Microsoft's permission reference for the calls the connector makes. */
export const REQUIREMENTS: readonly Requirement[] = [
  { capabilities: ['accounts'], audience: 'graph', anyOf: READ_USERS },
  { capabilities: ['groups'], audience: 'graph', anyOf: ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] },
  { capabilities: ['privileges'], audience: 'graph', anyOf: ['RoleManagement.Read.Directory', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All', 'Directory.ReadWrite.All'] },
  { capabilities: ['app_grants'], audience: 'graph', anyOf: ['Directory.Read.All', 'Directory.ReadWrite.All', 'DelegatedPermissionGrant.Read.All', 'DelegatedPermissionGrant.ReadWrite.All'] },
  { capabilities: ['activities:logon', 'activities:user', 'activities:admin'], audience: 'management', anyOf: ['ActivityFeed.Read'] },
  { capabilities: ['files:periodic', 'files:realtime'], audience: 'graph', anyOf: ['Files.Read.All', 'Sites.Read.All', ...WRITE_FILES] },
  { capabilities: ['action:suspend_user', 'action:unsuspend_user'], audience: 'graph', anyOf: ['User.EnableDisableAccount.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'] },
  { capabilities: ['action:revoke_sessions'], audience: 'graph', anyOf: ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'] },
  { capabilities: ['action:force_password_change'], audience: 'graph', anyOf: ['User-PasswordProfile.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'] },
  { capabilities: ['action:remove_from_group'], audience: 'graph', anyOf: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'] },
  { capabilities: ['action:remove_privilege'], audience: 'graph', anyOf: ['RoleManagement.ReadWrite.Directory'] },
  { capabilities: ['action:revoke_app_grant'], audience: 'graph', anyOf: ['DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'] },
  {
    capabilities: ['action:remove_permission', 'action:remove_public_link', 'action:remove_external_collaborators', 'action:make_private', 'action:quarantine', 'action:restore_sharing', 'action:apply_label'],
    audience: 'graph',
    anyOf: WRITE_FILES,
  },
];

/**
 * Asks for a token of each audience and reads the application permissions it carries (the `roles`
 * claim): every declared capability none of whose permissions was granted is reported as
 * `missing permission: ...`. `ok` is false only when no token could be had at all.
 */
export async function checkOffice365Credentials(tokens: TokenSource, declared: readonly Capability[], contentTypes: readonly string[]): Promise<CredentialCheck> {
  const granted: Partial<Record<Audience, Set<string> | null>> = {};
  const failures: Partial<Record<Audience, string>> = {};
  for (const audience of ['graph', 'management'] as const) {
    try {
      await tokens.token(audience);
      const roles = tokens.roles(audience);
      granted[audience] = roles === null ? null : new Set(roles);
    } catch (err) {
      if (!isAppwardenError(err)) throw err;
      failures[audience] = `no ${audience === 'graph' ? 'Microsoft Graph' : 'Management API'} token: ${err.message}`;
    }
  }
  const permissions: string[] = [];
  for (const audience of ['graph', 'management'] as const) {
    const roles = granted[audience];
    if (roles === null) permissions.push(`${audience}:(token roles unreadable)`);
    else if (roles) permissions.push(...[...roles].sort().map((r) => `${audience}:${r}`));
  }
  const missing: CredentialCheck['missing'] = [];
  const requirements = [...REQUIREMENTS];
  if (contentTypes.includes('DLP.All')) requirements.push({ capabilities: ['activities:user'], audience: 'management', anyOf: ['ActivityFeed.ReadDlp'] });
  for (const requirement of requirements) {
    const roles = granted[requirement.audience];
    const failure = failures[requirement.audience];
    // Unreadable roles (not a JWT): the calls themselves will tell.
    if (roles === null) continue;
    const reason = failure !== undefined
      ? `missing permission: ${requirement.anyOf[0]} (${failure})`
      : roles !== undefined && !requirement.anyOf.some((p) => roles.has(p))
        ? `missing permission: ${requirement.anyOf.join(' or ')}`
        : null;
    if (reason === null) continue;
    for (const capability of requirement.capabilities) if (declared.includes(capability)) missing.push({ capability, reason });
  }
  const ok = failures.graph === undefined || failures.management === undefined;
  return { ok, permissions, missing };
}
