import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { createClock } from '../common/clock.js';
import { KNOWN_SCOPES, startGoogleWorkspaceSimulator, type GoogleWorkspaceSimulator } from './index.js';

type Json = Record<string, any>;
const SCOPE = 'https://www.googleapis.com/auth/';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const CLIENT = 'sa@project.iam.gserviceaccount.com';

const sims: GoogleWorkspaceSimulator[] = [];
after(async () => {
  for (const sim of sims) await sim.close();
});

async function simulator(options: Parameters<typeof startGoogleWorkspaceSimulator>[0] = {}): Promise<GoogleWorkspaceSimulator> {
  const sim = await startGoogleWorkspaceSimulator({ seed: 'sim-test', users: 8, activitiesPerDay: 300, serviceAccount: { clientEmail: CLIENT, publicKey }, ...options });
  sims.push(sim);
  return sim;
}

function jwt(claims: Json, key: KeyObject = keys.privateKey): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const data = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  return `${data}.${sign('sha256', Buffer.from(data), key).toString('base64url')}`;
}

async function tokenRequest(sim: GoogleWorkspaceSimulator, claims: Partial<Json> = {}, key?: KeyObject): Promise<{ status: number; body: Json }> {
  const iat = Math.floor(Date.now() / 1000);
  const assertion = jwt({ iss: CLIENT, scope: `${SCOPE}admin.reports.audit.readonly`, aud: sim.tokenUrl, sub: sim.adminEmail, iat, exp: iat + 3600, ...claims }, key);
  const res = await fetch(sim.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }) });
  return { status: res.status, body: await res.json() as Json };
}

async function token(sim: GoogleWorkspaceSimulator, scope: string, sub = sim.adminEmail): Promise<string> {
  const res = await tokenRequest(sim, { scope: `${SCOPE}${scope}`, sub });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.access_token as string;
}

