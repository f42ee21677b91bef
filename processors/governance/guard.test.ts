import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { stateKey } from '../../schemas/keys.js';
import { encode } from '../../schemas/registry.js';
import type { AccountEvent } from '../../schemas/types.js';
import { freshName } from '../../test/support/fresh.js';
import { activeUsers, command, harness, SETTINGS, type Harness } from '../../test/support/governance.js';
import { testLog } from '../../test/support/stack.js';
import { waitFor } from '../../test/support/wait-for.js';
import { commandMessage, SIGNATURE_HEADER } from './command-message.js';
import type { Notification, Notifier } from './notifier.js';
import { wildcard } from './protected-accounts.js';
import { RecipientAllowList } from './recipients.js';
import { CommandStateStore } from './state-store.js';

describe('governance executor: signed commands', () => {
  test('a producer writing to the command topic without the key causes nothing; the refusal is logged and recorded', async () => {
    const h = await harness({ seed: 'gov-forged' });
    const group = freshName('executor');
    const executor = await h.start({ groupId: group });
    const [victim, other] = activeUsers(h.sim, 2);
    const forged = command('suspend_user', victim!);
    const unsigned = commandMessage(forged, {}, randomBytes(32));
    delete unsigned.headers![SIGNATURE_HEADER];
    const wrongKey = commandMessage(command('suspend_user', other!), {}, randomBytes(32));
    // A signed command whose signature is moved onto an approval of it does not approve it either.
    const real = command('suspend_user', other!, { requires_approval: true });
    await h.send(real);
    await h.waitFor(real.command_id, 'awaiting_approval');
    const replayed = commandMessage(real, { intent: 'approve', requestedBy: { id: 'key:mallory', name: 'mallory', role: 'responder' } }, randomBytes(32));
    replayed.headers![SIGNATURE_HEADER] = commandMessage(real, {}, Buffer.from('not the key')).headers![SIGNATURE_HEADER]!;
    await h.bus.send(h.bus.topics.governanceCommand, [unsigned, wrongKey, replayed]);
    await h.drained(group);

    assert.equal(victim!.status, 'ACTIVE');
    assert.equal(other!.status, 'ACTIVE');
    assert.deepEqual(h.steps(forged.command_id), [], 'nothing recorded under the id a forger claims');
    assert.deepEqual(h.steps(real.command_id).map((s) => s.status), ['pending', 'awaiting_approval']);
    const rejected = await waitForCount(() => h.results.filter((r) => r.status === 'rejected'), 3);
    assert.ok(rejected.some((r) => /not signed/.test(r.message ?? '') && r.message!.includes(forged.command_id)));
    assert.equal(rejected.filter((r) => /signature does not match/.test(r.message ?? '')).length, 2);
    assert.equal(executor.stats().rejected, 3);
  });
});

