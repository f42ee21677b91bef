import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { InstanceConfig } from '../../core/config.js';
import { office365 } from '../../ingestors/office365/index.js';
import type { ActionHandler, ActionVerb, ConnectorInstance } from '../../ingestors/contract.js';
import { createConnector } from '../../ingestors/runtime/connector-factory.js';
import { aliceUpn, startOffice365Simulator, type Office365Simulator, type Office365SimulatorOptions, type SimFile } from '../../simulators/office365/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { simulatorInstance, simulatorConfig } from '../support/simulators.js';
import { FAST_INSTANCE, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

interface Account {
  kind: string; observed_at: string; status: string | null;
  subject: { type: string; id: string | null; email: string | null; name: string | null };
  group: { id: string | null } | null; privilege: { id: string | null; type: string | null } | null;
  app: { id: string | null; name: string | null; scopes: string[] } | null;
  attributes: Record<string, string>;
}
interface FileRow { file_id: string; name: string; path: string | null; access_level: string; label: string | null; owner_email: string | null; change: string; collaborator_ids: Array<string | null> }
interface ConnectorStatus {
  instance: string;
  credentials: { ok: boolean; permissions: string[]; missing: Array<{ capability: string; reason: string }> } | null;
  streams: Array<{ stream: string; lastSuccessAt: string | null; lastRunStartedAt: string | null }>;
}

const cleanups: Array<() => Promise<unknown>> = [];
// Each test's stacks and simulators stop when it ends: left running, they would poll through the later tests.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: Office365SimulatorOptions, settings: Record<string, unknown> = {}): Promise<{ sim: Office365Simulator; s: TestStack }> {
  const sim = await startOffice365Simulator({ log: testLog, users: 8, groups: 3, sites: 1, itemsPerDrive: 6, eventsPerDay: 50, days: 1, ...options });
  cleanups.push(() => sim.close());
  const s = await startTestStack({ office365: { main: simulatorInstance('office365', sim, settings) } });
  cleanups.push(() => s.stop());
  return { sim, s };
}

/** A connector of its own on the same tenant, as the governance executor would create it. */
function governor(sim: Office365Simulator): ConnectorInstance {
  const abort = new AbortController();
  cleanups.push(async () => abort.abort());
  return createConnector(office365 as never, 'main', simulatorConfig('office365', sim) as InstanceConfig, testLog, abort.signal);
}

async function accounts(s: TestStack, kind: string): Promise<Account[]> {
  const res = await s.api<{ items: Account[] }>(`/v1/accounts?provider=office365&kind=${kind}&limit=1000`);
  assert.equal(res.status, 200);
  return res.body.items;
}

async function files(s: TestStack): Promise<FileRow[]> {
  return s.clickhouse.query<FileRow>("SELECT file_id, name, path, access_level, label, owner_email, change, collaborator_ids FROM files FINAL WHERE provider = 'office365' AND instance = 'main'");
}

async function fileRow(s: TestStack, fileId: string): Promise<FileRow | undefined> {
  return (await files(s)).find((f) => f.file_id === fileId);
}

async function status(s: TestStack): Promise<ConnectorStatus> {
  return (await s.api<{ items: ConnectorStatus[] }>('/v1/connectors')).body.items[0]!;
}

/** Waits for a complete pass of a stream that started after `since`. */
async function passAfter(s: TestStack, stream: string, since: number): Promise<void> {
  await waitFor(async () => {
    const st = (await status(s)).streams.find((x) => x.stream === stream);
    return st?.lastRunStartedAt && st.lastSuccessAt && Date.parse(st.lastRunStartedAt) > since && Date.parse(st.lastSuccessAt) >= Date.parse(st.lastRunStartedAt);
  }, { what: `a ${stream} pass after ${new Date(since).toISOString()}` });
}

async function act(connector: ConnectorInstance, verb: ActionVerb, target: Parameters<ActionHandler['run']>[0], params: Record<string, string> = {}): Promise<string> {
  const handler = connector.actions![verb]!;
  assert.ok(office365.capabilities.includes(`action:${verb}`), `${verb} is declared`);
  const signal = new AbortController().signal;
  const result = await handler.run(target, params, signal);
  assert.equal(result.status, 'applied', `${verb}: ${result.message ?? ''}`);
  assert.equal(await handler.verify!(target, params, signal), true, `${verb} verified`);
  return result.message ?? '';
}

