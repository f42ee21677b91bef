import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { SIMULATED_APPLICATIONS, type GoogleWorkspaceSimulator } from '../../simulators/google-workspace/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { waitFor } from '../support/wait-for.js';
import { expectedEvents, googleInstance, googleSimulator } from './google-workspace-support.js';
import { DEFAULT_APPLICATIONS } from '../../ingestors/google-workspace/config.js';

interface ActivityItem {
  event_id: string; instance: string; occurred_at: string; action_raw: string; outcome: string; category: string; action: string;
  actor: { id: string | null; email: string | null; type: string };
  source: { ip: string | null };
  targets: Array<{ type: string; id: string | null; email: string | null }>;
}
interface FileRow {
  file_id: string; change: string; access_level: string; owner_email: string | null; collaborator_types: string[]; collaborator_emails: Array<string | null>;
  label: string | null; attributes: Record<string, string>;
}
type Raw = Record<string, any>;

const cleanups: Array<() => Promise<unknown>> = [];
// Each test's stacks and simulators stop when it ends: left running, they would poll through the later tests.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: Parameters<typeof googleSimulator>[0]): Promise<GoogleWorkspaceSimulator> {
  const sim = await googleSimulator(options);
  cleanups.push(() => sim.close());
  return sim;
}

async function stack(...args: Parameters<typeof startTestStack>): Promise<TestStack> {
  const s = await startTestStack(...args);
  cleanups.push(() => s.stop());
  return s;
}

