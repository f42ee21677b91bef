import type { Collaborator } from '../../schemas/types.js';
import type { AccessLevel, CollaboratorType } from '../../schemas/vocabulary.js';
import { arr, type Json, looksLikeEmail, obj } from '../runtime/json-fields.js';
import { str } from './fields.js';

/** Who reaches a drive item, from its Graph `permission` objects. */
export interface Exposure {
  access_level: AccessLevel;
  collaborators: Collaborator[];
}

const RANK: Record<AccessLevel, number> = { unknown: -1, private: 0, internal: 1, external: 2, public: 3 };

/**
 * Decides a drive item's widest exposure: an anonymous link is `public`; a grant to a guest or to an
 * address outside the tenant's domains is `external`; an organization link is `internal`; anything else
 * (owner, named colleagues) is `private`. With no tenant domains known, only guest markers
 * (`#EXT#`, `urn:spo:guest`) make a grantee external.
 */
export function exposureOf(permissions: readonly unknown[], tenantDomains: readonly string[]): Exposure {
  const domains = new Set(tenantDomains.map((d) => d.toLowerCase()));
  const collaborators: Collaborator[] = [];
  let level: AccessLevel = 'private';
  const raise = (to: AccessLevel) => { if (RANK[to] > RANK[level]) level = to; };

  for (const raw of permissions) {
    const perm = obj(raw);
    if (perm === null) continue;
    const permId = str(perm.id);
    const roles = arr(perm.roles).filter((r): r is string => typeof r === 'string').map((r) => r.toLowerCase());
    const link = obj(perm.link);
    if (link !== null) {
      const scope = str(link.scope);
      const role = str(link.type)?.toLowerCase() ?? roles[0] ?? 'read';
      if (scope === 'anonymous') {
        collaborators.push({ type: 'anyone', id: permId, email: null, role });
        raise('public');
        continue;
      }
      if (scope === 'organization') {
        collaborators.push({ type: 'domain', id: permId, email: tenantDomains[0] ?? null, role });
        raise('internal');
        continue;
      }
      // A link for specific people ("users"): each person it was shared with.
      for (const identity of [...arr(perm.grantedToIdentitiesV2), ...arr(perm.grantedToIdentities)]) {
        const grantee = granteeOf(obj(identity));
        if (grantee === null) continue;
        collaborators.push({ type: grantee.type, id: grantee.id, email: grantee.email, role });
        if (grantee.external || isExternal(grantee.email, domains)) raise('external');
      }
      continue;
    }
    const grantee = granteeOf(obj(perm.grantedToV2) ?? obj(perm.grantedTo));
    const invited = str(obj(perm.invitation)?.email);
    const role = roles.includes('owner') ? 'owner' : roles[0] ?? 'read';
    if (grantee !== null) {
      collaborators.push({ type: grantee.type, id: grantee.id, email: grantee.email ?? invited, role });
      if (grantee.external || isExternal(grantee.email ?? invited, domains)) raise('external');
    } else if (invited !== null) {
      collaborators.push({ type: 'user', id: null, email: invited, role });
      if (isExternal(invited, domains)) raise('external');
    }
  }
  return { access_level: level, collaborators };
}

interface Grantee { type: CollaboratorType; id: string | null; email: string | null; external: boolean }

/** A Graph identitySet (`grantedToV2`): a user, a group, or their SharePoint site counterparts. */
function granteeOf(identitySet: Json | null): Grantee | null {
  if (identitySet === null) return null;
  const user = obj(identitySet.user) ?? obj(identitySet.siteUser);
  if (user !== null) {
    const email = str(user.email) ?? (looksLikeEmail(str(user.loginName)) ? str(user.loginName) : null);
    const markers = `${str(user.loginName) ?? ''} ${str(user.email) ?? ''} ${str(user.userPrincipalName) ?? ''}`.toLowerCase();
    return { type: 'user', id: str(user.id), email, external: markers.includes('#ext#') || markers.includes('urn:spo:guest') };
  }
  const group = obj(identitySet.group) ?? obj(identitySet.siteGroup);
  if (group !== null) return { type: 'group', id: str(group.id), email: str(group.email), external: false };
  return null;
}

function isExternal(email: string | null, domains: ReadonlySet<string>): boolean {
  if (email === null || domains.size === 0 || !looksLikeEmail(email)) return false;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return !domains.has(domain);
}

/** Whether one Graph permission grants access to someone outside the tenant (for `remove_external_collaborators`). */
export function isExternalPermission(permission: unknown, tenantDomains: readonly string[]): boolean {
  const { access_level } = exposureOf([permission], tenantDomains);
  return access_level === 'external';
}
