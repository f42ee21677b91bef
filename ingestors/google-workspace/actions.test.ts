import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GoogleWorkspaceSimulator, SimFile } from '../../simulators/google-workspace/index.js';
import { googleConnector, googleSimulator } from '../../test/e2e/google-workspace-support.js';
import type { ActionHandler, ActionTarget, ActionVerb } from '../contract.js';

let sim: GoogleWorkspaceSimulator;
let actions: Partial<Record<ActionVerb, ActionHandler>>;
const stop = new AbortController();
const signal = stop.signal;

before(async () => {
  sim = await googleSimulator({ seed: 'gw-actions', users: 12, filesPerUser: 4, activitiesPerDay: 20 });
  actions = googleConnector(sim, signal).actions!;
});
after(async () => {
  stop.abort();
  await sim.close();
});

const taken = new Set<string>();
function ownedFile(accept: (f: SimFile) => boolean): SimFile {
  const file = [...sim.drive.files.values()].find((f) => !taken.has(f.id) && f.owner && f.owner !== sim.adminEmail && f.mimeType !== 'application/vnd.google-apps.folder'
    && !sim.user(f.owner)!.suspended && !sim.user(f.owner)!.archived && accept(f));
  assert.ok(file, 'the tenant has such a file');
  taken.add(file.id);
  return file;
}

/** A file's sharing as a comparable list (ids change when a permission is made again). */
const sharing = (f: SimFile) => f.permissions.map((p) => `${p.type}:${p.role}:${p.emailAddress ?? p.domain ?? ''}`).sort();

/** Runs an action, then restore_sharing as the executor runs a revert: with the action's undo record among the params. */
async function applyThenRestore(verb: ActionVerb, f: SimFile, params: Record<string, string> = {}): Promise<void> {
  const before = { sharing: sharing(f), owner: f.owner, parents: [...f.parents] };
  const target: ActionTarget = { type: 'file', id: f.id };
  const handler = actions[verb]!;
  assert.equal(handler.inverse, 'restore_sharing');
  const result = await handler.run(target, params, signal);
  assert.equal(result.status, 'applied', result.message);
  assert.notDeepEqual(sharing(f), before.sharing);
  const revert = { ...params, ...result.undo };
  const restore = actions.restore_sharing!;
  assert.equal(await restore.verify!(target, revert, signal), false);
  assert.equal((await restore.run(target, revert, signal)).status, 'applied');
  assert.deepEqual({ sharing: sharing(f), owner: f.owner, parents: f.parents }, before, `restore_sharing undoes ${verb}`);
  assert.equal(await restore.verify!(target, revert, signal), true);
  assert.equal((await restore.run(target, revert, signal)).status, 'noop', 'restoring twice restores once');
}

describe('Google Workspace actions against the simulator', () => {
  test('restore_sharing gives back what remove_public_link, remove_permission and make_private removed', async () => {
    await applyThenRestore('remove_public_link', ownedFile((f) => f.permissions.some((p) => p.type === 'anyone')));
    const shared = ownedFile((f) => f.permissions.some((p) => p.role !== 'owner' && p.type === 'user'));
    const grant = shared.permissions.find((p) => p.role !== 'owner' && p.type === 'user')!;
    await applyThenRestore('remove_permission', shared, { owner: shared.owner!, permissionId: grant.id });
    await applyThenRestore('make_private', ownedFile((f) => f.permissions.some((p) => p.type === 'domain')));
  });

  test('restore_sharing after quarantine gives the file back to its owner, in its folder, shared as before', async () => {
    await applyThenRestore('quarantine', ownedFile((f) => f.permissions.length > 1));
    assert.equal(sim.drive.files.get([...taken].at(-1)!)!.permissions.some((p) => p.emailAddress === sim.adminEmail), false, 'the admin kept no access');
  });

  test('remove_from_group removes a direct member once; verify reads the membership', async () => {
    const [groupId, members] = [...sim.directory.members.entries()].find(([, m]) => m.some((x) => x.type === 'USER' && x.email !== sim.adminEmail))!;
    const member = members.find((x) => x.type === 'USER' && x.email !== sim.adminEmail)!;
    const target: ActionTarget = { type: 'user', id: member.email };
    const params = { group_id: groupId };
    const handler = actions.remove_from_group!;
    assert.equal(await handler.verify!(target, params, signal), false);
    assert.equal((await handler.run(target, params, signal)).status, 'applied');
    assert.ok(!(sim.directory.members.get(groupId) ?? []).some((m) => m.id === member.id));
    assert.equal(await handler.verify!(target, params, signal), true);
    assert.equal((await handler.run(target, params, signal)).status, 'noop');
    await assert.rejects(handler.run(target, {}, signal), /params\.group_id/);
  });

  test('remove_privilege deletes the user\'s role assignment once; the user is no longer a delegated admin', async () => {
    const assignment = sim.directory.roleAssignments.find((a) => a.assigneeType === 'user' && sim.directory.users.find((u) => u.id === a.assignedTo)?.isDelegatedAdmin)!;
    assert.ok(assignment, 'the tenant has a delegated admin');
    const target: ActionTarget = { type: 'user', id: assignment.assignedTo };
    const params = { role_assignment_id: assignment.roleAssignmentId };
    const handler = actions.remove_privilege!;
    assert.equal(await handler.verify!(target, params, signal), false);
    assert.equal((await handler.run(target, params, signal)).status, 'applied');
    assert.ok(!sim.directory.roleAssignments.includes(assignment));
    assert.equal(sim.directory.users.find((u) => u.id === assignment.assignedTo)!.isDelegatedAdmin, false);
    assert.equal(await handler.verify!(target, params, signal), true);
    assert.equal((await handler.run(target, params, signal)).status, 'noop');
    await assert.rejects(handler.run(target, {}, signal), /params\.role_assignment_id/);
  });
});
