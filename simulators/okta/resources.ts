import type { OktaApp, OktaGrant, OktaGroup, OktaRoleAssignment, OktaUser } from './directory.js';

type Json = Record<string, unknown>;
const post = (href: string) => ({ href, method: 'POST' });

/** The lifecycle links Okta offers for a user in each status. */
function lifecycleLinks(user: OktaUser, base: string): Json {
  const life = (op: string) => post(`${base}/api/v1/users/${user.id}/lifecycle/${op}`);
  switch (user.status) {
    case 'ACTIVE':
    case 'PASSWORD_EXPIRED':
    case 'RECOVERY':
      return { suspend: life('suspend'), resetPassword: life('reset_password'), expirePassword: life('expire_password'), resetFactors: life('reset_factors'), deactivate: life('deactivate') };
    case 'SUSPENDED':
      return { unsuspend: life('unsuspend'), deactivate: life('deactivate') };
    case 'LOCKED_OUT':
      return { unlock: life('unlock'), resetPassword: life('reset_password'), deactivate: life('deactivate') };
    case 'STAGED':
    case 'PROVISIONED':
      return { activate: life('activate'), deactivate: life('deactivate') };
    case 'DEPROVISIONED':
      return { activate: life('activate') };
  }
}

export function userResource(user: OktaUser, base: string): Json {
  return {
    ...user,
    _links: {
      ...lifecycleLinks(user, base),
      schema: { href: `${base}/api/v1/meta/schemas/user/${user.type.id.replace(/^oty/, 'osc')}` },
      type: { href: `${base}/api/v1/meta/types/user/${user.type.id}` },
      self: { href: `${base}/api/v1/users/${user.id}` },
    },
  };
}

export function groupResource(group: OktaGroup, base: string): Json {
  return {
    ...group,
    _links: {
      logo: [
        { name: 'medium', href: `${base}/assets/img/logos/groups/okta-medium.png`, type: 'image/png' },
        { name: 'large', href: `${base}/assets/img/logos/groups/okta-large.png`, type: 'image/png' },
      ],
      users: { href: `${base}/api/v1/groups/${group.id}/users` },
      apps: { href: `${base}/api/v1/groups/${group.id}/apps` },
    },
  };
}

/** A role assignment; `assignee` links to the user or group it is assigned to. */
export function roleResource(role: OktaRoleAssignment, base: string, assignee: { kind: 'users' | 'groups'; id: string }): Json {
  return { ...role, _links: { assignee: { href: `${base}/api/v1/${assignee.kind}/${assignee.id}` } } };
}

/** A consent grant; `_embedded.scope` only with `expand=scope`, as Okta does. */
export function grantResource(grant: OktaGrant, base: string, app: OktaApp | undefined, user: OktaUser, expandScope: boolean): Json {
  const self = `${base}/api/v1/users/${user.id}/grants/${grant.id}`;
  return {
    ...grant,
    issuer: base,
    ...(expandScope ? { _embedded: { scope: { id: grant.scopeId } } } : {}),
    _links: {
      app: { href: `${base}/api/v1/apps/${grant.clientId}`, title: app?.label ?? grant.clientId },
      client: { href: `${base}/oauth2/v1/clients/${grant.clientId}`, title: app?.label ?? grant.clientId },
      scope: { href: `${base}/api/v1/authorizationServers/default/scopes/${grant.scopeId}`, title: grant.scopeId },
      user: { href: `${base}/api/v1/users/${user.id}`, title: `${user.profile.firstName} ${user.profile.lastName}` },
      issuer: { href: base },
      revoke: { href: self, hints: { allow: ['DELETE'] } },
      self: { href: self, hints: { allow: ['GET', 'DELETE'] } },
    },
  };
}
