import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { instanceConfig } from '../../core/config.js';
import { isAppwardenError } from '../../core/errors.js';
import { startOktaSimulator, type OktaSimulator, type OktaUser } from '../../simulators/okta/index.js';
import { FAST_INSTANCE, testLog } from '../../test/support/stack.js';
import type { ActionHandler, ActionTarget } from '../contract.js';
import { createConnector } from '../runtime/connector-factory.js';
import { OKTA_ACTION_VERBS, type OktaActionVerb } from './actions.js';
import { OktaConfigSchema } from './config.js';
import { okta } from './index.js';

let sim: OktaSimulator;
let actions: Record<OktaActionVerb, ActionHandler>;
const stop = new AbortController();
const signal = stop.signal;

before(async () => {
  sim = await startOktaSimulator({ log: testLog, seed: 'okta-actions', users: 30, groups: 4, eventsPerDay: 20, days: 1 });
  const config = instanceConfig(OktaConfigSchema, { ...FAST_INSTANCE, orgUrl: sim.url, token: sim.token });
  const instance = createConnector(okta, 'main', config, testLog, signal);
  actions = instance.actions as Record<OktaActionVerb, ActionHandler>;
});
after(async () => {
  stop.abort();
  await sim.close();
});

const userTarget = (user: OktaUser): ActionTarget => ({ type: 'user', id: user.id, name: user.profile.login });

/** System Log events the simulator logged of one type about one user. */
function eventsAbout(user: OktaUser, eventType: string): number {
  const index = sim.state.users.indexOf(user);
  return sim.state.events.filter((e) => e.source === 'generated' && e.kind.eventType === eventType && e.subject === index).length;
}

/** A user with the given status that no other test uses. */
const taken = new Set<string>();
function userWith(status: OktaUser['status'] | ((s: OktaUser['status']) => boolean), extra: (u: OktaUser) => boolean = () => true): OktaUser {
  const wanted = typeof status === 'function' ? status : (s: OktaUser['status']) => s === status;
  const user = sim.state.users.slice(1).find((u) => wanted(u.status) && !taken.has(u.id) && extra(u));
  assert.ok(user, `the simulated org has a free ${String(status)} user`);
  taken.add(user.id);
  return user;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string; retriable: boolean }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isAppwardenError(err), `expected an AppwardenError, got ${String(err)}`);
    return { code: err.code, message: err.message, retriable: err.retriable };
  }
  return assert.fail('expected the action to be refused');
}

