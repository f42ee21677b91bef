import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InstanceConfig } from '../../core/config.js';
import { dropbox } from '../../ingestors/dropbox/index.js';
import type { ConnectorInstance, SnapshotPage } from '../../ingestors/contract.js';
import { createConnector } from '../../ingestors/runtime/connector-factory.js';
import { simulatorConfig } from '../../test/support/simulators.js';
import { testLog } from '../../test/support/stack.js';
import { startDropboxSimulator, type DropboxSimulator } from './index.js';

describe('Dropbox simulator and connector over real HTTP', () => {
  let sim: DropboxSimulator;
  const abort = new AbortController();
  let connector: ConnectorInstance;
  before(async () => {
    sim = await startDropboxSimulator({ log: testLog, seed: 'dbx-sim', members: 8, groups: 2, teamFolders: 1, eventsPerDay: 100, days: 1 });
    connector = createConnector(dropbox as never, 'main', simulatorConfig('dropbox', sim) as InstanceConfig, testLog, abort.signal);
  });
  after(async () => {
    abort.abort();
    await sim.close();
  });
  const post = async (route: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sim.url}/2/${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, any>, headers: res.headers };
  };
  const token = async () => {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: sim.refreshToken, client_id: sim.appKey, client_secret: sim.appSecret });
    const res = await fetch(`${sim.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    return (await res.json()) as { access_token: string; expires_in: number; token_type: string };
  };

  test('the token endpoint issues short-lived tokens for the refresh token, and refuses a wrong one as Dropbox does', async () => {
    const issued = await token();
    assert.deepEqual([issued.token_type, issued.expires_in], ['bearer', 14_400]);
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: sim.appKey, client_secret: sim.appSecret });
    const refused = await fetch(`${sim.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'invalid_grant');
  });

  test('auth refusals, Select-User, bad input and endpoint errors are answered as Dropbox answers them', async () => {
    const auth = { authorization: `Bearer ${(await token()).access_token}` };
    const bad = await post('team/members/list_v2', {}, { authorization: 'Bearer wrong' });
    assert.deepEqual([bad.status, bad.json().error['.tag']], [401, 'invalid_access_token']);
    const noUser = await post('files/list_folder', { path: '' }, auth);
    assert.equal(noUser.status, 400);
    assert.match(noUser.text, /^Error in call to API function "files\/list_folder": .*Dropbox-API-Select-User/);
    const badLimit = await post('team_log/get_events', { limit: 5000 }, auth);
    assert.equal(badLimit.status, 400);
    const range = await post('team_log/get_events', { time: { start_time: '2024-01-02T00:00:00Z', end_time: '2024-01-01T00:00:00Z' } }, auth);
    assert.deepEqual([range.status, range.json().error_summary], [409, 'invalid_time_range/...']);
    const cursor = await post('team_log/get_events/continue', { cursor: 'garbage' }, auth);
    assert.deepEqual([cursor.status, cursor.json().error['.tag']], [409, 'bad_cursor']);
    const suspend = await post('team/members/suspend', { user: { '.tag': 'team_member_id', team_member_id: sim.state.members[2]!.team_member_id } }, auth);
    assert.deepEqual([suspend.status, suspend.json().error['.tag']], [409, 'suspend_inactive_user']);
  });

  test('the team log pages with its cursor, an empty first page with has_more included, and reads every event of the window', async () => {
    const auth = { authorization: `Bearer ${(await token()).access_token}` };
    const first = await post('team_log/get_events', { limit: 10 }, auth);
    assert.deepEqual([first.json().events.length, first.json().has_more], [0, true]);
    // The team log is live: the window ends at a whole second already past, so no event made while it is read belongs to it.
    const until = Math.floor(Date.now() / 1000) * 1000;
    const window = { since: until - 86_400_000, until };
    let read = 0;
    for await (const page of connector.activityStreams[0]!.read(window, abort.signal)) read += page.length;
    assert.equal(read, sim.eventsBetween(window.since, window.until).length);
  });

  test('an expired access token is refreshed once and the request goes through', async () => {
    await connector.checkCredentials();
    const before = sim.requests.tokens;
    sim.expireTokens();
    const check = await connector.checkCredentials();
    assert.equal(check.ok, true);
    assert.equal(sim.requests.tokens, before + 1, 'one refresh');
  });

  test('a scope taken away: 401 missing_scope names it, and the check shows the capabilities missing that permission', async () => {
    sim.deny('groups.read');
    try {
      const check = await connector.checkCredentials();
      assert.deepEqual(check.missing.map((m) => [m.capability, m.permission]), [['groups', 'groups.read']]);
      // The account scan reads the rest and skips the groups, so that nothing of them is taken for deleted.
      const pages: SnapshotPage[] = [];
      for await (const page of connector.snapshotStreams[0]!.read(abort.signal)) pages.push(page);
      assert.ok(pages.some((p) => p.skipped?.includes('group')));
      assert.ok(pages.some((p) => p.items.some((i) => i.kind === 'user')));
    } finally {
      sim.allow('groups.read');
    }
  });

  test('429 with Retry-After (too_many_requests, and too_many_write_operations on a move) is waited out', async () => {
    sim.throttleNext(2, { retryAfterSeconds: 1 });
    const throttled = sim.requests.throttled;
    const check = await connector.checkCredentials();
    assert.equal(check.ok, true);
    assert.equal(sim.requests.throttled, throttled + 2);
    const auth = { authorization: `Bearer ${(await token()).access_token}` };
    sim.throttleNext(1, { writes: true, retryAfterSeconds: 2 });
    const write = await post('files/create_folder_v2', { path: '/x' }, { ...auth, 'dropbox-api-select-user': sim.admin.team_member_id });
    assert.deepEqual([write.status, write.headers.get('retry-after'), write.json().error.reason['.tag']], [429, '2', 'too_many_write_operations']);
  });

  test('the file scan resumes from its checkpoint in the same member\'s Dropbox', async () => {
    const stream = connector.snapshotStreams[1]!;
    const ids = (pages: SnapshotPage[]) => pages.flatMap((p) => p.items.map((i) => (i.raw as { entry: { id: string } }).entry.id));
    const all: SnapshotPage[] = [];
    for await (const page of stream.read(abort.signal)) all.push(page);
    assert.equal(new Set(ids(all)).size, sim.state.entries.size);
    const cut = all.findIndex((p) => p.checkpoint !== undefined && p.items.length > 0);
    const rest: SnapshotPage[] = [];
    for await (const page of stream.read(abort.signal, all[cut]!.checkpoint)) rest.push(page);
    assert.deepEqual(new Set(ids(rest)), new Set(ids(all.slice(cut + 1))));
  });
});
