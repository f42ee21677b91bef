import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { toJsonView } from '../../schemas/json-view.js';
import { decode, encode } from '../../schemas/registry.js';
import type { AccountEvent, FileEvent } from '../../schemas/types.js';
import { exposureOf } from './access-level.js';
import {
  normalizeGraphAppRoleAssignment, normalizeGraphGroup, normalizeGraphMembership, normalizeGraphPermissionGrant, normalizeGraphRoleMember,
  normalizeGraphUser,
} from './normalize-accounts.js';
import { deltaChangeOf, fileIdOf, normalizeDriveItem, parseFileId } from './normalize-files.js';

const ctx = { instance: 'default', observedAt: Date.parse('2024-01-02T03:04:05.006Z') };
const DOMAINS = ['contoso.example', 'contoso.onmicrosoft.com'];

// Shapes from the Microsoft Graph v1.0 reference (user, group, directoryRole, oAuth2PermissionGrant,
// appRoleAssignment, driveItem, permission); Microsoft publishes no anonymized sample dumps of them.
const user = {
  id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', displayName: 'Adele Vance', userPrincipalName: 'AdeleV@contoso.example', mail: 'AdeleV@contoso.example',
  accountEnabled: true, userType: 'Member', createdDateTime: '2021-03-01T10:00:00Z', jobTitle: 'Retail Manager', department: 'Retail',
  signInActivity: { lastSignInDateTime: '2024-01-01T08:30:00Z' },
};
const guest = { id: 'a1b2c3d4-0000-4000-8000-000000000001', displayName: 'Pat Partner', userPrincipalName: 'pat_partner.example#EXT#@contoso.onmicrosoft.com', mail: 'pat@partner.example', userType: 'Guest', accountEnabled: true };
const group = { id: '02bd9fd6-8f93-4758-87c3-1fb73740a315', displayName: 'HR Taskforce', mail: 'HRTaskforce@contoso.example', groupTypes: ['Unified'], securityEnabled: false, mailEnabled: true, visibility: 'Private', createdDateTime: '2020-01-01T00:00:00Z' };
const role = { id: '9ed3a0c4-53e1-498c-ab4d-2473476fde14', displayName: 'Global Administrator', roleTemplateId: '62e90394-69f5-4237-9190-012177145e10' };

function roundTrip<T extends AccountEvent | FileEvent>(event: T, schema: 'account-event' | 'file-event'): void {
  assert.deepEqual(toJsonView(decode(encode(schema, event as never)).record as T), toJsonView(event));
}

