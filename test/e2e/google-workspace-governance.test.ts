import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ActionTarget, ConnectorInstance } from '../../ingestors/contract.js';
import { SIMULATED_APPLICATIONS, type GoogleWorkspaceSimulator, type SimFile } from '../../simulators/google-workspace/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { FAST_INSTANCE } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { googleConnector, googleInstance, googleSimulator } from './google-workspace-support.js';

interface AccountItem { observed_at: string; status: string | null; subject: { id: string }; app: { id: string } | null; attributes: Record<string, string> }
interface FileRow { observed_ms: number | string; access_level: string; owner_email: string | null; collaborator_emails: Array<string | null>; label: string | null; attributes: Record<string, string> }

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let sim: GoogleWorkspaceSimulator;
let s: TestStack;
let connector: ConnectorInstance;
const abort = new AbortController();

before(async () => {
  sim = await googleSimulator({ seed: 'gw-governance', users: 8, filesPerUser: 4, activitiesPerDay: 40 });
  cleanups.push(() => sim.close());
  // Rescans every second, so each action's effect shows in a scan that follows it.
  // Only the applications the tenant has history in: the default's 41 polls would spend the simulated
  // Reports quota that the file actions' owner lookup needs too.
  s = await startTestStack({ google_workspace: { main: googleInstance(sim, { applications: [...SIMULATED_APPLICATIONS], schedule: { ...FAST_INSTANCE.schedule, accountsEveryMs: 1000 } }) } });
  cleanups.push(() => s.stop());
  cleanups.push(async () => abort.abort());
  connector = googleConnector(sim, abort.signal);
  await waitFor(async () => (await s.api<{ items: unknown[] }>('/v1/accounts?kind=user&limit=1000')).body.items.length === sim.directory.users.length, { what: 'first scan' });
});

/** Runs an action and checks it reports the effect as visible. */
async function act(verb: string, target: ActionTarget, params: Record<string, string> = {}): Promise<void> {
  const handler = connector.actions?.[verb as keyof NonNullable<ConnectorInstance['actions']>];
  assert.ok(handler, `the connector has ${verb}`);
  const result = await handler.run(target, params, abort.signal);
  assert.equal(result.status, 'applied', `${verb}: ${result.message ?? ''}`);
  if (handler.verify) assert.equal(await handler.verify(target, params, abort.signal), true, `${verb} verified`);
  const again = await handler.run(target, params, abort.signal);
  if (verb !== 'revoke_sessions') assert.equal(again.status, 'noop', `${verb} applied twice applies once`);
}

/** The latest record of an account that a scan made after `since`. */
async function accountAfter(query: string, since: number, accept: (item: AccountItem) => boolean = () => true): Promise<AccountItem> {
  return waitFor(async () => {
    const items = (await s.api<{ items: AccountItem[] }>(`/v1/accounts?${query}&limit=1000`)).body.items;
    return items.find((i) => Date.parse(i.observed_at) > since && accept(i)) ?? null;
  }, { what: `a scan record for ${query}` });
}

async function fileAfter(fileId: string, since: number, accept: (row: FileRow) => boolean): Promise<FileRow> {
  return waitFor(async () => {
    const [row] = await s.clickhouse.query<FileRow>(
      `SELECT toUnixTimestamp64Milli(observed_at) AS observed_ms, access_level, owner_email, collaborator_emails, label, attributes FROM files FINAL
       WHERE provider = 'google_workspace' AND instance = 'main' AND file_id = {id:String}`, { id: fileId });
    return row && Number(row.observed_ms) > since && accept(row) ? row : null;
  }, { what: `a scan record of file ${fileId}` });
}

async function auditShows(actionRaw: string, since: number): Promise<void> {
  await waitFor(async () => {
    const from = new Date(since - 60_000).toISOString();
    const res = await s.api<{ items: Array<{ action_raw: string }> }>(`/v1/activities?provider=google_workspace&action_raw=${actionRaw}&from=${from}`);
    return res.body.items.length > 0;
  }, { what: `${actionRaw} in the activity trail` });
}

function activeUser(index: number) {
  return sim.directory.users.filter((u) => !u.suspended && !u.archived && !u.isAdmin)[index]!;
}

function ownedFile(accept: (f: SimFile) => boolean): SimFile {
  const file = [...sim.drive.files.values()].find((f) => f.owner && f.owner !== sim.adminEmail && !sim.user(f.owner)!.suspended && !sim.user(f.owner)!.archived && accept(f));
  assert.ok(file, 'the tenant has such a file');
  return file;
}

