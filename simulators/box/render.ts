import { ROOT, type SimCollaboration, type SimExternal, type SimGroup, type SimItem, type SimMembership, type SimUser, type Tenant } from './tenant.js';

type Json = Record<string, unknown>;
export const CLASSIFICATION_TEMPLATE = 'securityClassification-6VMVochwUWo';

/** A mini user, as Box nests one (`owned_by`, `created_by`, `accessible_by`). */
export function miniUser(user: SimUser | SimExternal): Json {
  return { type: 'user', id: user.id, name: user.name, login: user.login };
}

export function userJson(tenant: Tenant, user: SimUser): Json {
  return {
    type: 'user', id: user.id, name: user.name, login: user.login, created_at: user.createdAt, modified_at: user.modifiedAt,
    language: 'en', timezone: 'America/Los_Angeles', space_amount: 10_737_418_240, space_used: 1_048_576, max_upload_size: 5_368_709_120,
    status: user.status, job_title: '', phone: '', address: '', avatar_url: `https://app.box.com/api/avatar/large/${user.id}`,
    role: user.role, enterprise: { type: 'enterprise', id: tenant.enterpriseId, name: 'Simulated Enterprise' },
    is_external_collab_restricted: false, is_platform_access_only: false,
  };
}

export function groupJson(group: SimGroup): Json {
  return { type: 'group', id: group.id, name: group.name, group_type: 'managed_group', provenance: '', invitability_level: 'admins_only', member_viewability_level: 'admins_only', created_at: group.createdAt, modified_at: group.createdAt };
}

export function membershipJson(tenant: Tenant, m: SimMembership): Json {
  const user = tenant.user(m.userId);
  const group = tenant.groups.find((g) => g.id === m.groupId);
  return {
    type: 'group_membership', id: m.id, user: user ? miniUser(user) : null, group: group ? { type: 'group', id: group.id, name: group.name, group_type: 'managed_group' } : null,
    role: m.role, created_at: m.createdAt, modified_at: m.createdAt,
  };
}

function linkJson(item: SimItem): Json | null {
  const link = item.sharedLink;
  if (!link) return null;
  return {
    url: `https://app.box.com/s/${item.id}${item.sha1.slice(0, 8)}`, download_url: null, vanity_url: null, vanity_name: null,
    access: link.access, effective_access: link.access, effective_permission: link.canDownload ? 'can_download' : 'can_preview',
    unshared_at: link.unsharedAt, is_password_enabled: link.isPasswordEnabled,
    permissions: { can_download: link.canDownload, can_preview: true, can_edit: false }, download_count: 0, preview_count: 0,
  };
}

/** A file or folder as Box answers it (`GET /files/{id}`, folder listings), with the classification metadata when asked for. */
export function itemJson(tenant: Tenant, item: SimItem): Json {
  const owner = tenant.anyUser(item.owner);
  const ancestors = tenant.ancestors(item);
  const parent = ancestors[ancestors.length - 1];
  return {
    type: item.type, id: item.id, etag: '0', sequence_id: '0', name: item.name, created_at: item.createdAt, modified_at: item.modifiedAt,
    description: '', size: item.size, ...(item.type === 'file' ? { sha1: item.sha1 } : {}),
    path_collection: {
      total_count: ancestors.length + 1,
      entries: [{ type: 'folder', id: ROOT, sequence_id: null, etag: null, name: 'All Files' }, ...ancestors.map((a) => ({ type: 'folder', id: a.id, sequence_id: '0', etag: '0', name: a.name }))],
    },
    created_by: owner ? miniUser(owner) : null, modified_by: owner ? miniUser(owner) : null, owned_by: owner ? miniUser(owner) : null,
    shared_link: linkJson(item),
    parent: parent ? { type: 'folder', id: parent.id, sequence_id: '0', etag: '0', name: parent.name } : item.parent === ROOT ? { type: 'folder', id: ROOT, sequence_id: null, etag: null, name: 'All Files' } : null,
    item_status: 'active', trashed_at: null, purged_at: null,
    metadata: { enterprise: { [CLASSIFICATION_TEMPLATE]: item.classification === null ? null : classificationJson(tenant, item) } },
  };
}

export function classificationJson(tenant: Tenant, item: SimItem): Json {
  return {
    Box__Security__Classification__Key: item.classification, $parent: `${item.type}_${item.id}`, $template: CLASSIFICATION_TEMPLATE,
    $scope: `enterprise_${tenant.enterpriseId}`, $version: 0, $type: `${CLASSIFICATION_TEMPLATE}-${tenant.enterpriseId}`, $typeVersion: 0, $canEdit: true,
  };
}

export function collaborationJson(tenant: Tenant, c: SimCollaboration): Json {
  const who = c.accessibleBy.type === 'group' ? tenant.groups.find((g) => g.id === c.accessibleBy.id) : tenant.anyUser(c.accessibleBy.id);
  const item = tenant.item(c.itemType, c.itemId);
  const creator = tenant.anyUser(c.createdBy);
  return {
    type: 'collaboration', id: c.id, role: c.role, status: c.status, created_at: c.createdAt, modified_at: c.createdAt, expires_at: null,
    acknowledged_at: c.status === 'accepted' ? c.createdAt : null, is_access_only: false,
    accessible_by: who === undefined ? null : c.accessibleBy.type === 'group' ? { type: 'group', id: who.id, name: who.name, group_type: 'managed_group' } : miniUser(who as SimUser),
    invite_email: c.status === 'pending' && who && 'login' in who ? who.login : null,
    item: item ? { type: item.type, id: item.id, name: item.name } : null,
    created_by: creator ? miniUser(creator) : null,
  };
}

/**
 * Box returns only the fields asked for (`fields=a,b`), plus `type` and `id`; a metadata field is
 * `metadata.<scope>.<template>`. Without `fields` it returns the standard fields (no metadata, no role).
 */
export function pick(value: Json, fields: string | undefined, standardOmits: readonly string[] = ['metadata', 'role']): Json {
  if (fields === undefined || fields === '') {
    const out = { ...value };
    for (const key of standardOmits) delete out[key];
    return out;
  }
  const out: Json = { type: value.type, id: value.id };
  for (const field of fields.split(',').map((f) => f.trim())) {
    if (field.startsWith('metadata.')) {
      const [, scope, template] = field.split('.');
      const meta = (value.metadata as Record<string, Record<string, unknown>> | undefined)?.[scope ?? '']?.[template ?? ''];
      if (meta !== undefined && meta !== null) {
        const metadata = (out.metadata ?? {}) as Record<string, Json>;
        metadata[scope!] = { ...(metadata[scope!] ?? {}), [template!]: meta };
        out.metadata = metadata;
      }
    } else if (field in value) {
      out[field] = value[field];
    }
  }
  return out;
}
