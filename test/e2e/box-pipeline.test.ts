/**
 * Box end to end, one stack with two instances side by side (main: Client Credentials Grant, rescans
 * every 1.5 s; other: JWT, default test schedule): simulator → connector → Kafka → ClickHouse → API,
 * each capability cell of the Box column, and governance asked for through the API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { box } from '../../ingestors/box/index.js';
import { eventIds } from '../contract/support.js';
import { startBoxSimulator, type BoxSimulator, type SimItem } from '../../simulators/box/index.js';
import { boxConnectorSettings } from '../../simulators/box/demo.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { ADMIN_HEADERS, FAST_INSTANCE, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

interface Account { kind: string; observed_at: string; status: string | null; deleted?: boolean; subject: { id: string | null; email: string | null }; privilege: { id: string | null; type: string | null } | null; attributes: Record<string, string> }
interface FileRow { file_id: string; observed_ms: number | string; access_level: string; label: string | null; owner_email: string | null; path: string | null; change: string; collaborator_emails: Array<string | null>; attributes: Record<string, string> }
interface Status { instance: string; credentials: { ok: boolean; permissions: string[]; missing: Array<{ capability: string; permission?: string }> } | null; http: { throttled: number; throttleWaitMs: number } }

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
let main: BoxSimulator;
let other: BoxSimulator;
let s: TestStack;
const SIZE = { users: 10, groups: 2, foldersPerUser: 1, filesPerFolder: 2, eventsPerDay: 80, days: 1 };

before(async () => {
  main = await startBoxSimulator({ log: testLog, seed: 'box-e2e-main', ...SIZE });
  cleanups.push(() => main.close());
  other = await startBoxSimulator({ log: testLog, seed: 'box-e2e-other', ...SIZE });
  cleanups.push(() => other.close());
  s = await startTestStack({
    box: {
      main: { ...FAST_INSTANCE, ...boxConnectorSettings(main, 'client_credentials'), schedule: { ...FAST_INSTANCE.schedule, accountsEveryMs: 1500, filesEveryMs: 1500 } },
      other: { ...FAST_INSTANCE, ...boxConnectorSettings(other, 'jwt') },
    },
  });
  cleanups.push(() => s.stop());
});

const accounts = async (instance: string, kind: string) => (await s.api<{ items: Account[] }>(`/v1/accounts?provider=box&instance=${instance}&kind=${kind}&limit=1000`)).body.items;
const status = async (instance: string) => (await s.api<{ items: Status[] }>('/v1/connectors')).body.items.find((i) => i.instance === instance)!;
async function files(instance: string): Promise<FileRow[]> {
  return s.clickhouse.query<FileRow>(
    `SELECT file_id, toUnixTimestamp64Milli(observed_at) AS observed_ms, access_level, label, owner_email, path, change, collaborator_emails, attributes FROM files FINAL
     WHERE provider = 'box' AND instance = {instance:String}`, { instance });
}
const fileRow = async (instance: string, id: string) => (await files(instance)).find((f) => f.file_id === id);
const activeOwned = (sim: BoxSimulator) => [...sim.tenant.items.values()].filter((i) => sim.tenant.user(i.owner)?.status === 'active');

async function govern(action: string, target: { type: string; id: string }, params: Record<string, string> = {}): Promise<string> {
  const res = await s.app!.inject({ method: 'POST', url: '/v1/governance', headers: ADMIN_HEADERS, payload: { provider: 'box', instance: 'main', action, target, params } });
  assert.equal(res.statusCode, 202, res.body);
  const id = (res.json() as { command_id: string }).command_id;
  await settled(id, 'succeeded');
  return id;
}
async function settled(id: string, wanted: string): Promise<void> {
  const done = await waitFor(async () => {
    const res = await s.app!.inject({ url: `/v1/governance/${id}`, headers: ADMIN_HEADERS });
    const st = res.statusCode === 200 ? (res.json() as { command: { status: string; message: string | null } }).command : null;
    return st && (st.status === wanted || st.status === 'failed') ? st : null;
  }, { what: `command ${id} ${wanted}`, timeoutMs: 60_000 });
  assert.equal(done.status, wanted, done.message ?? '');
}

describe('Box end to end', () => {
  test('accounts, groups, memberships and admin roles; external collaborators seen in collaborations; both auth methods', async () => {
    const t = main.tenant;
    await waitFor(async () => (await accounts('main', 'membership')).length === t.memberships.length && (await accounts('main', 'group')).length === t.groups.length,
      { what: 'groups and memberships stored' });
    const privileges = await accounts('main', 'privilege');
    assert.deepEqual(privileges.map((p) => [p.subject.id, p.privilege?.id]).sort(), [[t.users[0]!.id, 'admin'], [t.users[1]!.id, 'coadmin']].sort());
    // Externals come from the file scan's collaborations, and show in the account scan after it.
    const externals = new Set([...t.collaborations.values()].filter((c) => t.externals.some((e) => e.id === c.accessibleBy.id)
      && activeOwned(main).some((i) => i.type === c.itemType && i.id === c.itemId)).map((c) => c.accessibleBy.id));
    assert.ok(externals.size > 0, 'the tenant shares with outsiders');
    await waitFor(async () => (await accounts('main', 'user')).length === t.users.length + externals.size, { what: 'managed and external users stored' });
    const users = await accounts('main', 'user');
    for (const u of t.users) assert.equal(users.find((x) => x.subject.id === u.id)?.status, u.status === 'active' ? 'active' : 'suspended', u.login);
    assert.deepEqual(users.filter((u) => u.attributes.user_type === 'external').map((u) => u.subject.id).sort(), [...externals].sort());
    for (const instance of ['main', 'other']) {
      const st = await status(instance);
      assert.deepEqual([st.credentials?.ok, st.credentials?.missing], [true, []], instance);
    }
    assert.ok(main.requests.tokenRequests > 0 && other.requests.tokenRequests > 0 && other.requests.tokenRefusals === 0, 'CCG and JWT tokens issued');
  });

  test('logon, user and admin activity from admin_logs, each instance with its own events', async () => {
    for (const [instance, sim] of [['main', main], ['other', other]] as const) {
      const expected = [...new Set(eventIds(box as never, sim.events.visible(), instance))].sort();
      await waitFor(async () => {
        const rows = await s.clickhouse.query<{ event_id: string }>("SELECT event_id FROM activities FINAL WHERE provider = 'box' AND instance = {instance:String}", { instance });
        return JSON.stringify(rows.map((r) => r.event_id).sort()) === JSON.stringify(expected);
      }, { what: `every ${instance} event stored`, timeoutMs: 60_000 });
    }
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
    for (const [category, actionRaw] of [['logon', 'LOGIN'], ['file', 'ITEM_DOWNLOAD'], ['admin', 'GROUP_ADD_USER']]) {
      const res = await s.api<{ items: Array<{ category: string; instance: string; actor: { email: string | null }; source: { ip: string | null } }> }>(
        `/v1/activities?provider=box&instance=other&action_raw=${actionRaw}&from=${from}&limit=5`);
      assert.ok(res.body.items.length > 0, `${actionRaw} is queryable`);
      assert.ok(res.body.items.every((e) => e.category === category && e.instance === 'other' && e.actor.email?.endsWith('@example.com') && e.source.ip), actionRaw);
    }
  });

  test('periodic file scan: owner, path, shared link, collaborations and classification per item', async () => {
    const items = activeOwned(other);
    await waitFor(async () => (await files('other')).length === items.length, { what: 'every item of an active user stored' });
    const rows = await files('other');
    const open = items.find((i) => i.sharedLink?.access === 'open')!;
    const openRow = rows.find((r) => r.file_id === open.id)!;
    assert.equal(openRow.access_level, 'public');
    assert.equal(openRow.attributes.shared_link_password, String(open.sharedLink!.isPasswordEnabled));
    assert.equal(openRow.owner_email, other.tenant.user(open.owner)!.login);
    assert.ok(openRow.path?.startsWith('/'));
    const external = items.find((i) => !i.sharedLink && other.tenant.collaborationsOf(i).some((c) => c.status === 'accepted' && other.tenant.externals.some((e) => e.id === c.accessibleBy.id)));
    if (external) assert.equal(rows.find((r) => r.file_id === external.id)!.access_level, 'external');
    for (const item of items.filter((i) => i.classification !== null)) assert.equal(rows.find((r) => r.file_id === item.id)!.label, item.classification);
  });

  test('near-realtime: a link shared in Box arrives through admin_logs_streaming before any rescan', async () => {
    const item = activeOwned(other).find((i) => i.type === 'file' && i.sharedLink === null && other.tenant.collaborationsOf(i).length === 0)!;
    await waitFor(async () => (await fileRow('other', item.id))?.access_level === 'private', { what: 'the private file scanned' });
    other.shareItem('file', item.id, 'open');
    const row = await waitFor(async () => { const r = await fileRow('other', item.id); return r?.access_level === 'public' ? r : null; }, { what: 'the open link seen' });
    assert.equal(row.change, 'updated');
  });

  test('governance through the API: deactivate and reactivate, end sessions; the next scan shows it', async () => {
    const user = main.tenant.users.find((u) => u.role === 'user' && u.status === 'active')!;
    await waitFor(async () => (await accounts('main', 'user')).some((u) => u.subject.id === user.id), { what: 'user scanned' });
    const suspended = await govern('suspend_user', { type: 'user', id: user.id });
    assert.equal(user.status, 'inactive');
    await waitFor(async () => (await accounts('main', 'user')).find((u) => u.subject.id === user.id)?.status === 'suspended', { what: 'scan shows the user deactivated' });
    const revert = await s.app!.inject({ method: 'POST', url: `/v1/governance/${suspended}/revert`, headers: ADMIN_HEADERS, payload: {} });
    await settled((revert.json() as { command_id: string }).command_id, 'succeeded');
    assert.equal(user.status, 'active');
    await govern('revoke_sessions', { type: 'user', id: user.login });
    assert.equal(user.sessionsTerminated, 1);
  });

  test('sharing control, classification and a revertible quarantine through the API; the file rows follow', async () => {
    const t = main.tenant;
    const pick = (accept: (i: SimItem) => boolean) => activeOwned(main).find((i) => i.type === 'file' && i.parent !== '0' && t.user(i.owner)!.role === 'user' && accept(i))!;
    const linked = pick((i) => i.sharedLink?.access === 'open');
    await waitFor(async () => (await fileRow('main', linked.id))?.access_level === 'public', { what: 'the public file scanned' });
    await govern('remove_public_link', { type: 'file', id: linked.id });
    await waitFor(async () => (await fileRow('main', linked.id))?.attributes.shared_link_access === undefined, { what: 'the link gone from the file row' });

    const unlabelled = pick((i) => i.classification === null && i !== linked);
    await govern('apply_label', { type: 'file', id: unlabelled.id }, { classification: 'Confidential' });
    await waitFor(async () => (await fileRow('main', unlabelled.id))?.label === 'Confidential', { what: 'the classification as label' });

    const shared = pick((i) => i !== linked && i !== unlabelled && (i.sharedLink !== null || t.collaborationsOf(i).length > 0));
    const before = { parent: shared.parent, owner: shared.owner, link: shared.sharedLink?.access ?? null };
    const quarantined = await govern('quarantine', { type: 'file', id: shared.id });
    await waitFor(async () => {
      const row = await fileRow('main', shared.id);
      return row?.path?.startsWith('/Appwarden quarantine/') && row.access_level === 'private' && row.owner_email === t.serviceAccount.login;
    }, { what: 'the file row shows it in quarantine, private, owned by the service account' });
    const revert = await s.app!.inject({ method: 'POST', url: `/v1/governance/${quarantined}/revert`, headers: ADMIN_HEADERS, payload: {} });
    await settled((revert.json() as { command_id: string }).command_id, 'succeeded');
    assert.deepEqual({ parent: shared.parent, owner: shared.owner, link: shared.sharedLink?.access ?? null }, before);
    await waitFor(async () => (await fileRow('main', shared.id))?.owner_email === t.user(before.owner)!.login, { what: 'back with its owner' });
  });

  test('throttling answered with 429 and retry-after: the instance waits; a missing scope is named, then recovers; a removed user is a deletion', async () => {
    main.throttleNext(3);
    await waitFor(async () => (await status('main')).http.throttled >= 3, { what: 'the instance met the 429s' });
    assert.ok((await status('main')).http.throttleWaitMs > 0);

    main.deny('manage_groups');
    await waitFor(async () => (await status('main')).credentials?.missing.some((m) => m.capability === 'groups' && m.permission === 'manage_groups'), { what: 'groups missing manage_groups' });
    main.allow('manage_groups');
    await waitFor(async () => !(await status('main')).credentials?.missing.some((m) => m.capability === 'groups'), { what: 'groups back' });

    const gone = main.tenant.users.find((u) => u.role === 'user' && u.status === 'active' && u.sessionsTerminated === 0)!;
    main.tenant.users.splice(main.tenant.users.indexOf(gone), 1);
    await waitFor(async () => (await accounts('main', 'user')).every((u) => u.subject.id !== gone.id), { what: 'the removed user deleted after a complete scan' });
  });
});