describe('Google Workspace governance: each action changes the tenant and the next scan shows it', () => {
  test('suspend_user and its inverse unsuspend_user', async () => {
    const user = activeUser(0);
    const since = Date.now();
    assert.equal(connector.actions!.suspend_user!.inverse, 'unsuspend_user');
    await act('suspend_user', { type: 'user', id: user.primaryEmail });
    assert.equal(sim.user(user.id)!.suspended, true);
    assert.equal((await accountAfter(`kind=user&subject_id=${user.id}`, since, (i) => i.status === 'suspended')).status, 'suspended');
    await auditShows('SUSPEND_USER', since);
    const back = Date.now();
    await act('unsuspend_user', { type: 'user', id: user.id });
    assert.equal(sim.user(user.id)!.suspended, false);
    await accountAfter(`kind=user&subject_id=${user.id}`, back, (i) => i.status === 'active');
  });

  test('force_password_change and revoke_sessions', async () => {
    const user = activeUser(1);
    const since = Date.now();
    await act('force_password_change', { type: 'user', id: user.id });
    assert.equal(sim.user(user.id)!.changePasswordAtNextLogin, true);
    await accountAfter(`kind=user&subject_id=${user.id}`, since, (i) => i.attributes.change_password_at_next_login === 'true');
    await act('revoke_sessions', { type: 'user', id: user.id });
    assert.ok((sim.directory.signOuts.get(user.id) ?? 0) >= since, 'the simulator signed the user out');
    await auditShows('RESET_SIGNIN_COOKIES', since);
  });

  test('revoke_app_grant deletes the user\'s OAuth token for the app; the next scan no longer lists it', async () => {
    const user = sim.directory.users.find((u) => !u.suspended && (sim.directory.tokens.get(u.id) ?? []).length > 0)!;
    const clientId = sim.directory.tokens.get(user.id)![0]!.clientId;
    const since = Date.now();
    await act('revoke_app_grant', { type: 'app_grant', id: clientId }, { user_id: user.id });
    assert.ok(!(sim.directory.tokens.get(user.id) ?? []).some((t) => t.clientId === clientId));
    // The scan after the action lists the user's remaining grants, not this one.
    const scanned = await accountAfter(`kind=user&subject_id=${user.id}`, since);
    const grants = (await s.api<{ items: AccountItem[] }>(`/v1/accounts?kind=app_grant&subject_id=${user.id}&limit=1000`)).body.items;
    const rescanned = grants.filter((g) => Date.parse(g.observed_at) >= Date.parse(scanned.observed_at));
    assert.ok(!rescanned.some((g) => g.app?.id === clientId));
    assert.equal(rescanned.length, sim.directory.tokens.get(user.id)?.length ?? 0);
    await auditShows('REVOKE_3LO_TOKEN', since);
  });

  test('remove_public_link and remove_permission take the file back from anyone and from an outsider', async () => {
    const file = ownedFile((f) => f.permissions.some((p) => p.type === 'anyone'));
    const since = Date.now();
    // As a policy sends it: the file only; the connector finds the owner to act as.
    await act('remove_public_link', { type: 'file', id: file.id, name: file.name });
    assert.ok(!file.permissions.some((p) => p.type === 'anyone'));
    await fileAfter(file.id, since, (row) => row.access_level !== 'public');
    await auditShows('change_document_visibility', since);

    const shared = ownedFile((f) => f.permissions.some((p) => p.emailAddress && !p.emailAddress.endsWith(`@${sim.domain}`)));
    const outsider = shared.permissions.find((p) => p.emailAddress && !p.emailAddress.endsWith(`@${sim.domain}`))!;
    const then = Date.now();
    await act('remove_permission', { type: 'file', id: shared.id }, { owner: shared.owner!, permissionId: outsider.id });
    assert.ok(!shared.permissions.some((p) => p.id === outsider.id));
    const row = await fileAfter(shared.id, then, (r) => !r.collaborator_emails.includes(outsider.emailAddress!));
    assert.notEqual(row.access_level, 'external');
  });

  test('remove_external_collaborators and make_private', async () => {
    const outsider = 'consultant@elsewhere.example.net';
    const file = ownedFile((f) => !f.permissions.some((p) => p.type === 'anyone'));
    sim.share(file.id, { type: 'user', role: 'writer', emailAddress: outsider });
    const since = Date.now();
    await act('remove_external_collaborators', { type: 'file', id: file.id }, { owner: file.owner! });
    await fileAfter(file.id, since, (row) => row.access_level !== 'external' && !row.collaborator_emails.includes(outsider));

    const domainShared = ownedFile((f) => f.permissions.some((p) => p.type === 'domain'));
    const then = Date.now();
    await act('make_private', { type: 'file', id: domainShared.id });
    assert.deepEqual(domainShared.permissions.map((p) => p.role), ['owner']);
    await fileAfter(domainShared.id, then, (row) => row.access_level === 'private' && row.collaborator_emails.length === 1);
  });

  test('quarantine moves the file to the admin\'s quarantine folder, owned by the admin and shared with no one', async () => {
    const file = ownedFile((f) => f.permissions.length > 1 && f.mimeType !== 'application/vnd.google-apps.folder');
    const since = Date.now();
    await act('quarantine', { type: 'file', id: file.id });
    const folder = [...sim.drive.files.values()].find((f) => f.name === 'Appwarden quarantine' && f.owner === sim.adminEmail)!;
    assert.ok(folder, 'the quarantine folder exists in the admin\'s My Drive');
    assert.deepEqual([file.owner, file.parents, file.permissions.map((p) => p.emailAddress)], [sim.adminEmail, [folder.id], [sim.adminEmail]]);
    // A scan may catch the steps half done (owner changed, not moved yet): wait for one after the last step.
    const row = await fileAfter(file.id, since, (r) => r.owner_email === sim.adminEmail && r.attributes.parents === folder.id);
    assert.equal(row.access_level, 'private');
    await auditShows('change_owner', since);
  });

  test('apply_label applies the Drive label; the scan reports it', async () => {
    const file = ownedFile((f) => f.labels.size === 0 && f.owner !== undefined);
    const label = sim.drive.labels[0]!;
    const since = Date.now();
    await act('apply_label', { type: 'file', id: file.id }, { owner: file.owner!, labelId: label.id });
    assert.ok(file.labels.has(label.id));
    await fileAfter(file.id, since, (row) => row.label === label.id);
  });

  test('actions refuse targets of the wrong kind and missing parameters with AW_BAD_REQUEST', async () => {
    await assert.rejects(connector.actions!.suspend_user!.run({ type: 'file', id: 'x' }, {}, abort.signal), /applies to a user/);
    await assert.rejects(connector.actions!.remove_permission!.run({ type: 'file', id: 'x' }, {}, abort.signal), /params\.permissionId/);
    await assert.rejects(connector.actions!.revoke_app_grant!.run({ type: 'app_grant', id: 'x' }, {}, abort.signal), /params\.user_id/);
  });
});