async function api(sim: GoogleWorkspaceSimulator, path: string, bearer: string | null, init: RequestInit = {}): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(`${sim.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : JSON.parse(text) as Json };
}

const activitiesPath = (app: string, query: Record<string, string | number>) =>
  `/admin/reports/v1/activity/users/all/applications/${app}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`;

describe('Google Workspace simulator: service account auth', () => {
  test('a signed JWT for an authorized scope and the admin gets an access token', async () => {
    const sim = await simulator();
    const res = await tokenRequest(sim);
    assert.equal(res.status, 200);
    assert.match(res.body.access_token, /^ya29\./);
    assert.equal(res.body.token_type, 'Bearer');
    assert.ok(res.body.expires_in > 3000);
  });

  test('Google\'s refusals: bad signature, unknown client, unauthorized scope, unknown or suspended subject, wrong audience, long assertion', async () => {
    const sim = await simulator({ grantedScopes: KNOWN_SCOPES.filter((s) => !s.endsWith('/drive')) });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const suspended = sim.directory.users.find((u) => u.suspended);
    const iat = Math.floor(Date.now() / 1000);
    const cases: Array<[Partial<Json>, KeyObject | undefined, number, string]> = [
      [{}, other, 400, 'invalid_grant'],
      [{ iss: 'someone@else.iam.gserviceaccount.com' }, undefined, 401, 'invalid_client'],
      [{ scope: `${SCOPE}drive` }, undefined, 400, 'unauthorized_client'],
      [{ sub: `nobody@${sim.domain}` }, undefined, 400, 'invalid_grant'],
      [{ aud: 'https://oauth2.googleapis.com/token' }, undefined, 400, 'invalid_grant'],
      [{ iat, exp: iat + 7200 }, undefined, 400, 'invalid_grant'],
    ];
    if (suspended) cases.push([{ sub: suspended.primaryEmail }, undefined, 400, 'invalid_grant']);
    for (const [claims, key, status, error] of cases) {
      const res = await tokenRequest(sim, claims, key);
      assert.deepEqual([res.status, res.body.error], [status, error], JSON.stringify(claims));
      assert.equal(typeof res.body.error_description, 'string');
    }
    assert.equal(sim.requests.tokenRefusals, cases.length);
  });

  test('API answers: 401 without a token, 403 insufficientPermissions without the scope, 403 forbidden for a non-admin subject', async () => {
    const sim = await simulator();
    const none = await api(sim, '/admin/directory/v1/users?customer=my_customer', null);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.errors[0].reason, 'authError');
    const reportsOnly = await token(sim, 'admin.reports.audit.readonly');
    const scope = await api(sim, '/admin/directory/v1/users?customer=my_customer', reportsOnly);
    assert.equal(scope.status, 403);
    assert.equal(scope.body.error.errors[0].reason, 'insufficientPermissions');
    const user = sim.directory.users.find((u) => !u.isAdmin && !u.isDelegatedAdmin && !u.suspended && !u.archived)!;
    const notAdmin = await api(sim, '/admin/directory/v1/users?customer=my_customer', await token(sim, 'admin.directory.user', user.primaryEmail));
    assert.equal(notAdmin.status, 403);
    assert.equal(notAdmin.body.error.message, 'Not Authorized to access this resource/api');
    sim.expireTokens();
    assert.equal((await api(sim, activitiesPath('login', { maxResults: 1 }), reportsOnly)).status, 401, 'an expired token is refused');
  });
});

describe('Google Workspace simulator: Reports API', () => {
  test('activities come newest first, page by pageToken within the query, and cover [startTime, endTime]', async () => {
    const sim = await simulator();
    const bearer = await token(sim, 'admin.reports.audit.readonly');
    const all = sim.activitiesFor({ application: 'login' });
    assert.ok(all.length > 20);
    const startTime = all[all.length - 1]!.id.time;
    const endTime = all[0]!.id.time;
    const seen: Json[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await api(sim, activitiesPath('login', { startTime, endTime, maxResults: 7, ...(pageToken ? { pageToken } : {}) }), bearer);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.kind, 'admin#reports#activities');
      seen.push(...res.body.items);
      pageToken = res.body.nextPageToken;
      if (!pageToken) break;
    }
    assert.deepEqual(seen.map((a) => a.id.uniqueQualifier), all.map((a) => a.id.uniqueQualifier), 'every activity once, newest first, both bounds inclusive');
    const times = seen.map((a) => Date.parse(a.id.time));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));

    const first = await api(sim, activitiesPath('login', { startTime, endTime, maxResults: 2 }), bearer);
    const misuse = await api(sim, activitiesPath('login', { startTime, endTime: all[5]!.id.time, maxResults: 2, pageToken: first.body.nextPageToken }), bearer);
    assert.equal(misuse.status, 400, 'a page token belongs to its own query');
    const empty = await api(sim, activitiesPath('login', { startTime: '2001-01-01T00:00:00Z', endTime: '2001-01-02T00:00:00Z' }), bearer);
    assert.equal(empty.status, 200);
    assert.equal(empty.body.items, undefined, 'an empty answer has no items');
  });

  test('generated activities are shaped like the samples: kind, id, actor, ipAddress, events with parameters', async () => {
    const sim = await simulator();
    for (const application of ['login', 'admin', 'drive', 'token', 'saml', 'groups', 'mobile']) {
      const [activity] = sim.activitiesFor({ application });
      assert.ok(activity, application);
      assert.equal(activity.kind, 'admin#reports#activity');
      assert.deepEqual(Object.keys(activity.id).sort(), ['applicationName', 'customerId', 'time', 'uniqueQualifier']);
      assert.equal(activity.id.applicationName, application);
      assert.match(activity.actor.email, new RegExp(`@${sim.domain}$`));
      assert.ok(Array.isArray(activity.events) && activity.events.length > 0 && typeof activity.events[0].name === 'string');
    }
  });

  test('an activity is visible only after its application\'s lag, by the simulator\'s clock', async () => {
    const clock = createClock();
    const sim = await simulator({ clock, activitiesPerDay: 0, lagMs: { login: 3_600_000 } });
    const bearer = await token(sim, 'admin.reports.audit.readonly');
    const added = sim.addActivity({ id: { applicationName: 'login', time: new Date(clock.now() - 60_000).toISOString() }, actor: { email: sim.adminEmail }, events: [{ name: 'logout' }] });
    const query = activitiesPath('login', { startTime: new Date(clock.now() - 3_600_000).toISOString() });
    assert.equal((await api(sim, query, bearer)).body.items, undefined, 'not yet visible');
    clock.advance(3_600_000);
    const later = await api(sim, activitiesPath('login', { startTime: new Date(clock.now() - 7_200_000).toISOString() }), await token(sim, 'admin.reports.audit.readonly'));
    assert.deepEqual(later.body.items.map((a: Json) => a.id.uniqueQualifier), [added.id.uniqueQualifier]);
  });
});

describe('Google Workspace simulator: quotas', () => {
  test('throttle answers in Google\'s shapes: 403 rateLimitExceeded / userRateLimitExceeded, 429 RESOURCE_EXHAUSTED', async () => {
    const sim = await simulator();
    const bearer = await token(sim, 'admin.reports.audit.readonly');
    const path = activitiesPath('login', { maxResults: 1 });
    sim.throttleNext(1, { style: 'rateLimitExceeded' });
    const rate = await api(sim, path, bearer);
    assert.equal(rate.status, 403);
    assert.deepEqual(rate.body.error.errors[0], { message: 'Rate Limit Exceeded', domain: 'usageLimits', reason: 'rateLimitExceeded' });
    sim.throttleNext(1, { style: 'userRateLimitExceeded' });
    assert.equal((await api(sim, path, bearer)).body.error.errors[0].reason, 'userRateLimitExceeded');
    sim.throttleNext(1, { style: 'RESOURCE_EXHAUSTED' });
    const exhausted = await api(sim, path, bearer);
    assert.equal(exhausted.status, 429);
    assert.equal(exhausted.body.error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(exhausted.body.error.details[0].reason, 'RATE_LIMIT_EXCEEDED');
    assert.equal((await api(sim, path, bearer)).status, 200, 'the burst is over');
    assert.equal(sim.requests.throttled, 3);
  });

  test('each API family has its own per-tenant budget per window', async () => {
    const sim = await simulator({ rateLimit: { limit: 3, windowMs: 3_600_000 } });
    const reports = await token(sim, 'admin.reports.audit.readonly');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(sim, activitiesPath('login', { maxResults: 1 }), reports)).status);
    assert.deepEqual(statuses, [200, 200, 200, 403]);
    const users = await api(sim, '/admin/directory/v1/users?customer=my_customer&maxResults=1', await token(sim, 'admin.directory.user'));
    assert.equal(users.status, 200, 'the Directory API has its own budget');
    assert.deepEqual(sim.requests.throttledByFamily, { reports: 1 });
  });
});

describe('Google Workspace simulator: Directory API and governance', () => {
  test('users, tokens, groups, members, roles and role assignments, paged', async () => {
    const sim = await simulator();
    const userToken = await token(sim, 'admin.directory.user');
    const emails: string[] = [];
    let pageToken = '';
    for (let i = 0; i < 20; i++) {
      const res = await api(sim, `/admin/directory/v1/users?customer=my_customer&maxResults=3${pageToken ? `&pageToken=${pageToken}` : ''}`, userToken);
      emails.push(...res.body.users.map((u: Json) => u.primaryEmail));
      pageToken = res.body.nextPageToken ?? '';
      if (!pageToken) break;
    }
    assert.deepEqual(emails, sim.directory.users.map((u) => u.primaryEmail));
    const holder = sim.directory.users.find((u) => (sim.directory.tokens.get(u.id) ?? []).length > 0)!;
    const tokens = await api(sim, `/admin/directory/v1/users/${holder.id}/tokens`, await token(sim, 'admin.directory.user.security'));
    assert.equal(tokens.body.kind, 'admin#directory#tokenList');
    assert.deepEqual(tokens.body.items.map((t: Json) => t.clientId), sim.directory.tokens.get(holder.id)!.map((t) => t.clientId));
    const groupToken = await token(sim, 'admin.directory.group.readonly');
    const groups = await api(sim, '/admin/directory/v1/groups?customer=my_customer', groupToken);
    assert.equal(groups.body.groups.length, sim.directory.groups.length);
    const members = await api(sim, `/admin/directory/v1/groups/${groups.body.groups[0].id}/members`, groupToken);
    assert.equal(members.body.members.length, sim.directory.members.get(groups.body.groups[0].id)!.length);
    const roleToken = await token(sim, 'admin.directory.rolemanagement.readonly');
    const roles = await api(sim, '/admin/directory/v1/customer/my_customer/roles', roleToken);
    assert.ok(roles.body.items.some((r: Json) => r.isSuperAdminRole && r.roleName === '_SEED_ADMIN_ROLE'));
    const assignments = await api(sim, '/admin/directory/v1/customer/my_customer/roleassignments', roleToken);
    assert.equal(assignments.body.items.length, sim.directory.roleAssignments.length);
  });

  test('suspend, password change at next login, sign-out and token deletion change the state and leave their audit events', async () => {
    const sim = await simulator();
    const target = sim.directory.users.find((u) => !u.suspended && !u.archived && !u.isAdmin && (sim.directory.tokens.get(u.id) ?? []).length > 0)!;
    const userToken = await token(sim, 'admin.directory.user');
    const patched = await api(sim, `/admin/directory/v1/users/${target.primaryEmail}`, userToken, { method: 'PATCH', body: JSON.stringify({ suspended: true, changePasswordAtNextLogin: true }) });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.suspended, true);
    assert.equal(sim.user(target.id)!.changePasswordAtNextLogin, true);
    const security = await token(sim, 'admin.directory.user.security');
    assert.equal((await api(sim, `/admin/directory/v1/users/${target.id}/signOut`, security, { method: 'POST' })).status, 204);
    assert.ok(sim.directory.signOuts.has(target.id));
    const clientId = sim.directory.tokens.get(target.id)![0]!.clientId;
    assert.equal((await api(sim, `/admin/directory/v1/users/${target.id}/tokens/${clientId}`, security, { method: 'DELETE' })).status, 204);
    assert.equal((await api(sim, `/admin/directory/v1/users/${target.id}/tokens/${clientId}`, security, { method: 'DELETE' })).status, 404);
    const recent = sim.activitiesFor({ since: Date.now() - 60_000 }).map((a) => `${a.id.applicationName}:${a.events[0].name}`);
    for (const name of ['admin:SUSPEND_USER', 'admin:CHANGE_PASSWORD_ON_NEXT_LOGIN', 'admin:RESET_SIGNIN_COOKIES', 'admin:REVOKE_3LO_TOKEN', 'token:revoke']) {
      assert.ok(recent.includes(name), `${name} in ${recent.join(', ')}`);
    }
  });
});

describe('Google Workspace simulator: Drive', () => {
  test('a user lists their own files with permissions; shared-drive items list permissions with inheritance', async () => {
    const sim = await simulator();
    const owner = [...sim.drive.files.values()].find((f) => f.owner && f.owner !== sim.adminEmail)!.owner!;
    const driveToken = await token(sim, 'drive', owner);
    const q = encodeURIComponent("'me' in owners and trashed = false");
    const mine = await api(sim, `/drive/v3/files?corpora=user&q=${q}&supportsAllDrives=true&includeItemsFromAllDrives=true`, driveToken);
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    const expected = [...sim.drive.files.values()].filter((f) => f.owner === owner && !f.trashed).map((f) => f.id);
    assert.deepEqual(mine.body.files.map((f: Json) => f.id), expected);
    for (const file of mine.body.files) {
      assert.equal(file.ownedByMe, true);
      assert.ok(file.permissions.some((p: Json) => p.role === 'owner' && p.emailAddress === owner));
    }
    const adminToken = await token(sim, 'drive');
    const drives = await api(sim, '/drive/v3/drives?useDomainAdminAccess=true', adminToken);
    assert.equal(drives.body.drives.length, sim.drive.drives.length);
    const items = await api(sim, `/drive/v3/files?corpora=drive&driveId=${drives.body.drives[0].id}&includeItemsFromAllDrives=true&supportsAllDrives=true`, adminToken);
    assert.ok(items.body.files.length > 0);
    assert.equal(items.body.files[0].permissions, undefined, 'files.list leaves permissions out for shared-drive items');
    const permissions = await api(sim, `/drive/v3/files/${items.body.files[0].id}/permissions?supportsAllDrives=true`, adminToken);
    assert.ok(permissions.body.permissions.some((p: Json) => p.permissionDetails?.[0]?.inherited === true));
    const bad = await api(sim, '/drive/v3/files?q=fullText%20contains%20%27x%27', adminToken);
    assert.equal(bad.status, 400);
  });

  test('the changes feed shows a file shared after the start token, and hands out the token that follows', async () => {
    const sim = await simulator();
    const file = [...sim.drive.files.values()].find((f) => f.owner && f.owner !== sim.adminEmail && !f.permissions.some((p) => p.type === 'anyone'))!;
    const ownerToken = await token(sim, 'drive', file.owner!);
    const start = (await api(sim, '/drive/v3/changes/startPageToken', ownerToken)).body.startPageToken as string;
    const quiet = await api(sim, `/drive/v3/changes?pageToken=${start}`, ownerToken);
    assert.deepEqual([quiet.body.changes, quiet.body.newStartPageToken], [[], start]);
    sim.share(file.id, { type: 'anyone', role: 'reader' });
    const changed = await api(sim, `/drive/v3/changes?pageToken=${start}&includeItemsFromAllDrives=true&supportsAllDrives=true`, ownerToken);
    assert.equal(changed.body.changes.length, 1);
    assert.equal(changed.body.changes[0].fileId, file.id);
    assert.ok(changed.body.changes[0].file.permissions.some((p: Json) => p.type === 'anyone'));
    assert.notEqual(changed.body.newStartPageToken, start);
    const visibility = sim.activitiesFor({ application: 'drive', since: Date.now() - 60_000 }).find((a) => a.events[0].name === 'change_document_visibility');
    assert.ok(visibility, 'the Drive log shows the link being created');
  });

  test('permission removal, ownership transfer, move and labels change the file', async () => {
    const sim = await simulator();
    const file = [...sim.drive.files.values()].find((f) => f.owner && f.owner !== sim.adminEmail && f.permissions.length > 1)!;
    const ownerToken = await token(sim, 'drive', file.owner!);
    const other = file.permissions.find((p) => p.role !== 'owner')!;
    assert.equal((await api(sim, `/drive/v3/files/${file.id}/permissions/${other.id}?supportsAllDrives=true`, ownerToken, { method: 'DELETE' })).status, 204);
    assert.ok(!file.permissions.some((p) => p.id === other.id));
    const owner = file.permissions.find((p) => p.role === 'owner')!;
    assert.equal((await api(sim, `/drive/v3/files/${file.id}/permissions/${owner.id}`, ownerToken, { method: 'DELETE' })).status, 403, 'the owner cannot be removed');
    const transfer = await api(sim, `/drive/v3/files/${file.id}/permissions?transferOwnership=true`, ownerToken, { method: 'POST', body: JSON.stringify({ type: 'user', role: 'owner', emailAddress: sim.adminEmail }) });
    assert.equal(transfer.status, 200, JSON.stringify(transfer.body));
    assert.equal(file.owner, sim.adminEmail);
    const adminToken = await token(sim, 'drive');
    const folder = await api(sim, '/drive/v3/files', adminToken, { method: 'POST', body: JSON.stringify({ name: 'Quarantine', mimeType: 'application/vnd.google-apps.folder' }) });
    const moved = await api(sim, `/drive/v3/files/${file.id}?addParents=${folder.body.id}&removeParents=${file.parents[0]}`, adminToken, { method: 'PATCH', body: '{}' });
    assert.deepEqual(moved.body.parents, [folder.body.id]);
    const label = sim.drive.labels[0]!;
    const labelled = await api(sim, `/drive/v3/files/${file.id}/modifyLabels`, adminToken, { method: 'POST', body: JSON.stringify({ labelModifications: [{ labelId: label.id }] }) });
    assert.equal(labelled.body.modifiedLabels[0].id, label.id);
    const read = await api(sim, `/drive/v3/files/${file.id}?includeLabels=${label.id}`, adminToken);
    assert.deepEqual(read.body.labelInfo.labels.map((l: Json) => l.id), [label.id]);
    const unknownLabel = await api(sim, `/drive/v3/files/${file.id}/modifyLabels`, adminToken, { method: 'POST', body: JSON.stringify({ labelModifications: [{ labelId: 'nope' }] }) });
    assert.equal(unknownLabel.status, 400);
  });

  test('the same seed gives the same tenant', async () => {
    const a = await simulator({ seed: 'same' });
    const b = await simulator({ seed: 'same' });
    assert.deepEqual(a.directory.users.map((u) => u.id), b.directory.users.map((u) => u.id));
    assert.deepEqual([...a.drive.files.keys()], [...b.drive.files.keys()]);
    assert.deepEqual(a.activitiesFor().map((x) => x.id.uniqueQualifier), b.activitiesFor().map((x) => x.id.uniqueQualifier));
  });
});

describe('google workspace simulator: permissions withdrawn at run time', () => {
  test('deny answers 403 insufficientPermissions to calls that need the scope, even with a token issued for it; allow restores them', async () => {
    const sim = await simulator();
    const drive = await token(sim, 'drive');
    const reports = await token(sim, 'admin.reports.audit.readonly');
    sim.deny(`${SCOPE}drive`);
    const refused = await api(sim, '/drive/v3/files?pageSize=1', drive);
    assert.equal(refused.status, 403);
    assert.equal((refused.body.error as { errors: Array<{ reason: string }> }).errors[0]!.reason, 'insufficientPermissions');
    assert.equal((await api(sim, activitiesPath('login', { maxResults: 1 }), reports)).status, 200, 'other scopes are not affected');
    sim.allow(`${SCOPE}drive`);
    assert.equal((await api(sim, '/drive/v3/files?pageSize=1', drive)).status, 200);
  });
});