async function allPages(s: TestStack, url: string): Promise<ActivityItem[]> {
  const items: ActivityItem[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const res: { status: number; body: { items: ActivityItem[]; next_cursor: string | null } } = await s.api(cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : url);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('too many pages');
}

async function fileRows(s: TestStack, instance: string): Promise<Map<string, FileRow>> {
  const rows = await s.clickhouse.query<FileRow>(
    `SELECT file_id, change, access_level, owner_email, collaborator_types, collaborator_emails, label, attributes
     FROM files FINAL WHERE provider = 'google_workspace' AND instance = {instance:String}`, { instance });
  return new Map(rows.map((r) => [r.file_id, r]));
}

/** The exposure a file's permissions give, worked out independently of the connector. */
function expectedAccess(sim: GoogleWorkspaceSimulator, fileId: string): string {
  const file = sim.drive.files.get(fileId)!;
  const drive = file.driveId ? sim.drive.sharedDrive(file.driveId) : undefined;
  const emails = [...file.permissions.map((p) => p.emailAddress), ...(drive?.members.map((m) => m.email) ?? [])].filter((e): e is string => !!e);
  if (file.permissions.some((p) => p.type === 'anyone')) return 'public';
  if (emails.some((e) => !e.endsWith(`@${sim.domain}`)) || file.permissions.some((p) => p.type === 'domain' && p.domain !== sim.domain)) return 'external';
  if (file.permissions.some((p) => p.type === 'domain')) return 'internal';
  return 'private';
}

/** Files the scan can read: shared-drive items, and My Drive files of users Google lets us impersonate. */
function scannableFiles(sim: GoogleWorkspaceSimulator): string[] {
  return [...sim.drive.files.values()].filter((f) => {
    if (f.driveId) return true;
    const owner = sim.user(f.owner!);
    return owner && !owner.suspended && !owner.archived && !f.trashed;
  }).map((f) => f.id);
}

describe('Google Workspace end to end: simulator → connector → Kafka → sink → ClickHouse → API', () => {
  test('logon, user and admin activity of every application is stored once per event and comes back through the API with its fields', async () => {
    const sim = await simulator({ seed: 'gw-e2e' });
    const s = await stack({ google_workspace: { main: googleInstance(sim) } });
    const expected = expectedEvents(sim, 'main');
    await waitFor(async () => (await s.countActivities('main')) === expected.length, { what: `${expected.length} activities stored` });

    const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    for (const category of ['logon', 'user', 'admin', 'file', 'app']) {
      const want = expected.filter((e) => e.category === category).map((e) => e.event_id).sort();
      assert.ok(want.length > 0, `the tenant has ${category} activity`);
      const got = await allPages(s, `/v1/activities?provider=google_workspace&category=${category}&from=${from}&to=${to}&limit=500`);
      assert.deepEqual(got.map((i) => i.event_id).sort(), want, category);
    }

    // One user's activity, field by field against the simulator's records.
    const alice = sim.directory.users[1]!.primaryEmail;
    const theirs = sim.activitiesFor({ actorEmail: alice });
    assert.ok(theirs.length > 0);
    const items = await allPages(s, `/v1/activities?provider=google_workspace&user=${encodeURIComponent(alice.toUpperCase())}&from=${from}&to=${to}&limit=50`);
    const byUq = new Map(theirs.map((a) => [String(a.id.uniqueQualifier), a as Raw]));
    assert.equal(items.length, theirs.reduce((n, a) => n + a.events.length, 0));
    for (const item of items) {
      const activity = [...byUq.values()].find((a) => a.events.some((e: Raw) => e.name === item.action_raw) && new Date(a.id.time).toISOString() === item.occurred_at);
      assert.ok(activity, `${item.action_raw} at ${item.occurred_at} is one of the simulator's`);
      assert.equal(item.instance, 'main');
      assert.equal(item.actor.email, alice);
      assert.equal(item.actor.id, activity.actor.profileId);
      assert.equal(item.source.ip, activity.ipAddress ?? null);
      const outcome = item.action_raw === 'login_success' ? 'success' : item.action_raw === 'login_failure' ? 'failure' : item.action_raw === 'logout' ? 'success' : 'unknown';
      assert.equal(item.outcome, outcome, item.action_raw);
    }
    const status = await s.api<{ items: Array<{ streams: Array<{ stream: string }> ; credentials: { ok: boolean; missing: unknown[] } }> }>('/v1/connectors');
    assert.deepEqual(status.body.items[0]!.streams.filter((x) => x.stream.startsWith('reports/')).map((x) => x.stream).sort(),
      DEFAULT_APPLICATIONS.map((a) => `reports/${a}`).sort(), 'one stream and cursor per application, every Reports application by default');
    assert.equal(status.body.items[0]!.credentials.ok, true);
    assert.deepEqual(status.body.items[0]!.credentials.missing, []);
  });

  test('accounts, groups, memberships, privileges with role names, and OAuth app grants are queryable after the first scan', async () => {
    const sim = await simulator({ seed: 'gw-directory', users: 12, groups: 3 });
    const s = await stack({ google_workspace: { main: googleInstance(sim) } });
    const memberCount = [...sim.directory.members.values()].reduce((n, m) => n + m.length, 0);
    const grantCount = [...sim.directory.tokens.values()].reduce((n, t) => n + t.length, 0);
    await waitFor(async () => (await s.api<{ items: unknown[] }>('/v1/accounts?provider=google_workspace&kind=app_grant&limit=1000')).body.items.length === grantCount
      && (await s.api<{ items: unknown[] }>('/v1/accounts?provider=google_workspace&kind=privilege&limit=1000')).body.items.length === sim.directory.roleAssignments.length,
    { what: 'the directory scan stored' });

    const users = (await s.api<{ items: Array<{ subject: { id: string; email: string; name: string }; status: string; last_login_at: string | null }> }>('/v1/accounts?kind=user&limit=1000')).body.items;
    assert.equal(users.length, sim.directory.users.length);
    for (const user of sim.directory.users) {
      const stored = users.find((u) => u.subject.id === user.id)!;
      assert.equal(stored.subject.email, user.primaryEmail);
      assert.equal(stored.subject.name, user.name.fullName);
      assert.equal(stored.status, user.suspended ? 'suspended' : user.archived ? 'deprovisioned' : 'active');
      if (user.lastLoginTime.startsWith('1970')) assert.equal(stored.last_login_at, null, 'Google\'s "never" is no time');
    }
    const groups = (await s.api<{ items: Array<{ subject: { email: string } }> }>('/v1/accounts?kind=group&limit=1000')).body.items;
    assert.deepEqual(groups.map((g) => g.subject.email).sort(), sim.directory.groups.map((g) => g.email).sort());
    const memberships = (await s.api<{ items: Array<{ subject: { type: string } }> }>('/v1/accounts?kind=membership&limit=1000')).body.items;
    assert.equal(memberships.length, memberCount);
    assert.ok(memberships.some((m) => m.subject.type === 'group'), 'nested groups are members of type group');
    const privileges = (await s.api<{ items: Array<{ subject: { id: string; email: string | null; type: string }; privilege: { id: string; name: string; type: string } }> }>('/v1/accounts?kind=privilege&limit=1000')).body.items;
    const superAdmin = privileges.find((p) => p.subject.id === sim.directory.users[0]!.id)!;
    assert.deepEqual([superAdmin.privilege.name, superAdmin.privilege.type, superAdmin.subject.email], ['_SEED_ADMIN_ROLE', 'super_admin', sim.adminEmail]);
    assert.ok(privileges.some((p) => p.subject.type === 'group'), 'a role assigned to a group');
    const grants = (await s.api<{ items: Array<{ subject: { id: string }; app: { id: string; name: string; scopes: string[] } }> }>('/v1/accounts?kind=app_grant&limit=1000')).body.items;
    for (const [userId, tokens] of sim.directory.tokens) {
      for (const token of tokens) {
        const stored = grants.find((g) => g.subject.id === userId && g.app.id === token.clientId);
        assert.ok(stored, `grant of ${token.displayText} to ${userId}`);
        assert.deepEqual([stored.app.name, stored.app.scopes], [token.displayText, token.scopes]);
      }
    }
  });

  test('the periodic file scan stores every readable file with its exposure; a file shared later shows up through the changes feed', async () => {
    const sim = await simulator({ seed: 'gw-files', users: 6, filesPerUser: 4, sharedDrives: 1 });
    const s = await stack({ google_workspace: { main: googleInstance(sim) } });
    const expectedIds = scannableFiles(sim);
    await waitFor(async () => (await fileRows(s, 'main')).size === expectedIds.length, { what: `${expectedIds.length} files stored`, timeoutMs: 60_000 });
    const rows = await fileRows(s, 'main');
    assert.deepEqual([...rows.keys()].sort(), [...expectedIds].sort());
    const levels = new Set<string>();
    for (const [id, row] of rows) {
      assert.equal(row.access_level, expectedAccess(sim, id), `access level of ${sim.drive.files.get(id)!.name}`);
      assert.equal(row.change, 'seen');
      levels.add(row.access_level);
    }
    assert.deepEqual([...levels].sort(), ['external', 'internal', 'private', 'public'], 'the tenant has every exposure');
    const sharedItem = [...rows.values()].find((r) => r.attributes.drive_id);
    assert.ok(sharedItem && sharedItem.collaborator_types.length > 0, 'shared-drive items carry the permissions read separately');

    // Near-realtime: the change feed has started from the present; a share now reaches ClickHouse without a rescan.
    await waitFor(async () => {
      const status = (await s.api<{ items: Array<{ streams: Array<{ stream: string; lastSuccessAt: string | null }> }> }>('/v1/connectors')).body;
      return status.items[0]!.streams.find((x) => x.stream === 'drive/changes')?.lastSuccessAt;
    }, { what: 'the change feed read once' });
    const target = [...rows.entries()].find(([id, r]) => r.access_level === 'private' && !sim.drive.files.get(id)!.driveId)!;
    const outsider = `auditor@outside.example.net`;
    sim.share(target[0], { type: 'user', role: 'reader', emailAddress: outsider });
    const updated = await waitFor(async () => {
      const row = (await fileRows(s, 'main')).get(target[0]);
      return row?.change === 'updated' ? row : null;
    }, { what: 'the shared file updated through the feed' });
    assert.equal(updated.access_level, 'external');
    assert.ok(updated.collaborator_emails.includes(outsider));
  });

  test('two tenants side by side: each instance keeps its own events, accounts and files', async () => {
    const emea = await simulator({ seed: 'gw-emea', domain: 'emea.example.com', activitiesPerDay: 100 });
    const us = await simulator({ seed: 'gw-us', domain: 'us.example.com', activitiesPerDay: 150 });
    // The applications the simulated tenants have history in: the 41 of the default would each re-read their week, twice.
    const applications = [...SIMULATED_APPLICATIONS];
    const s = await stack({ google_workspace: { emea: googleInstance(emea, { applications }), us: googleInstance(us, { applications }) } });
    const want = { emea: expectedEvents(emea, 'emea'), us: expectedEvents(us, 'us') };
    await waitFor(async () => (await s.countActivities('emea')) === want.emea.length && (await s.countActivities('us')) === want.us.length,
      { what: 'both tenants stored' });
    const rows = await s.clickhouse.query<{ instance: string; ids: string[] }>(
      "SELECT instance, groupArray(event_id) AS ids FROM activities FINAL WHERE provider = 'google_workspace' GROUP BY instance ORDER BY instance");
    assert.deepEqual(rows.map((r) => r.instance), ['emea', 'us']);
    assert.deepEqual(rows[0]!.ids.sort(), want.emea.map((e) => e.event_id).sort());
    assert.deepEqual(rows[1]!.ids.sort(), want.us.map((e) => e.event_id).sort());
    const users = (await s.api<{ items: Array<{ instance: string; subject: { email: string } }> }>('/v1/accounts?kind=user&limit=1000')).body.items;
    for (const user of users) assert.ok(user.subject.email.endsWith(user.instance === 'emea' ? '@emea.example.com' : '@us.example.com'));
    await waitFor(async () => (await fileRows(s, 'emea')).size > 0 && (await fileRows(s, 'us')).size > 0, { what: 'files of both' });
  });
});
