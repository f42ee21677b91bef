import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createClock } from '../common/clock.js';
import { startOffice365Simulator, type Office365Simulator, type Office365SimulatorOptions } from './index.js';

const sims: Office365Simulator[] = [];
after(async () => {
  for (const sim of sims) await sim.close();
});

async function simulator(options: Office365SimulatorOptions = {}): Promise<Office365Simulator> {
  const sim = await startOffice365Simulator({ users: 6, groups: 3, sites: 1, itemsPerDrive: 5, eventsPerDay: 300, days: 1, ...options });
  sims.push(sim);
  return sim;
}

async function token(sim: Office365Simulator, resource: 'graph.microsoft.com' | 'manage.office.com', overrides: Record<string, string> = {}): Promise<Response> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `https://${resource}/.default`, ...overrides });
  return fetch(`${sim.url}/${overrides.tenant ?? sim.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
}

async function bearer(sim: Office365Simulator, resource: 'graph.microsoft.com' | 'manage.office.com'): Promise<string> {
  const res = await token(sim, resource);
  assert.equal(res.status, 200);
  return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
}

async function call(sim: Office365Simulator, auth: string, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(path.startsWith('http') ? path : `${sim.url}${path}`, { ...init, headers: { authorization: auth, 'content-type': 'application/json', ...(init.headers as Record<string, string> ?? {}) } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? null : JSON.parse(text) };
}

function feed(sim: Office365Simulator, rest: string): string {
  return `/api/v1.0/${sim.tenantId}/activity/feed/${rest}`;
}

/** `YYYY-MM-DDTHH:MM:SS`, as the Management API takes times. */
function apiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

describe('office365 simulator: auth', () => {
  test('the token endpoint issues expiring JWTs per resource and refuses a wrong secret, tenant, scope or grant', async () => {
    const sim = await simulator();
    const ok = await token(sim, 'graph.microsoft.com');
    const body = (await ok.json()) as { token_type: string; expires_in: number; access_token: string };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString('utf8'));
    assert.equal(claims.aud, 'https://graph.microsoft.com');
    assert.equal(claims.tid, sim.tenantId);
    assert.ok(claims.roles.includes('User.ReadWrite.All'), 'the roles claim lists the application permissions');

    const secret = await token(sim, 'graph.microsoft.com', { client_secret: 'wrong' });
    assert.equal(secret.status, 401);
    assert.equal(((await secret.json()) as { error: string }).error, 'invalid_client');
    assert.equal((await token(sim, 'graph.microsoft.com', { tenant: 'nosuch.example' })).status, 400);
    const scope = await token(sim, 'graph.microsoft.com', { scope: 'https://graph.microsoft.com/User.Read' });
    assert.equal(((await scope.json()) as { error: string }).error, 'invalid_scope');
    assert.equal((await token(sim, 'graph.microsoft.com', { grant_type: 'password' })).status, 400);
    assert.equal((await token(sim, 'graph.microsoft.com', { tenant: 'contoso.example' })).status, 200, 'a verified domain names the tenant too');
  });

  test('401 for a missing, expired, revoked or wrong-audience token; 403 for a missing permission', async () => {
    const clock = createClock();
    const sim = await simulator({ clock, tokenLifetimeMs: 60_000, grantedPermissions: { graph: ['User.Read.All'], management: [] } });
    const graphToken = await bearer(sim, 'graph.microsoft.com');
    assert.equal((await call(sim, graphToken, '/v1.0/users')).status, 200);
    const missing = await call(sim, '', '/v1.0/users');
    assert.deepEqual([missing.status, missing.body.error.code], [401, 'InvalidAuthenticationToken']);
    const manageToken = await bearer(sim, 'manage.office.com');
    const audience = await call(sim, manageToken, '/v1.0/users');
    assert.deepEqual([audience.status, audience.body.error.message], [401, 'Invalid audience.']);
    assert.equal((await call(sim, graphToken, feed(sim, 'subscriptions/list'))).status, 401, 'a Graph token is refused by the Management API');
    const groups = await call(sim, graphToken, '/v1.0/groups');
    assert.deepEqual([groups.status, groups.body.error.code], [403, 'Authorization_RequestDenied']);
    const feedDenied = await call(sim, manageToken, feed(sim, 'subscriptions/list'));
    assert.deepEqual([feedDenied.status, feedDenied.body.error.code], [403, 'AF10001']);
    clock.advance(61_000);
    const expired = await call(sim, graphToken, '/v1.0/users');
    assert.deepEqual([expired.status, expired.body.error.message], [401, 'Access token has expired or is not yet valid.']);
    const fresh = await bearer(sim, 'graph.microsoft.com');
    sim.revokeTokens();
    assert.equal((await call(sim, fresh, '/v1.0/users')).status, 401);
  });
});

describe('office365 simulator: Microsoft Graph', () => {
  test('lists page with @odata.nextLink that repeats the query; $select limits fields; signInActivity needs AuditLog.Read.All', async () => {
    const sim = await simulator({ users: 7, graphPageSize: 3 });
    const auth = await bearer(sim, 'graph.microsoft.com');
    const ids: string[] = [];
    let url: string | undefined = '/v1.0/users?$select=id,userPrincipalName&$top=999';
    for (let i = 0; url !== undefined && i < 10; i++) {
      const page: { status: number; body: any } = await call(sim, auth, url);
      assert.equal(page.status, 200);
      assert.ok(page.body.value.length <= 3);
      for (const u of page.body.value) assert.deepEqual(Object.keys(u).sort(), ['id', 'userPrincipalName']);
      ids.push(...page.body.value.map((u: { id: string }) => u.id));
      url = page.body['@odata.nextLink'];
      if (url) assert.match(url, /\?\$select=id,userPrincipalName&\$top=999&\$skiptoken=/);
    }
    assert.deepEqual(ids, sim.state.users.map((u) => u.id));
    const alice = await call(sim, auth, '/v1.0/users/alice@contoso.example?$select=id,signInActivity');
    assert.ok(alice.body.signInActivity);
  });

  test('governance calls change the tenant and leave audit records; the delta feed reports sharing changes', async () => {
    const sim = await simulator({ contentDelayMs: 0 });
    const auth = await bearer(sim, 'graph.microsoft.com');
    const bob = sim.state.users.find((u) => u.userType === 'Member' && u.accountEnabled && u.id !== sim.state.users[0]!.id)!;
    assert.equal((await call(sim, auth, `/v1.0/users/${bob.id}`, { method: 'PATCH', body: JSON.stringify({ accountEnabled: false }) })).status, 204);
    assert.equal(bob.accountEnabled, false);
    const revoked = await call(sim, auth, `/v1.0/users/${bob.id}/revokeSignInSessions`, { method: 'POST' });
    assert.equal(revoked.body.value, true);
    const records = sim.audit.blobs.flatMap((b) => b.records).filter((r) => r.ObjectId === bob.userPrincipalName && r.UserType === 5);
    assert.deepEqual(records.map((r) => r.Operation).sort(), ['Disable account.', 'Update StsRefreshTokenValidFrom Timestamp.']);

    const anonymous = sim.files().find((f) => f.permissions.some((p) => (p.link as { scope?: string } | undefined)?.scope === 'anonymous'))!;
    const [driveId, itemId] = anonymous.fileId.split('/');
    const start = await call(sim, auth, `/v1.0/drives/${driveId}/root/delta?token=latest`);
    assert.deepEqual(start.body.value, []);
    const link = anonymous.permissions.find((p) => (p.link as { scope?: string } | undefined)?.scope === 'anonymous')!;
    assert.equal((await call(sim, auth, `/v1.0/drives/${driveId}/items/${itemId}/permissions/${link.id}`, { method: 'DELETE' })).status, 204);
    const owner = anonymous.permissions.find((p) => p.roles.includes('owner'))!;
    assert.equal((await call(sim, auth, `/v1.0/drives/${driveId}/items/${itemId}/permissions/${owner.id}`, { method: 'DELETE' })).status, 403, 'the owner cannot be removed');
    const changes = await call(sim, auth, start.body['@odata.deltaLink']);
    assert.deepEqual(changes.body.value.map((i: { id: string }) => i.id), [itemId]);
    assert.ok(changes.body['@odata.deltaLink']);
    const label = sim.state.labels[2]!;
    assert.equal((await call(sim, auth, `/v1.0/drives/${driveId}/items/${itemId}/assignSensitivityLabel`, { method: 'POST', body: JSON.stringify({ sensitivityLabelId: label.id, assignmentMethod: 'standard' }) })).status, 202);
    const labels = await call(sim, auth, `/v1.0/drives/${driveId}/items/${itemId}/extractSensitivityLabels`, { method: 'POST' });
    assert.equal(labels.body.labels[0].sensitivityLabelId, label.id);
    const expiredLink = await call(sim, auth, `/v1.0/drives/${driveId}/root/delta?token=garbage`);
    assert.equal(expiredLink.status, 410, 'an unreadable delta token asks for a resync');
  });

  test('delta: a first round lists every item over pages (@odata.nextLink), ending with @odata.deltaLink; later rounds only changes', async () => {
    const sim = await simulator({ deltaPageSize: 2, itemsPerDrive: 5 });
    const auth = await bearer(sim, 'graph.microsoft.com');
    const drive = sim.files()[0]!.drive;
    const seen: string[] = [];
    let link: string = `/v1.0/drives/${drive.drive.id}/root/delta`;
    let deltaLink: string | undefined;
    for (let i = 0; i < 20 && deltaLink === undefined; i++) {
      const page: { body: any } = await call(sim, auth, link);
      assert.ok(page.body.value.length <= 2);
      seen.push(...page.body.value.map((item: { id: string }) => item.id));
      deltaLink = page.body['@odata.deltaLink'];
      link = page.body['@odata.nextLink'];
    }
    assert.deepEqual(seen.sort(), [...drive.items.keys()].sort(), 'every item, the root included');
    const added = sim.addFile(drive.drive.id, 'new.txt');
    const next = await call(sim, auth, deltaLink!);
    assert.deepEqual(next.body.value.map((item: { id: string; name: string }) => item.name), ['new.txt']);
    assert.equal(next.body.value[0].id, added.item.id);
  });

  test('a throttled Graph request gets 429 with Retry-After', async () => {
    const sim = await simulator();
    const auth = await bearer(sim, 'graph.microsoft.com');
    sim.throttleNext(2, { api: 'graph', retryAfterSeconds: 7 });
    const first = await call(sim, auth, '/v1.0/users');
    assert.deepEqual([first.status, first.headers.get('retry-after'), first.body.error.code], [429, '7', 'TooManyRequests']);
    assert.equal((await call(sim, auth, '/v1.0/users')).status, 429);
    assert.equal((await call(sim, auth, '/v1.0/users')).status, 200);
    assert.equal(sim.requests.throttled.graph, 2);
  });

  test('the same seed builds the same tenant', async () => {
    const a = await simulator({ seed: 'same' });
    const b = await simulator({ seed: 'same' });
    assert.deepEqual(a.state.users.map((u) => [u.id, u.userPrincipalName, u.accountEnabled]), b.state.users.map((u) => [u.id, u.userPrincipalName, u.accountEnabled]));
    assert.deepEqual(a.files().map((f) => f.fileId), b.files().map((f) => f.fileId));
    assert.deepEqual(a.audit.blobs.map((x) => x.records.map((r) => r.Id)), b.audit.blobs.map((x) => x.records.map((r) => r.Id)));
  });
});

describe('office365 simulator: Management Activity API', () => {
  test('subscriptions start once (AF20024 after), content needs one (AF20022), windows are at most 24 h within 7 days (AF20055)', async () => {
    const sim = await simulator();
    const auth = await bearer(sim, 'manage.office.com');
    const now = Date.now();
    const window = `startTime=${apiTime(now - 3_600_000)}&endTime=${apiTime(now)}`;
    const before = await call(sim, auth, feed(sim, `subscriptions/content?contentType=Audit.General&${window}`));
    assert.deepEqual([before.status, before.body.error.code], [400, 'AF20022']);
    assert.equal((await call(sim, auth, feed(sim, 'subscriptions/start?contentType=Audit.General'), { method: 'POST' })).status, 200);
    const again = await call(sim, auth, feed(sim, 'subscriptions/start?contentType=Audit.General'), { method: 'POST' });
    assert.deepEqual([again.status, again.body.error.code], [400, 'AF20024']);
    assert.equal((await call(sim, auth, feed(sim, `subscriptions/content?contentType=Audit.General&${window}`))).status, 200);
    const wide = await call(sim, auth, feed(sim, `subscriptions/content?contentType=Audit.General&startTime=${apiTime(now - 25 * 3_600_000)}&endTime=${apiTime(now)}`));
    assert.deepEqual([wide.status, wide.body.error.code], [400, 'AF20055']);
    const old = await call(sim, auth, feed(sim, `subscriptions/content?contentType=Audit.General&startTime=${apiTime(now - 9 * 86_400_000)}&endTime=${apiTime(now - 8 * 86_400_000)}`));
    assert.equal(old.status, 400);
    const invalid = await call(sim, auth, feed(sim, 'subscriptions/start?contentType=Audit.Nope'), { method: 'POST' });
    assert.equal(invalid.body.error.code, 'AF20020');
  });

  test('content lists page through NextPageUri; blobs are arrays of records; late blobs appear later; expired ones are refused', async () => {
    const clock = createClock();
    const sim = await simulator({ clock, contentPageSize: 4, eventsPerDay: 600 });
    const auth = await bearer(sim, 'manage.office.com');
    await call(sim, auth, feed(sim, 'subscriptions/start?contentType=Audit.AzureActiveDirectory'), { method: 'POST' });
    const now = clock.now();
    const list = async (start: number, end: number) => {
      const blobs: Array<{ contentId: string; contentUri: string; contentCreated: string; contentExpiration: string }> = [];
      let url: string | null = feed(sim, `subscriptions/content?contentType=Audit.AzureActiveDirectory&startTime=${apiTime(start)}&endTime=${apiTime(end)}&PublisherIdentifier=${sim.tenantId}`);
      for (let i = 0; url !== null && i < 100; i++) {
        const page: { status: number; headers: Headers; body: any } = await call(sim, auth, url);
        assert.equal(page.status, 200);
        assert.ok(page.body.length <= 4);
        blobs.push(...page.body);
        url = page.headers.get('NextPageUri');
      }
      return blobs;
    };
    const blobs = await list(now - 86_400_000 + 60_000, now);
    assert.ok(blobs.length > 4, 'more than one page');
    const records = await call(sim, auth, `${blobs[0]!.contentUri}?PublisherIdentifier=${sim.tenantId}`);
    assert.ok(Array.isArray(records.body) && records.body.length > 0);
    assert.match(records.body[0].CreationTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, 'CreationTime has no zone');

    const late = sim.makeRecord('UserLoggedIn', { at: now - 120_000 });
    sim.addBlob([late], { contentType: 'Audit.AzureActiveDirectory', contentCreated: now - 60_000, availableAt: now + 30_000 });
    const ids = async () => (await list(now - 3_600_000, now + 1000)).map((b) => b.contentId);
    const lateBlob = sim.audit.blobs[sim.audit.blobs.length - 1]!;
    assert.ok(!(await ids()).includes(lateBlob.contentId), 'not listed before it is available');
    clock.advance(31_000);
    assert.ok((await ids()).includes(lateBlob.contentId), 'listed once available, in the window of its contentCreated');

    const expiring = sim.addBlob([sim.makeRecord('UserLoggedIn', { at: clock.now() - 60_000 })], { contentType: 'Audit.AzureActiveDirectory', contentCreated: clock.now() - 30_000, contentExpiration: clock.now() + 1000 });
    clock.advance(2000);
    const gone = await call(sim, auth, feed(sim, `audit/${expiring.contentId}`));
    assert.deepEqual([gone.status, gone.body.error.code], [400, 'AF20051']);
  });

  test('the Management API throttles with 403 AF429 (no Retry-After), per PublisherIdentifier', async () => {
    const sim = await simulator({ rateLimit: { limit: 3, windowMs: 60_000 } });
    const auth = await bearer(sim, 'manage.office.com');
    const statuses: number[] = [];
    let body: any;
    for (let i = 0; i < 5; i++) {
      const res = await call(sim, auth, feed(sim, `subscriptions/list?PublisherIdentifier=${sim.tenantId}`));
      statuses.push(res.status);
      if (res.status === 403) body = res.body;
    }
    assert.equal(statuses.filter((s) => s === 403).length >= 1, true, JSON.stringify(statuses));
    assert.equal(body.error.code, 'AF429');
    assert.match(body.error.message, new RegExp(`PublisherId=${sim.tenantId}`));
    assert.equal((await call(sim, auth, feed(sim, 'subscriptions/list?PublisherIdentifier=another-publisher'))).status, 200, 'another publisher has its own quota');
    sim.throttleNext(1, { api: 'management' });
    const forced = await call(sim, auth, feed(sim, 'subscriptions/list?PublisherIdentifier=another-publisher'));
    assert.deepEqual([forced.status, forced.headers.get('retry-after')], [403, null]);
  });

  test('generated history normalizes with the connector and spans every content type', async () => {
    const { normalizeOffice365Activity } = await import('../../ingestors/office365/normalize-activity.js');
    // 20,000 a day: the rarest kind (an alert, Audit.General) is a fraction of a percent of the mix, and
    // at 2,000 a day the day ending now sometimes held none of it (a CI run failed so).
    const sim = await simulator({ eventsPerDay: 20_000 });
    const types = new Set(sim.audit.blobs.map((b) => b.contentType));
    assert.deepEqual([...types].sort(), ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.General', 'Audit.SharePoint', 'DLP.All']);
    const actions = new Set<string>();
    for (const record of sim.expectedRecords()) actions.add(normalizeOffice365Activity(record, { instance: 'x', ingestedAt: 0 }).action);
    for (const action of ['login', 'file_view', 'file_download', 'file_share', 'privilege_grant', 'group_member_add', 'app_grant', 'user_update']) assert.ok(actions.has(action), action);
  });
});

describe('office365 simulator: permissions withdrawn at run time', () => {
  test('deny answers 403 (Management AF10001, Graph Authorization_RequestDenied) to calls that need the permission, even with a token issued before; allow restores them', async () => {
    const sim = await simulator();
    const manage = await bearer(sim, 'manage.office.com');
    const graphAuth = await bearer(sim, 'graph.microsoft.com');
    const start = feed(sim, 'subscriptions/start?contentType=Audit.General');
    sim.deny('ActivityFeed.Read');
    const refused = await call(sim, manage, start, { method: 'POST' });
    assert.deepEqual([refused.status, refused.body.error.code], [403, 'AF10001']);
    assert.equal((await call(sim, graphAuth, '/v1.0/users')).status, 200, 'Graph is not affected');
    sim.allow('ActivityFeed.Read');
    assert.equal((await call(sim, manage, start, { method: 'POST' })).status, 200);

    for (const permission of ['User.ReadWrite.All', 'Directory.ReadWrite.All']) sim.deny(permission);
    const users = await call(sim, graphAuth, '/v1.0/users');
    assert.deepEqual([users.status, users.body.error.code], [403, 'Authorization_RequestDenied']);
  });
});