describe('governance executor: the kill switch on every path', () => {
  test('approve, retry and resume after a restart record dry_run when governance.dryRun is on', async () => {
    const h = await harness({ seed: 'gov-kill' });
    const group = freshName('executor');
    const [waiting, failing, stuck] = activeUsers(h.sim, 3);
    // Enforcing, with suspend_user at a ceiling of 0: the second command fails (retriable) on the ceiling.
    let executor = await h.start({ groupId: group, settings: { ...SETTINGS, limits: { ...SETTINGS.limits, perAction: { suspend_user: 0 } } } });
    const approve = command('suspend_user', waiting!, { requires_approval: true });
    const retry = command('suspend_user', failing!);
    await h.send(approve);
    await h.send(retry);
    await h.waitFor(approve.command_id, 'awaiting_approval');
    assert.match((await h.waitFor(retry.command_id, 'failed')).message ?? '', /safety ceiling: 0 suspend_user/);
    await h.drained(group);
    await executor.stop();

    // A command an executor was carrying out when it stopped: its state says running.
    const resume = command('suspend_user', stuck!);
    await new CommandStateStore(h.bus, testLog).save({ command: resume, status: 'running', attempt: 1, at: Date.now(), message: null, retriable: false });

    // The kill switch is thrown; the same group carries on.
    executor = await h.start({ groupId: group, settings: { ...SETTINGS, dryRun: true } });
    await h.send(approve, { intent: 'approve', requestedBy: { id: 'key:ana', name: 'ana', role: 'responder' } });
    await h.send(retry, { intent: 'retry', requestedBy: { id: 'key:ana', name: 'ana', role: 'responder' } });
    await h.send(resume);
    for (const c of [approve, retry, resume]) assert.match((await h.waitFor(c.command_id, 'dry_run')).message ?? '', /governance\.dryRun, the kill switch/);
    await h.drained(group);
    assert.deepEqual([waiting, failing, stuck].map((u) => u!.status), ['ACTIVE', 'ACTIVE', 'ACTIVE']);
  });

  test("approve re-checks the command's own dry-run mode", async () => {
    const h = await harness({ seed: 'gov-kill-mode' });
    const [user] = activeUsers(h.sim, 1);
    // A dry-run command that waits for approval: possible when the mode is read only at arrival.
    const cmd = command('suspend_user', user!, { requires_approval: true, mode: 'dry_run' });
    await new CommandStateStore(h.bus, testLog).save({ command: cmd, status: 'awaiting_approval', attempt: 0, at: Date.now(), message: null, retriable: false });
    await h.start();
    await h.send(cmd, { intent: 'approve', requestedBy: { id: 'key:ana', name: 'ana', role: 'admin' } });
    await h.waitFor(cmd.command_id, 'dry_run');
    assert.equal(user!.status, 'ACTIVE');
  });
});

describe('governance executor: protected accounts', () => {
  test('a policy never acts on a listed or privileged account; a person needs the admin role', async () => {
    const h = await harness({ seed: 'gov-protected' });
    const [listed, privileged, admin] = activeUsers(h.sim, 3);
    // The account scans say `privileged` holds a role.
    const privilege: AccountEvent = {
      record_id: freshName('priv'), provider: 'okta', instance: 'main', observed_at: Date.now(), kind: 'privilege',
      subject: { type: 'user', id: privileged!.id, email: privileged!.profile.login, name: null },
      status: null, status_raw: null, created_at: null, last_login_at: null, group: null,
      privilege: { id: 'SUPER_ADMIN', name: 'Super administrator', type: 'SUPER_ADMIN' }, app: null, deleted: false, attributes: {}, raw: '{}',
    };
    await h.bus.send(h.bus.topics.account, [{ key: stateKey(privilege), value: Buffer.from(encode('account-event', privilege)) }]);
    await h.start({ protection: { accounts: [listed!.profile.login.replace(/^[^@]+/, listed!.profile.login.slice(0, 3) + '*')], protectPrivileged: true } });

    const byPolicy = [command('suspend_user', listed!), command('revoke_sessions', privileged!)];
    for (const c of byPolicy) await h.send(c);
    assert.match((await h.waitFor(byPolicy[0]!.command_id, 'skipped')).message ?? '', /protected account: .* is listed in governance\.protectedAccounts; policies never act on it/);
    assert.match((await h.waitFor(byPolicy[1]!.command_id, 'skipped')).message ?? '', /holds an admin privilege/);

    const byResponder = command('suspend_user', privileged!, { requested_by: 'user:rita', policy_id: null, alert_id: null });
    await h.send(byResponder, { requestedBy: { id: 'key:someone', name: 'someone', role: 'responder' } });
    assert.match((await h.waitFor(byResponder.command_id, 'rejected')).message ?? '', /needs the admin role \(asked with responder\)/);
    assert.equal(privileged!.status, 'ACTIVE');

    const byAdmin = command('suspend_user', privileged!, { requested_by: 'user:ada', policy_id: null, alert_id: null });
    await h.send(byAdmin, { requestedBy: { id: 'key:someone', name: 'someone', role: 'admin' } });
    await h.waitFor(byAdmin.command_id, 'succeeded');
    assert.equal(privileged!.status, 'SUSPENDED');
    assert.equal(listed!.status, 'ACTIVE');
    assert.equal(admin!.status, 'ACTIVE');
  });

  test('patterns match with * only, in linear steps', () => {
    const match = wildcard('*@corp.example');
    assert.equal(match('ana@corp.example'), true);
    assert.equal(match('ana@corp.example.evil'), false);
    assert.equal(wildcard('svc-*-bot')('svc-okta-bot'), true);
    assert.equal(wildcard('a*a*a*a*a*b')('a'.repeat(5000)), false);
  });
});