describe('Okta governance actions against the simulator', () => {
  test('the connector declares action:<verb> for each of its actions, and only those', () => {
    const declared = okta.capabilities.filter((c) => c.startsWith('action:')).map((c) => c.slice('action:'.length)).sort();
    assert.deepEqual(declared, [...OKTA_ACTION_VERBS].sort());
    assert.deepEqual(Object.keys(actions).sort(), [...OKTA_ACTION_VERBS].sort());
    assert.equal(actions.suspend_user.inverse, 'unsuspend_user');
    assert.equal(actions.unsuspend_user.inverse, 'suspend_user');
    assert.equal(actions.revoke_sessions.inverse, undefined);
  });

  test('suspend_user suspends an active user once; a second run is a noop; unsuspend_user undoes it', async () => {
    const user = userWith('ACTIVE');
    const target = userTarget(user);
    assert.equal(await actions.suspend_user.verify!(target, {}, signal), false, 'not suspended yet');

    const first = await actions.suspend_user.run(target, {}, signal);
    assert.equal(first.status, 'applied');
    assert.equal(user.status, 'SUSPENDED');
    assert.equal(await actions.suspend_user.verify!(target, {}, signal), true);
    assert.equal(eventsAbout(user, 'user.lifecycle.suspend'), 1);

    const second = await actions.suspend_user.run(target, {}, signal);
    assert.equal(second.status, 'noop');
    assert.match(second.message ?? '', /already SUSPENDED/);
    assert.equal(eventsAbout(user, 'user.lifecycle.suspend'), 1, 'Okta was not asked twice');

    assert.equal((await actions.unsuspend_user.run(target, {}, signal)).status, 'applied');
    assert.equal(user.status, 'ACTIVE');
    assert.equal(await actions.unsuspend_user.verify!(target, {}, signal), true);
    assert.equal((await actions.unsuspend_user.run(target, {}, signal)).status, 'noop');
  });

  test('a user may be named by login (email) instead of id', async () => {
    const user = userWith('ACTIVE');
    const result = await actions.suspend_user.run({ type: 'user', id: user.profile.login.toUpperCase() }, {}, signal);
    assert.equal(result.status, 'applied');
    assert.equal(user.status, 'SUSPENDED');
    assert.ok(result.message?.includes(user.id), 'the message names the resolved id');
  });

  test('a status Okta does not allow, and an unknown user, are permanent failures that say why', async () => {
    const inactive = userWith((s) => s !== 'ACTIVE' && s !== 'SUSPENDED');
    const before = inactive.status;
    const refused = await refusal(actions.suspend_user.run(userTarget(inactive), {}, signal));
    assert.equal(refused.code, 'AW_PROVIDER_REQUEST_FAILED');
    assert.equal(refused.retriable, false);
    assert.match(refused.message, new RegExp(`the user is ${before}.*only from ACTIVE`));
    assert.equal(inactive.status, before);

    const unknown = await refusal(actions.suspend_user.run({ type: 'user', id: 'nobody@example.com' }, {}, signal));
    assert.equal(unknown.code, 'AW_PROVIDER_REQUEST_FAILED');
    assert.match(unknown.message, /Okta has no user nobody@example\.com/);

    const wrongType = await refusal(actions.suspend_user.run({ type: 'file', id: 'f1' }, {}, signal));
    assert.equal(wrongType.code, 'AW_BAD_REQUEST');
  });

  test('force_password_change expires the password once', async () => {
    const user = userWith('ACTIVE');
    const target = userTarget(user);
    assert.equal((await actions.force_password_change.run(target, {}, signal)).status, 'applied');
    assert.equal(user.status, 'PASSWORD_EXPIRED');
    assert.equal(await actions.force_password_change.verify!(target, {}, signal), true);
    assert.equal((await actions.force_password_change.run(target, {}, signal)).status, 'noop');
    assert.equal(eventsAbout(user, 'user.account.expire_password'), 1);
  });

  test('revoke_sessions clears the sessions and verify finds the System Log event', async () => {
    const user = userWith('ACTIVE');
    const other = userWith('ACTIVE');
    const target = userTarget(user);
    assert.equal(await actions.revoke_sessions.verify!(userTarget(other), {}, signal), false, 'no session clear for a user nobody touched');
    const result = await actions.revoke_sessions.run(target, { oauth_tokens: 'true' }, signal);
    assert.equal(result.status, 'applied');
    assert.equal(eventsAbout(user, 'user.session.clear'), 1);
    assert.equal(await actions.revoke_sessions.verify!(target, {}, signal), true);
  });

  test('remove_from_group removes the membership once; group_id is required', async () => {
    const user = userWith('ACTIVE', (u) => sim.state.groups.some((g) => g.type === 'OKTA_GROUP' && sim.state.memberships.get(g.id)!.has(u.id)));
    const group = sim.state.groups.find((g) => g.type === 'OKTA_GROUP' && sim.state.memberships.get(g.id)!.has(user.id))!;
    const target = userTarget(user);
    const params = { group_id: group.id };
    assert.equal(await actions.remove_from_group.verify!(target, params, signal), false);
    assert.equal((await actions.remove_from_group.run(target, params, signal)).status, 'applied');
    assert.equal(sim.state.memberships.get(group.id)!.has(user.id), false);
    assert.equal(await actions.remove_from_group.verify!(target, params, signal), true);
    assert.equal((await actions.remove_from_group.run(target, params, signal)).status, 'noop');
    assert.equal(eventsAbout(user, 'group.user_membership.remove'), 1);

    const missing = await refusal(actions.remove_from_group.run(target, {}, signal));
    assert.equal(missing.code, 'AW_BAD_REQUEST');
    assert.match(missing.message, /params\.group_id/);
  });

  test('revoke_app_grant revokes one grant, the grants of one client, or all of them', async () => {
    const user = userWith('ACTIVE', (u) => (sim.state.grants.get(u.id)?.length ?? 0) >= 2);
    const target = userTarget(user);
    const grants = () => sim.state.grants.get(user.id) ?? [];
    const [first] = grants();
    const byId = { grant_id: first!.id };
    assert.equal((await actions.revoke_app_grant.run(target, byId, signal)).status, 'applied');
    assert.ok(!grants().some((g) => g.id === first!.id));
    assert.equal(await actions.revoke_app_grant.verify!(target, byId, signal), true);
    assert.equal((await actions.revoke_app_grant.run(target, byId, signal)).status, 'noop');

    // The same grant named as an app_grant target.
    assert.equal((await actions.revoke_app_grant.run({ type: 'app_grant', id: first!.id }, { user_id: user.id }, signal)).status, 'noop');

    const clientId = grants()[0]!.clientId;
    const byClient = { client_id: clientId };
    assert.equal((await actions.revoke_app_grant.run(target, byClient, signal)).status, 'applied');
    assert.ok(!grants().some((g) => g.clientId === clientId));
    assert.equal(await actions.revoke_app_grant.verify!(target, byClient, signal), true);

    const left = grants().length;
    const all = await actions.revoke_app_grant.run(target, {}, signal);
    assert.equal(all.status, left > 0 ? 'applied' : 'noop');
    assert.equal(grants().length, 0);
    assert.equal(await actions.revoke_app_grant.verify!(target, {}, signal), true);
    assert.equal((await actions.revoke_app_grant.run(target, {}, signal)).status, 'noop');
  });

  test('remove_privilege removes a directly assigned admin role once; a group-assigned one is refused with the way out', async () => {
    const user = userWith('ACTIVE', (u) => (sim.state.userRoles.get(u.id)?.length ?? 0) > 0);
    const role = sim.state.userRoles.get(user.id)![0]!;
    const target = userTarget(user);
    const params = { role_id: role.id };
    assert.equal(await actions.remove_privilege.verify!(target, params, signal), false);
    const result = await actions.remove_privilege.run(target, params, signal);
    assert.equal(result.status, 'applied');
    assert.deepEqual(result.undo, { role_types: role.type });
    assert.ok(!(sim.state.userRoles.get(user.id) ?? []).some((r) => r.id === role.id));
    assert.equal(await actions.remove_privilege.verify!(target, params, signal), true);
    assert.equal((await actions.remove_privilege.run(target, params, signal)).status, 'noop');
    assert.equal(eventsAbout(user, 'user.account.privilege.revoke'), 1);

    // Alice holds HELP_DESK_ADMIN through her first group: the user endpoint cannot take it away.
    const alice = sim.state.users[0]!;
    const viaGroup = await refusal(actions.remove_privilege.run(userTarget(alice), { role_type: 'HELP_DESK_ADMIN' }, signal));
    assert.match(viaGroup.message, /through a group/);
    assert.equal((await refusal(actions.remove_privilege.run(target, {}, signal))).code, 'AW_BAD_REQUEST');
  });

  test('reset_mfa resets every factor once; the user keeps the status', async () => {
    const user = userWith('ACTIVE', (u) => (sim.state.factors.get(u.id)?.length ?? 0) > 0);
    const target = userTarget(user);
    assert.equal(await actions.reset_mfa.verify!(target, {}, signal), false);
    const result = await actions.reset_mfa.run(target, {}, signal);
    assert.equal(result.status, 'applied');
    assert.equal(sim.state.factors.has(user.id), false);
    assert.equal(user.status, 'ACTIVE');
    assert.equal(await actions.reset_mfa.verify!(target, {}, signal), true);
    assert.equal((await actions.reset_mfa.run(target, {}, signal)).status, 'noop');
    assert.equal(eventsAbout(user, 'user.mfa.factor.reset_all'), 1);
  });
});
