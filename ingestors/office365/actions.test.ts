import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { aliceUpn, startOffice365Simulator, type Office365Simulator, type SimFile } from '../../simulators/office365/index.js';
import { simulatorConfig } from '../../test/support/simulators.js';
import { testLog } from '../../test/support/stack.js';
import type { ActionHandler, ActionTarget, ActionVerb } from '../contract.js';
import { createConnector } from '../runtime/connector-factory.js';
import { office365 } from './index.js';

let sim: Office365Simulator;
let actions: Partial<Record<ActionVerb, ActionHandler>>;
const stop = new AbortController();
const signal = stop.signal;

before(async () => {
  sim = await startOffice365Simulator({ log: testLog, seed: 'o365-actions', users: 8, groups: 2, sites: 1, itemsPerDrive: 8, eventsPerDay: 10, days: 1 });
  actions = createConnector(office365 as never, 'main', simulatorConfig('office365', sim), testLog, signal).actions!;
});
after(async () => {
  stop.abort();
  await sim.close();
});

const fileTarget = (f: SimFile): ActionTarget => ({ type: 'file', id: f.fileId, name: f.item.name });
/** The sharing of a file as a comparable list: links by type and scope, people by email and roles. */
function sharing(f: SimFile): string[] {
  return (f.drive.permissions.get(f.item.id) ?? []).filter((p) => !p.roles.includes('owner')).map((p) => {
    const link = p.link as { type: string; scope: string } | undefined;
    if (link) return `link:${link.type}:${link.scope}`;
    return `user:${(p.grantedToV2 as { user: { email: string } }).user.email.toLowerCase()}:${p.roles.join('+')}`;
  }).sort();
}

/** Runs an action and its restore_sharing as the executor does on a revert: the undo record joins the params. */
async function applyThenRestore(verb: ActionVerb, f: SimFile, params: Record<string, string> = {}): Promise<void> {
  const before = sharing(f);
  const parent = f.item.parentId;
  const handler = actions[verb]!;
  assert.equal(handler.inverse, 'restore_sharing');
  const result = await handler.run(fileTarget(f), params, signal);
  assert.equal(result.status, 'applied', result.message);
  assert.notDeepEqual(sharing(f), before, `${verb} changed the sharing`);
  const restore = actions.restore_sharing!;
  const revertParams = { ...params, ...result.undo };
  assert.equal(await restore.verify!(fileTarget(f), revertParams, signal), false);
  assert.equal((await restore.run(fileTarget(f), revertParams, signal)).status, 'applied');
  assert.deepEqual(sharing(f), before, `restore_sharing after ${verb} gives the sharing back`);
  assert.equal(f.item.parentId, parent, 'the file is back in its folder');
  assert.equal(await restore.verify!(fileTarget(f), revertParams, signal), true);
  assert.equal((await restore.run(fileTarget(f), revertParams, signal)).status, 'noop', 'restoring twice restores once');
}

function aliceFiles(): SimFile[] {
  const alice = sim.userByUpn(aliceUpn(sim.options.domain))!;
  const driveId = sim.state.oneDrives.get(alice.id)!;
  return sim.files().filter((f) => f.drive.drive.id === driveId);
}

describe('Office 365 actions against the simulator', () => {
  test('restore_sharing gives back what remove_public_link, remove_permission and make_private removed', async () => {
    const [anonymous, , external, organization, internal] = aliceFiles();
    await applyThenRestore('remove_public_link', anonymous!);
    const grant = internal!.permissions.find((p) => !p.roles.includes('owner'))!;
    await applyThenRestore('remove_permission', internal!, { permissionId: grant.id });
    await applyThenRestore('make_private', organization!);
    await applyThenRestore('remove_external_collaborators', external!);
  });

  test('restore_sharing moves a quarantined file back and shares it again', async () => {
    const shared = sim.files().find((f) => !f.item.folder && f.item.parentId !== f.drive.rootId && f.permissions.some((p) => !p.roles.includes('owner')))
      ?? sim.files().find((f) => !f.item.folder && f.permissions.some((p) => !p.roles.includes('owner')))!;
    await applyThenRestore('quarantine', shared);
  });

  test('restore_sharing without an undo record is refused, saying what it needs', async () => {
    const [anonymous] = aliceFiles();
    await assert.rejects(actions.restore_sharing!.run(fileTarget(anonymous!), {}, signal), (err: Error) => /params\.removed/.test(err.message));
  });

  test('revoke_app_grant removes an application permission (app role assignment) once, given its resource', async () => {
    const assignment = sim.state.appRoleAssignments[0]!;
    const target: ActionTarget = { type: 'app_grant', id: assignment.id };
    const params = { resource_id: assignment.resourceId };
    const handler = actions.revoke_app_grant!;
    assert.equal(await handler.verify!(target, params, signal), false);
    assert.equal((await handler.run(target, params, signal)).status, 'applied');
    assert.equal(sim.state.appRoleAssignments.some((a) => a.id === assignment.id), false);
    assert.equal(await handler.verify!(target, params, signal), true);
    assert.equal((await handler.run(target, params, signal)).status, 'noop');
    await assert.rejects(handler.run(target, { grant_type: 'application' }, signal), (err: Error) => /resourceId/.test(err.message));
  });
});