describe('governance executor: limits on the wall clock', () => {
  test("a policy's command about an old event is skipped; a burst is capped at the hourly ceiling per instance and action", async () => {
    const h = await harness({ seed: 'gov-ceiling' });
    await h.start({ settings: { ...SETTINGS, maxEventAgeMs: 3_600_000, limits: { ...SETTINGS.limits, perAction: { suspend_user: 3 } } } });
    const users = activeUsers(h.sim, 6);
    const old = command('suspend_user', users[0]!, { created_at: Date.now() - 7 * 86_400_000 });
    await h.send(old);
    assert.match((await h.waitFor(old.command_id, 'skipped')).message ?? '', /alert only: the event is 7 d old, older than governance\.maxEventAgeMs/);

    const burst = users.slice(1).map((u) => command('suspend_user', u));
    for (const c of burst) await h.send(c);
    const outcomes = await Promise.all(burst.map((c) => waitForAny(h, c.command_id, ['succeeded', 'failed'])));
    assert.equal(outcomes.filter((s) => s === 'succeeded').length, 3);
    assert.equal(outcomes.filter((s) => s === 'failed').length, 2);
    assert.equal(users.filter((u) => u.status === 'SUSPENDED').length, 3);
    assert.equal(users[0]!.status, 'ACTIVE');
  });
});

describe('governance executor: notify recipients', () => {
  test('notify writes only to allowed recipients, at most N per recipient per hour', async () => {
    const h = await harness({ seed: 'gov-notify-allow' });
    const received: Notification[] = [];
    const hook: Notifier = {
      channel: 'webhook', needsRecipient: false, destination: 'https://hooks.example.net/appwarden',
      async send(n) { received.push(n); return 'recorded'; },
    };
    const [user] = activeUsers(h.sim, 1);
    await h.start({
      notifiers: [hook],
      notify: { allowed: new RecipientAllowList(['corp.example', 'https://hooks.example.net/appwarden']), maxPerRecipientPerHour: 2 },
    });
    const to = (address: string) => command('notify', user!, { params: { to: address, message: 'hello' }, requested_by: 'user:ana', policy_id: null });
    const outsider = to('someone@elsewhere.example');
    await h.send(outsider);
    assert.match((await h.waitFor(outsider.command_id, 'failed')).message ?? '', /not on governance\.notify\.allowedRecipients: someone@elsewhere\.example/);
    const allowed = [to('soc@corp.example'), to('SOC@corp.example'), to('soc@corp.example')];
    for (const c of allowed) await h.send(c);
    await h.waitFor(allowed[0]!.command_id, 'succeeded');
    await h.waitFor(allowed[1]!.command_id, 'succeeded');
    assert.match((await h.waitFor(allowed[2]!.command_id, 'failed')).message ?? '', /rate limit: soc@corp\.example already got 2 notifications in the last hour/);
    assert.equal(received.length, 2);
  });

  test('the allow-list matches addresses, domains and URLs', () => {
    const list = new RecipientAllowList(['ana@corp.example', '@partner.example', 'https://hooks.example.net/x']);
    assert.equal(list.allows('ANA@corp.example'), true);
    assert.equal(list.allows('bo@corp.example'), false);
    assert.equal(list.allows('bo@partner.example'), true);
    assert.equal(list.allows('bo@evil-partner.example'), false);
    assert.equal(list.allows('https://hooks.example.net/x'), true);
    assert.equal(list.allows('https://hooks.example.net/y'), false);
  });
});

function waitForCount<T>(list: () => T[], n: number): Promise<T[]> {
  return waitFor(() => (list().length >= n ? list() : null), { what: `${n} records` });
}

function waitForAny(h: Harness, id: string, statuses: string[]): Promise<string> {
  return waitFor(() => h.steps(id).find((s) => statuses.includes(s.status))?.status, { what: `${id} in ${statuses.join('/')}` });
}
