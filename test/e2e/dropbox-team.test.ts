import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dropbox } from '../../ingestors/dropbox/index.js';
import { startDropboxSimulator, type DropboxSimulator, type SimEntry } from '../../simulators/dropbox/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { simulatorInstance } from '../support/simulators.js';
import { ADMIN_HEADERS, FAST_INSTANCE, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import type { AuditEvent } from '../../schemas/types.js';

/** The events the connector makes of the simulator's records (a record it refuses is a dead letter). */
function normalizedOf(raws: readonly unknown[], instance: string): AuditEvent[] {
  return raws.flatMap((raw) => {
    try {
      return [dropbox.normalizeActivity(raw, { instance, ingestedAt: 0 })].flat();
    } catch {
      return [];
    }
  });
}

interface Account { record_id: string; kind: string; deleted: boolean; status: string | null; subject: { id: string; email: string | null }; privilege: { name: string | null } | null; app: { id: string; name: string | null } | null; group: { id: string } | null }
interface FileRow { file_id: string; name: string; path: string | null; access_level: string; owner_email: string | null; change: string }
interface Activity { event_id: string; action: string; action_raw: string; category: string; actor: { id: string | null }; source: { ip: string | null } }
interface Detail { command: { status: string; message: string | null }; history: Array<{ status: string }> }

/**
 * Two Dropbox teams side by side, one stack: `a` scans files once (its change feed brings what changes
 * after), `b` rescans accounts and files every few seconds (deletions). Every cell of the Dropbox column.
 */
describe('Dropbox end to end: two teams, accounts, activities, files, governance', () => {
  let a: DropboxSimulator;
  let b: DropboxSimulator;
  let s: TestStack;
  before(async () => {
    const team = { members: 12, groups: 2, teamFolders: 1, filesPerMember: 6, eventsPerDay: 200, days: 1 };
    a = await startDropboxSimulator({ log: testLog, seed: 'dbx-e2e-a', ...team });
    b = await startDropboxSimulator({ log: testLog, seed: 'dbx-e2e-b', ...team, members: 8 });
    s = await startTestStack({
      dropbox: {
        a: simulatorInstance('dropbox', a),
        b: simulatorInstance('dropbox', b, { schedule: { ...FAST_INSTANCE.schedule, accountsEveryMs: 1500, filesEveryMs: 1500 } }),
      },
    });
  });
  after(async () => {
    await s?.stop();
    await a?.close();
    await b?.close();
  });

  const accounts = async (instance: string, query: string) =>
    (await s.api<{ items: Account[] }>(`/v1/accounts?provider=dropbox&instance=${instance}&limit=1000&${query}`)).body.items;
  const files = (instance: string) => s.clickhouse.query<FileRow>('SELECT file_id, name, path, access_level, owner_email, change FROM files FINAL WHERE provider = \'dropbox\' AND instance = {instance:String}', { instance });
  const fileRow = async (instance: string, e: SimEntry) => (await files(instance)).find((f) => f.file_id === `${e.space}/${e.id}`);
  const activities = async (instance: string, query: string) =>
    (await s.api<{ items: Activity[] }>(`/v1/activities?provider=dropbox&instance=${instance}&limit=1000&${query}`)).body.items;
  const govern = async (action: string, target: object, params: Record<string, string> = {}) => {
    const res = await s.app!.inject({ method: 'POST', url: '/v1/governance', payload: { provider: 'dropbox', instance: 'a', action, target, params }, headers: ADMIN_HEADERS });
    assert.equal(res.statusCode, 202, res.body);
    const id = (res.json() as { command_id: string }).command_id;
    return waitFor(async () => {
      const detail = (await s.app!.inject({ url: `/v1/governance/${id}`, headers: ADMIN_HEADERS })).json() as Detail;
      return ['succeeded', 'failed', 'rejected', 'skipped', 'unsupported'].includes(detail.command.status) ? { id, ...detail } : null;
    }, { what: `${action} settled`, timeoutMs: 60_000 });
  };
  const entryOf = (sim: DropboxSimulator, member: number, path: string) =>
    [...sim.state.entries.values()].find((e) => e.space === sim.state.members[member]!.team_member_id && e.path.startsWith(path))!;

  test('accounts, groups, admin roles and linked apps of each team, each instance its own', async () => {
    for (const [instance, sim] of [['a', a], ['b', b]] as const) {
      const expected: Record<string, number> = {
        user: sim.state.members.length,
        group: sim.state.groups.length,
        membership: sim.state.groups.reduce((n, g) => n + g.members.length, 0),
        privilege: sim.state.members.reduce((n, m) => n + m.roles.length, 0),
        app_grant: sim.state.members.reduce((n, m) => n + m.apps.length, 0),
      };
      await waitFor(async () => {
        for (const [kind, n] of Object.entries(expected)) if ((await accounts(instance, `kind=${kind}`)).length !== n) return false;
        return true;
      }, { what: `${instance}: every account record ${JSON.stringify(expected)}` });
    }
    const users = await accounts('a', 'kind=user');
    const status = (i: number) => users.find((u) => u.subject.id === a.state.members[i]!.team_member_id)?.status;
    assert.deepEqual([status(0), status(2), status(3), status(4)], ['active', 'suspended', 'staged', 'deprovisioned']);
    assert.ok(!users.some((u) => b.state.members.some((m) => m.team_member_id === u.subject.id)), 'team b is not in instance a');
    const roles = await accounts('a', 'kind=privilege');
    assert.equal(roles.find((r) => r.subject.id === a.admin.team_member_id)?.privilege?.name, 'Team admin');
    const grants = await accounts('a', 'kind=app_grant');
    const withApp = a.state.members.find((m) => m.apps.length > 0)!;
    assert.deepEqual(grants.filter((g) => g.subject.id === withApp.team_member_id).map((g) => g.app?.name).sort(), withApp.apps.map((x) => x.app_name).sort());
    const status0 = (await s.api<{ items: Array<{ instance: string; credentials: { ok: boolean; missing: unknown[] } }> }>('/v1/connectors')).body.items.find((i) => i.instance === 'a')!;
    assert.deepEqual([status0.credentials.ok, status0.credentials.missing], [true, []]);
  });

  test('logon, user and admin activity from the team log; an unmapped event type still flows', async () => {
    // The team log is live (a new event every ~7 minutes of the simulator's clock): what is stored is
    // compared with what the simulator holds at that moment, each event in the category the connector
    // makes of its type. The history starts at the hour before a day ago: the API's default range (the
    // last 24 h) would miss its first events.
    const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const pairs = (items: ReadonlyArray<{ event_id: string; category: string }>) => items.map((e) => `${e.event_id} ${e.category}`).sort();
    let seen = { stored: 0, rows: 0, held: 0 };
    const all = await waitFor(async () => {
      const stored = await activities('a', `from=${from}`);
      const rows = await s.countActivities('a');
      const held = [...new Set(pairs(normalizedOf(a.eventsBetween(), 'a')))];
      seen = { stored: stored.length, rows, held: held.length };
      return rows === held.length && JSON.stringify(pairs(stored)) === JSON.stringify(held) ? stored : null;
    }, { what: 'every team log event of a stored once, in its category', timeoutMs: 90_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; last seen ${JSON.stringify(seen)}`);
    });
    // Which kinds a day holds is the simulator's draw (two-step verification, the only user-category
    // kind it makes, is 2% of it), so the common ones are required.
    const categories = new Set(all.map((e) => e.category));
    for (const c of ['logon', 'admin', 'file', 'app']) assert.ok(categories.has(c), `a ${c} event`);
    const login = all.find((e) => e.action_raw === 'login_success')!;
    assert.equal(login.action, 'login');
    assert.ok(login.actor.id?.startsWith('dbmid:') && login.source.ip !== null);
    assert.ok(all.some((e) => e.action_raw === 'device_change_ip_desktop' && e.action === 'other' && e.category === 'logon'), 'an unmapped devices event, as action other');
    assert.ok(all.some((e) => e.action_raw === 'login_fail'));
  });

  test('files: the scan stores each file with owner and exposure; the change feed brings a new file without a rescan', async () => {
    const mine = a.state.entries.size;
    await waitFor(async () => (await files('a')).length === mine, { what: `the ${mine} files of a stored` });
    const owner = a.state.members[6]!;
    const expected: Array<[string, string]> = [['/report-', 'public'], ['/notes-', 'internal'], ['/Shared with partners', 'external'], ['/Projects/plan-', 'private']];
    for (const [path, level] of expected) {
      const row = (await fileRow('a', entryOf(a, 6, path)))!;
      assert.deepEqual([row.access_level, row.owner_email, row.change], [level, owner.email, 'seen'], path);
    }
    const teamFile = [...a.state.entries.values()].find((e) => e.space.startsWith('ns:') && e.path.includes('budget'))!;
    assert.equal((await fileRow('a', teamFile))?.access_level, 'public', 'a team folder file read as the admin');
    const fresh = a.addFile(owner.team_member_id, '/Projects/fresh-upload.txt');
    await waitFor(async () => (await fileRow('a', fresh))?.change === 'updated', { what: 'the uploaded file, through list_folder/continue' });
    assert.equal((await fileRow('a', fresh))!.path, '/Projects');
  });

  test('user governance and app permissions through the API: suspend and unsuspend, revoke sessions, revoke a linked app', async () => {
    const m = a.state.members.find((x) => x.status === 'active' && x.roles.length === 0 && x.apps.length > 0 && x.sessions.length > 0)!;
    const user = { type: 'user', id: m.team_member_id };
    const suspended = await govern('suspend_user', user);
    assert.equal(suspended.command.status, 'succeeded', suspended.command.message ?? '');
    assert.equal(m.status, 'suspended');
    await waitFor(async () => (await activities('a', 'action=user_suspend')).some((e) => e.action_raw === 'member_change_status'), { what: 'the suspension in the team log trail' });
    assert.equal((await govern('unsuspend_user', user)).command.status, 'succeeded');
    assert.equal(m.status, 'active');
    // Another member: a suspension supersedes a later revocation of the same member's sessions.
    const other = a.state.members.find((x) => x !== m && x.status === 'active' && x.roles.length === 0 && x.apps.length > 0 && x.sessions.length > 0)!;
    const revoked = await govern('revoke_sessions', { type: 'user', id: other.team_member_id });
    assert.equal(revoked.command.status, 'succeeded');
    assert.doesNotMatch(revoked.command.message ?? '', /superseded/);
    assert.deepEqual(other.sessions, []);
    const app = other.apps[0]!;
    assert.equal((await govern('revoke_app_grant', { type: 'app_grant', id: `${other.team_member_id}/${app.app_id}` })).command.status, 'succeeded');
    assert.ok(!other.apps.includes(app));
    await waitFor(async () => (await activities('a', 'action=app_revoke')).length > 0, { what: 'app_unlink_user in the trail' });
  });

  test('sharing control and quarantine through the API, quarantine reverted', async () => {
    const file = (e: SimEntry) => ({ type: 'file', id: `${e.space}/${e.id}` });
    const report = entryOf(a, 7, '/report-');
    assert.equal((await govern('remove_public_link', file(report))).command.status, 'succeeded');
    assert.ok(!a.state.links.some((l) => l.entryId === report.id));
    const folder = entryOf(a, 7, '/Shared with partners');
    assert.equal((await govern('remove_external_collaborators', file(folder))).command.status, 'succeeded');
    const shared = a.state.sharedFolders.get(folder.shared_folder_id!)!;
    assert.deepEqual([shared.users.filter((u) => !u.same_team).length, shared.invitees.length], [0, 0]);
    assert.ok(shared.users.some((u) => u.same_team && u.access === 'editor'), 'the colleague stays');
    const notes = entryOf(a, 7, '/notes-');
    assert.equal((await govern('make_private', file(notes))).command.status, 'succeeded');
    assert.ok(!a.state.links.some((l) => l.entryId === notes.id));
    await waitFor(async () => (await activities('a', 'action=file_link_remove')).length >= 2, { what: 'shared_link_remove events in the trail' });

    const exposed = entryOf(a, 8, '/report-');
    const path = exposed.path;
    const quarantined = await govern('quarantine', file(exposed));
    assert.equal(quarantined.command.status, 'succeeded', quarantined.command.message ?? '');
    assert.ok(exposed.path.startsWith('/Appwarden Quarantine/'));
    await waitFor(async () => {
      const row = await fileRow('a', exposed);
      return row?.path === '/Appwarden Quarantine' && row.access_level === 'private';
    }, { what: 'the quarantined file, moved and private, through the change feed' });
    const revert = await s.app!.inject({ method: 'POST', url: `/v1/governance/${quarantined.id}/revert`, payload: {}, headers: ADMIN_HEADERS });
    assert.equal(revert.statusCode, 202, revert.body);
    await waitFor(() => exposed.path === path && a.state.links.some((l) => l.entryId === exposed.id && l.visibility === 'public'), { what: 'the file back with its public link' });
  });

  test('deletions: a member and their files gone since the last complete scan are deleted', async () => {
    const leaver = b.state.members.find((m) => m.status === 'active' && m.roles.length === 0)!;
    const theirFile = [...b.state.entries.values()].find((e) => e.space === leaver.team_member_id && e.tag === 'file')!;
    await waitFor(async () => (await fileRow('b', theirFile)) !== undefined, { what: 'the leaver\'s file stored' });
    b.purgeMember(leaver.team_member_id);
    await waitFor(async () => (await accounts('b', `kind=user&include_deleted=true`)).find((u) => u.subject.id === leaver.team_member_id)?.deleted === true, { what: 'the member deleted' });
    await waitFor(async () => (await fileRow('b', theirFile))?.change === 'deleted', { what: 'their file deleted' });
    assert.ok((await accounts('b', 'kind=user')).every((u) => u.subject.id !== leaver.team_member_id), '/v1/accounts hides the deleted member');
  });
});