describe('Graph directory objects → account events', () => {
  test('users: enabled is active, disabled (sign-in blocked) is suspended, with the last sign-in', () => {
    const event = normalizeGraphUser(user, ctx);
    assert.deepEqual([event.kind, event.subject.id, event.subject.email, event.subject.name, event.status], ['user', user.id, 'AdeleV@contoso.example', 'Adele Vance', 'active']);
    assert.equal(event.last_login_at, Date.parse('2024-01-01T08:30:00Z'));
    assert.equal(normalizeGraphUser({ ...user, accountEnabled: false }, ctx).status, 'suspended');
    assert.equal(normalizeGraphUser({ ...user, accountEnabled: undefined }, ctx).status, 'unknown');
    const g = normalizeGraphUser(guest, ctx);
    assert.equal(g.subject.email, 'pat@partner.example', "a guest's address is its mail, not the #EXT# principal name");
    assert.equal(g.attributes.user_type, 'Guest');
    roundTrip(event, 'account-event');
  });

  test('groups, memberships (typed by @odata.type) and role members (privileges keyed by template id)', () => {
    const g = normalizeGraphGroup(group, ctx);
    assert.deepEqual([g.kind, g.subject.type, g.subject.email, g.attributes.group_types], ['group', 'group', group.mail, 'Unified']);
    const member = normalizeGraphMembership(group, { '@odata.type': '#microsoft.graph.user', ...user }, ctx);
    assert.deepEqual([member.kind, member.subject.type, member.subject.id, member.group], ['membership', 'user', user.id, { id: group.id, name: 'HR Taskforce' }]);
    const nested = normalizeGraphMembership(group, { '@odata.type': '#microsoft.graph.group', id: 'g2', displayName: 'Nested' }, ctx);
    assert.equal(nested.subject.type, 'group');
    const privilege = normalizeGraphRoleMember(role, { '@odata.type': '#microsoft.graph.user', ...user }, ctx);
    assert.deepEqual(privilege.privilege, { id: role.id, name: 'Global Administrator', type: '62e90394-69f5-4237-9190-012177145e10' });
    for (const e of [g, member, nested, privilege]) roundTrip(e, 'account-event');
  });

  test('a delegated grant names the consenting user and the scopes; a tenant-wide one has the app as subject', () => {
    const grant = { id: 'l5mrd3bTykqAOF-LBQEaTqvG0q1p1ZxEsMHgwPd0CKs', clientId: 'cc1', consentType: 'Principal', principalId: user.id, resourceId: 'rr1', scope: 'User.Read Mail.Read offline_access' };
    const client = { id: 'cc1', appId: 'app-guid-1', displayName: 'Contoso Mail Sync' };
    const event = normalizeGraphPermissionGrant(grant, { client, resource: { id: 'rr1', displayName: 'Microsoft Graph' }, principal: user }, ctx);
    assert.deepEqual([event.kind, event.subject.type, event.subject.id, event.subject.email], ['app_grant', 'user', user.id, 'AdeleV@contoso.example']);
    assert.deepEqual(event.app, { id: 'app-guid-1', name: 'Contoso Mail Sync', scopes: ['User.Read', 'Mail.Read', 'offline_access'] });
    assert.equal(event.attributes.grant_id, grant.id, 'the grant id, which revoke_app_grant takes');
    const tenantWide = normalizeGraphPermissionGrant({ ...grant, consentType: 'AllPrincipals', principalId: null }, { client }, ctx);
    assert.deepEqual([tenantWide.subject.type, tenantWide.subject.id, tenantWide.subject.name], ['service', 'cc1', 'Contoso Mail Sync']);
    roundTrip(event, 'account-event');
  });

  test('an application permission is an app grant of the service principal, named by the resource app role', () => {
    const assignment = { id: 'AsSiGnMeNt', appRoleId: '810c84a8-4a9e-49e6-bf7d-12d183f40d01', principalId: 'sp-1', principalType: 'ServicePrincipal', principalDisplayName: 'Archiver', resourceId: 'graph-sp', resourceDisplayName: 'Microsoft Graph', createdDateTime: '2023-06-01T00:00:00Z' };
    const resource = { id: 'graph-sp', displayName: 'Microsoft Graph', appRoles: [{ id: '810c84a8-4a9e-49e6-bf7d-12d183f40d01', value: 'Mail.Read' }] };
    const event = normalizeGraphAppRoleAssignment(assignment, resource, { id: 'sp-1', appId: 'archiver-app' }, ctx);
    assert.deepEqual([event.subject.type, event.subject.id, event.app?.scopes, event.attributes.grant_type], ['service', 'sp-1', ['Mail.Read'], 'application']);
    roundTrip(event, 'account-event');
  });

  test('missing ids name the field', () => {
    const named = (fn: () => unknown, field: string) => assert.throws(fn, (err: unknown) => isAppwardenError(err, 'AW_NORMALIZE_FAILED') && err.details.field === field);
    named(() => normalizeGraphUser({ displayName: 'x' }, ctx), 'id');
    named(() => normalizeGraphMembership({}, user, ctx), 'group.id');
    named(() => normalizeGraphRoleMember(role, { '@odata.type': '#microsoft.graph.user' }, ctx), 'member.id');
    named(() => normalizeGraphPermissionGrant({ id: 'g' }, {}, ctx), 'clientId');
  });
});