/** Alice's files in creation order: the simulator gives them one exposure each (see simulators/office365/tenant.ts). */
function aliceFiles(sim: Office365Simulator): SimFile[] {
  const alice = sim.userByUpn(aliceUpn(sim.options.domain))!;
  const driveId = sim.state.oneDrives.get(alice.id)!;
  return sim.files().filter((f) => f.drive.drive.id === driveId);
}

describe('Office 365 end to end: directory, files and governance', () => {
  test('accounts, groups, memberships, privileges and app grants are queryable after the first scan', async () => {
    const { sim, s } = await setUp({ seed: 'o365-dir' });
    const applicationPermissions = sim.state.appRoleAssignments.filter((a) => a.principalType === 'ServicePrincipal');
    const expected: Record<string, number> = {
      user: sim.state.users.length,
      group: sim.state.groups.length,
      membership: [...sim.state.members.values()].reduce((n, m) => n + m.length, 0),
      privilege: [...sim.state.roleMembers.values()].reduce((n, m) => n + m.length, 0),
      app_grant: sim.state.grants.length + applicationPermissions.length,
    };
    const counts = async () => Object.fromEntries(await Promise.all(Object.keys(expected).map(async (kind) => [kind, (await accounts(s, kind)).length])));
    await waitFor(async () => JSON.stringify(await counts()) === JSON.stringify(expected), { what: `every account object stored: ${JSON.stringify(expected)}` });
    const users = await accounts(s, 'user');
    assert.equal(users.length, sim.state.users.length);
    for (const user of sim.state.users) {
      const stored = users.find((u) => u.subject.id === user.id);
      assert.ok(stored, user.userPrincipalName);
      assert.equal(stored.subject.email, user.mail);
      assert.equal(stored.status, user.accountEnabled ? 'active' : 'suspended');
      assert.equal(stored.attributes.user_type, user.userType);
    }
    const privileges = await accounts(s, 'privilege');
    const alice = sim.userByUpn(aliceUpn(sim.options.domain))!;
    assert.ok(privileges.some((p) => p.subject.id === alice.id && p.privilege?.type === '62e90394-69f5-4237-9190-012177145e10'), 'alice is Global Administrator');
    const grants = await accounts(s, 'app_grant');
    const archiver = grants.find((g) => g.attributes.grant_type === 'application')!;
    assert.deepEqual([archiver.subject.type, archiver.app?.name, archiver.app?.scopes], ['service', 'Contoso Mail Archiver', ['Mail.Read']]);
    const credentials = (await status(s)).credentials!;
    assert.equal(credentials.ok, true);
    assert.deepEqual(credentials.missing, []);
    assert.ok(credentials.permissions.includes('management:ActivityFeed.Read'));
  });

  test('credentials that lack permissions show "missing permission" per capability, and what they allow still flows', async () => {
    const { sim, s } = await setUp({ seed: 'o365-limited', grantedPermissions: { graph: ['User.Read.All'], management: ['ActivityFeed.Read'] } });
    await waitFor(async () => (await accounts(s, 'user')).length === sim.state.users.length, { what: 'users stored' });
    const { credentials } = await status(s);
    const missing = new Map(credentials!.missing.map((m) => [m.capability, m.reason]));
    assert.match(missing.get('groups')!, /^missing permission: GroupMember\.Read\.All/);
    assert.match(missing.get('files:periodic')!, /^missing permission: Files\.Read\.All/);
    assert.match(missing.get('action:revoke_app_grant')!, /^missing permission: DelegatedPermissionGrant\.ReadWrite\.All/);
    assert.equal(missing.has('accounts'), false);
    assert.equal(missing.has('activities:logon'), false);
    await waitFor(async () => (await s.countActivities('main')) > 0, { what: 'activities flow' });
    assert.equal((await accounts(s, 'group')).length, 0);
  });

  test('files: the periodic scan stores every file with its access level, owner and label; changes arrive through the delta feed', async () => {
    const { sim, s } = await setUp({ seed: 'o365-files' });
    await waitFor(async () => (await files(s)).length === sim.files().length, { what: 'every file stored' });
    const mine = aliceFiles(sim);
    const expected = ['public', 'private', 'external', 'internal', 'private', 'private'];
    for (const [i, file] of mine.entries()) {
      const row = (await fileRow(s, file.fileId))!;
      assert.equal(row.access_level, expected[i], `${file.item.name}: ${JSON.stringify(file.permissions)}`);
      assert.equal(row.label, file.item.folder ? null : file.item.labelId);
      assert.equal(row.owner_email, aliceUpn(sim.options.domain));
      assert.equal(row.change, 'seen');
    }
    assert.ok((await files(s)).some((f) => f.path !== null && f.path !== '/'), 'files in folders have their folder path');

    // Near-realtime: no rescan is due for an hour; the delta feed brings the change.
    await passAfter(s, 'files/delta', 0);
    const privateFile = mine[5]!;
    sim.share(privateFile.fileId, 'anonymous');
    const added = sim.addFile(privateFile.drive.drive.id, 'Fresh notes.txt');
    await waitFor(async () => (await fileRow(s, privateFile.fileId))?.access_level === 'public', { what: 'the new anonymous link seen' });
    await waitFor(async () => (await fileRow(s, added.fileId))?.change === 'created', { what: 'the new file seen' });
  });

  test('user governance: suspend, re-enable, revoke sessions, force a password change, remove from a group and a role, revoke an app grant', async () => {
    const { sim, s } = await setUp({ seed: 'o365-users' }, { schedule: { ...FAST_INSTANCE.schedule, accountsEveryMs: 1500 } });
    await waitFor(async () => (await accounts(s, 'user')).length === sim.state.users.length, { what: 'users stored' });
    const connector = governor(sim);
    const alice = sim.userByUpn(aliceUpn(sim.options.domain))!;
    const bob = sim.state.users.find((u) => u.userType === 'Member' && u.accountEnabled && u !== alice)!;
    const user = { type: 'user' as const, id: bob.id };

    await act(connector, 'suspend_user', user);
    assert.equal(bob.accountEnabled, false);
    assert.equal((await connector.actions!.suspend_user!.run(user, {}, new AbortController().signal)).status, 'noop', 'applying twice applies once');
    await waitFor(async () => (await accounts(s, 'user')).find((u) => u.subject.id === bob.id)?.status === 'suspended', { what: 'the next scan shows bob suspended' });
    assert.equal(connector.actions!.suspend_user!.inverse, 'unsuspend_user');
    await act(connector, 'unsuspend_user', user);
    assert.equal(bob.accountEnabled, true);

    await act(connector, 'revoke_sessions', user);
    await act(connector, 'force_password_change', user);
    assert.equal(bob.passwordProfile.forceChangePasswordNextSignIn, true);
    await waitFor(async () => {
      const stored = (await accounts(s, 'user')).find((u) => u.subject.id === bob.id)!;
      return stored.status === 'active' && stored.attributes.force_change_password_next_sign_in === 'true'
        && stored.attributes.sign_in_sessions_valid_from === bob.signInSessionsValidFromDateTime;
    }, { what: 'the next scan shows bob re-enabled, with revoked sessions and a required password change' });

    const grant = sim.state.grants.find((g) => g.principalId === alice.id)!;
    const group = sim.state.groups[1]!;
    const role = sim.state.roles.find((r) => (sim.state.roleMembers.get(r.id) ?? []).some((m) => m !== alice.id))!;
    const roleMember = sim.state.roleMembers.get(role.id)!.find((m) => m !== alice.id)!;
    const actedAt = Date.now();
    await act(connector, 'revoke_app_grant', { type: 'app_grant', id: grant.id });
    await act(connector, 'remove_from_group', { type: 'user', id: alice.id }, { groupId: group.id });
    await act(connector, 'remove_privilege', { type: 'user', id: roleMember }, { roleId: role.id });
    assert.equal(sim.state.grants.some((g) => g.id === grant.id), false);
    assert.equal(sim.state.members.get(group.id)!.includes(alice.id), false);
    assert.equal(sim.state.roleMembers.get(role.id)!.includes(roleMember), false);
    // What is gone is no longer observed: the next scan refreshes every other record, not these.
    await passAfter(s, 'accounts', actedAt);
    const observed = (a: Account | undefined) => (a === undefined ? 0 : Date.parse(a.observed_at));
    const isGrant = (a: Account) => a.attributes.grant_id === grant.id;
    const isMembership = (a: Account) => a.group?.id === group.id && a.subject.id === alice.id;
    const isPrivilege = (a: Account) => a.privilege?.id === role.id && a.subject.id === roleMember;
    await waitFor(async () => {
      const [grants, memberships, privileges] = await Promise.all([accounts(s, 'app_grant'), accounts(s, 'membership'), accounts(s, 'privilege')]);
      return grants.filter((a) => !isGrant(a)).every((a) => observed(a) >= actedAt)
        && memberships.filter((a) => !isMembership(a)).every((a) => observed(a) >= actedAt)
        && privileges.filter((a) => !isPrivilege(a)).every((a) => observed(a) >= actedAt);
    }, { what: 'the rescan stored' });
    assert.ok(observed((await accounts(s, 'app_grant')).find(isGrant)) < actedAt, 'the revoked grant was not seen again');
    assert.ok(observed((await accounts(s, 'membership')).find(isMembership)) < actedAt, 'the removed membership was not seen again');
    assert.ok(observed((await accounts(s, 'privilege')).find(isPrivilege)) < actedAt, 'the removed role assignment was not seen again');
    // The tenant's audit log records the change, and it reaches the trail as any activity does.
    await waitFor(async () => {
      const res = await s.api<{ items: Array<{ action: string; action_raw: string }> }>(`/v1/activities?provider=office365&action=user_suspend&limit=10`);
      return res.body.items.some((i) => i.action_raw === 'Disable account.');
    }, { what: 'the Disable account. record in the trail' });
  });

  test('sharing control, quarantine and labels: actions change the files, and the delta feed shows it', async () => {
    const { sim, s } = await setUp({ seed: 'o365-sharing' });
    await waitFor(async () => (await files(s)).length === sim.files().length, { what: 'every file stored' });
    await passAfter(s, 'files/delta', 0);
    const connector = governor(sim);
    const [anonymous, , external, organization, internal, plain] = aliceFiles(sim);
    const file = (f: SimFile) => ({ type: 'file' as const, id: f.fileId, name: f.item.name });

    await act(connector, 'remove_public_link', file(anonymous!));
    assert.equal(anonymous!.drive.permissions.get(anonymous!.item.id)!.some((p) => (p.link as { scope?: string } | undefined)?.scope === 'anonymous'), false);
    await act(connector, 'remove_external_collaborators', file(external!));
    await act(connector, 'make_private', file(organization!));
    const grant = internal!.permissions.find((p) => !p.roles.includes('owner'))!;
    await act(connector, 'remove_permission', file(internal!), { permissionId: grant.id });
    const label = sim.state.labels.find((l) => l.name === 'Highly Confidential')!;
    await act(connector, 'apply_label', file(plain!), { labelId: label.id });
    assert.equal(plain!.item.labelId, label.id);
    await waitFor(async () => {
      const rows = await Promise.all([anonymous, external, organization, internal].map((f) => fileRow(s, f!.fileId)));
      return rows.every((r) => r?.access_level === 'private') && !rows[3]!.collaborator_ids.includes(String((grant.grantedToV2 as { user: { id: string } }).user.id));
    }, { what: 'the delta feed shows the sharing removed' });
    await waitFor(async () => (await fileRow(s, plain!.fileId))?.label === label.id, { what: 'the label in the files table' });

    const shared = sim.files().find((f) => f.drive.drive.driveType === 'documentLibrary' && !f.item.folder && f.permissions.some((p) => !p.roles.includes('owner')))
      ?? sim.files().find((f) => !f.item.folder && f.permissions.some((p) => !p.roles.includes('owner')))!;
    const message = await act(connector, 'quarantine', file(shared));
    assert.match(message, /moved to Appwarden Quarantine/);
    const folder = [...shared.drive.items.values()].find((i) => i.name === 'Appwarden Quarantine')!;
    assert.equal(shared.item.parentId, folder.id);
    assert.deepEqual(shared.drive.permissions.get(shared.item.id)!.map((p) => p.roles), [['owner']]);
    await waitFor(async () => {
      const row = await fileRow(s, shared.fileId);
      return row?.path === '/Appwarden Quarantine' && row.access_level === 'private';
    }, { what: 'the quarantined file in its new place, unshared' });
  });
});