describe('drive items → file events with their exposure', () => {
  const owner = { id: 'owner-permission', roles: ['owner'], grantedToV2: { user: { id: user.id, displayName: 'Adele Vance', email: 'AdeleV@contoso.example' } } };
  const anonymous = { id: 'anon', roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: 'https://contoso.sharepoint.com/:x:/g/abc' } };
  const organization = { id: 'org', roles: ['write'], link: { scope: 'organization', type: 'edit' } };
  const colleague = { id: 'colleague', roles: ['write'], grantedToV2: { user: { id: 'u2', displayName: 'Bo', email: 'bo@contoso.example' } } };
  const outsider = { id: 'outsider', roles: ['read'], grantedToV2: { user: { id: 'u3', displayName: 'Eve', email: 'eve@outsider.example' } }, invitation: { email: 'eve@outsider.example', signInRequired: true } };
  const guestGrant = { id: 'guest', roles: ['read'], grantedToV2: { siteUser: { id: '12', displayName: 'Pat', loginName: 'i:0#.f|membership|pat_partner.example#ext#@contoso.onmicrosoft.com' } } };
  const peopleLink = { id: 'people', roles: ['read'], link: { scope: 'users', type: 'view' }, grantedToIdentitiesV2: [{ user: { id: 'u4', displayName: 'Zed', email: 'zed@fabrikam.example' } }] };

  test('anonymous link is public; outsiders and guests are external; an organization link is internal; else private', () => {
    const level = (perms: unknown[], domains = DOMAINS) => exposureOf(perms, domains).access_level;
    assert.equal(level([owner]), 'private');
    assert.equal(level([owner, colleague]), 'private');
    assert.equal(level([owner, organization]), 'internal');
    assert.equal(level([owner, outsider]), 'external');
    assert.equal(level([owner, guestGrant]), 'external', 'a guest marked #ext# is external even without domains');
    assert.equal(level([owner, guestGrant], []), 'external');
    assert.equal(level([owner, peopleLink]), 'external', 'a specific-people link to an outsider');
    assert.equal(level([owner, organization, outsider, anonymous]), 'public', 'the widest exposure wins');
    assert.equal(level([owner, outsider], []), 'private', 'without the tenant domains, an address alone decides nothing');
  });

  test('collaborators: links carry the permission id (for remove_permission), grants the grantee', () => {
    const { collaborators } = exposureOf([owner, anonymous, organization, outsider], DOMAINS);
    assert.deepEqual(collaborators, [
      { type: 'user', id: user.id, email: 'AdeleV@contoso.example', role: 'owner' },
      { type: 'anyone', id: 'anon', email: null, role: 'view' },
      { type: 'domain', id: 'org', email: 'contoso.example', role: 'edit' },
      { type: 'user', id: 'u3', email: 'eve@outsider.example', role: 'read' },
    ]);
  });

  const drive = { id: 'b!drive', driveType: 'business', owner: { user: { id: user.id, displayName: 'Adele Vance', email: 'AdeleV@contoso.example' } } };
  const item = {
    id: '01ITEM', name: 'Q3 Forecast.xlsx', size: 48211, webUrl: 'https://contoso-my.sharepoint.com/personal/adelev/Documents/Projects/Q3%20Forecast.xlsx',
    createdDateTime: '2023-02-01T10:00:00Z', lastModifiedDateTime: '2023-03-01T10:00:00Z', eTag: '"{01ITEM},2"',
    file: { mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    parentReference: { driveId: 'b!drive', id: '01PARENT', path: '/drives/b!drive/root:/Projects' },
  };

  test('a scanned file: id <driveId>/<itemId>, folder path, owner, label, access level', () => {
    const event = normalizeDriveItem({ drive, item, permissions: [owner, anonymous], labels: ['label-guid'], tenantDomains: DOMAINS, change: 'seen' }, ctx);
    assert.equal(event.file.id, 'b!drive/01ITEM');
    assert.deepEqual(parseFileId(event.file.id), { driveId: 'b!drive', itemId: '01ITEM' });
    assert.equal(fileIdOf('b!drive', '01ITEM'), event.file.id);
    assert.deepEqual([event.change, event.file.path, event.file.access_level, event.file.label, event.file.owner?.email], ['seen', '/Projects', 'public', 'label-guid', 'AdeleV@contoso.example']);
    assert.equal(event.attributes.permission_ids, 'owner-permission,anon');
    roundTrip(event, 'file-event');
  });

  test('delta items: deleted ones become deletions, new ones creations, others updates', () => {
    assert.equal(deltaChangeOf({ ...item, deleted: { state: 'deleted' } }), 'deleted');
    assert.equal(deltaChangeOf({ ...item, lastModifiedDateTime: item.createdDateTime }), 'created');
    assert.equal(deltaChangeOf(item), 'updated');
    const gone = normalizeDriveItem({ drive, item: { id: '01GONE', deleted: { state: 'deleted' }, parentReference: { driveId: 'b!drive' } }, permissions: [], labels: null, tenantDomains: DOMAINS, change: 'deleted' }, ctx);
    assert.deepEqual([gone.change, gone.file.name, gone.file.access_level], ['deleted', '01GONE', 'unknown']);
  });
});
