import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GovernanceCommand } from '../../schemas/types.js';
import { freshName } from '../../test/support/fresh.js';
import { activeUsers, command, eventsAbout, harness, SETTINGS, user0 } from '../../test/support/governance.js';
import { FAST_INSTANCE } from '../../test/support/stack.js';
import { NotifyDispatcher, type Notification, type Notifier, type NotifyRules } from './notifier.js';
import { RecipientAllowList } from './recipients.js';

describe('governance executor', () => {
  test('a command is carried out once: pending → running → succeeded, the user is suspended, and a repeat or a restart changes nothing', async () => {
    const h = await harness({ seed: 'gov-once' });
    const group = freshName('executor');
    const executor = await h.start({ groupId: group });
    const [user] = activeUsers(h.sim, 1);
    const cmd = command('suspend_user', user!);
    await h.send(cmd);
    const done = await h.waitFor(cmd.command_id, 'succeeded');
    assert.equal(user!.status, 'SUSPENDED');
    assert.equal(done.attempt, 1);
    assert.deepEqual(h.steps(cmd.command_id).map((s) => s.status), ['pending', 'running', 'succeeded']);
    assert.match(done.message ?? '', /ACTIVE → SUSPENDED/);

    await h.send(cmd);
    await h.send(cmd);
    await h.drained(group);
    // A new executor (another group, so it reads every command again) loads the states and skips them too.
    const second = freshName('executor');
    await executor.stop();
    await h.start({ groupId: second });
    await h.drained(second);
    assert.equal(eventsAbout(h.sim, user!, 'user.lifecycle.suspend'), 1, 'Okta was asked once');
    assert.deepEqual(h.steps(cmd.command_id).map((s) => s.status), ['pending', 'running', 'succeeded'], 'no step recorded twice');
  });

  test('a command that needs approval waits for it, then runs', async () => {
    const h = await harness({ seed: 'gov-approval' });
    await h.start();
    const [user] = activeUsers(h.sim, 1);
    const cmd = command('suspend_user', user!, { requires_approval: true });
    await h.send(cmd);
    await h.waitFor(cmd.command_id, 'awaiting_approval');
    // Delivered again while waiting: still waiting, nothing done.
    await h.send(cmd);
    await h.send({ ...cmd }, { intent: 'retry', requestedBy: { id: 'key:mallory', name: 'mallory', role: 'responder' } });
    assert.equal(user!.status, 'ACTIVE');
    await h.send(cmd, { intent: 'approve', requestedBy: { id: 'key:ana', name: 'ana', role: 'responder' } });
    const done = await h.waitFor(cmd.command_id, 'succeeded');
    assert.equal(user!.status, 'SUSPENDED');
    const running = h.steps(cmd.command_id).find((s) => s.status === 'running')!;
    assert.match(running.message ?? '', /approved by ana \(key:ana, responder\)/);
    assert.deepEqual(h.steps(cmd.command_id).map((s) => s.status), ['pending', 'awaiting_approval', 'running', 'succeeded']);
    assert.ok(done.at > running.at);
  });

  test('a throttled provider is retried with backoff until the action succeeds', async () => {
    // The instance may not wait out a throttle itself (200 ms), so the 429 reaches the executor as a retriable failure.
    const h = await harness({ seed: 'gov-retry' }, { limits: { ...FAST_INSTANCE.limits, maxThrottleWaitMs: 200 } });
    await h.start();
    const [user] = activeUsers(h.sim, 1);
    h.sim.throttleNext(1, { resetInMs: 1000 });
    const cmd = command('suspend_user', user!);
    await h.send(cmd);
    const done = await h.waitFor(cmd.command_id, 'succeeded');
    assert.ok(h.sim.requests.throttled >= 1, 'the simulator answered 429');
    assert.equal(user!.status, 'SUSPENDED');
    const steps = h.steps(cmd.command_id);
    const retry = steps.find((s) => s.status === 'running' && s.attempt === 2);
    assert.ok(retry, `a second attempt was recorded: ${JSON.stringify(steps)}`);
    assert.match(retry.message ?? '', /retrying after: .*asked to wait/);
    assert.equal(done.attempt, 2);
    assert.equal(eventsAbout(h.sim, user!, 'user.lifecycle.suspend'), 1);
  });

  test('a permanent failure is recorded with the reason; a retry after the cause is fixed succeeds', async () => {
    const h = await harness({ seed: 'gov-failed' });
    await h.start();
    const locked = h.sim.state.users.slice(1).find((u) => u.status !== 'ACTIVE' && u.status !== 'SUSPENDED')!;
    const before = locked.status;
    const cmd = command('suspend_user', locked);
    await h.send(cmd);
    const failed = await h.waitFor(cmd.command_id, 'failed');
    assert.equal(failed.retriable, false);
    assert.match(failed.message ?? '', new RegExp(`the user is ${before}`));
    assert.equal(h.steps(cmd.command_id).filter((s) => s.status === 'running').length, 1, 'a permanent failure is not retried');

    locked.status = 'ACTIVE'; // an admin fixed the account in Okta
    await h.send(cmd, { intent: 'retry', requestedBy: { id: 'key:ana', name: 'ana', role: 'responder' } });
    const done = await h.waitFor(cmd.command_id, 'succeeded');
    assert.equal(done.attempt, 2);
    assert.equal(locked.status, 'SUSPENDED');
  });

  test('an action the connector does not declare is unsupported; an unknown instance fails; a bad message goes to the dead letters', async () => {
    const h = await harness({ seed: 'gov-unsupported' });
    await h.start();
    const [user] = activeUsers(h.sim, 1);
    const privately = command('make_private', user!, { target: { type: 'file', id: 'file-1', name: null } });
    const elsewhere = command('suspend_user', user!, { instance: 'nowhere' });
    const notify = command('notify', user!);
    await h.bus.send(h.bus.topics.governanceCommand, [{ key: 'junk', value: Buffer.from('not a command') }]);
    await h.send(privately);
    await h.send(elsewhere);
    await h.send(notify);
    assert.match((await h.waitFor(privately.command_id, 'unsupported')).message ?? '', /cannot make_private \(it does not declare action:make_private\)/);
    assert.match((await h.waitFor(elsewhere.command_id, 'failed')).message ?? '', /no connector instance okta\.nowhere is configured/);
    assert.match((await h.waitFor(notify.command_id, 'unsupported')).message ?? '', /no notifier is configured/);
    assert.equal(user!.status, 'ACTIVE');
  });

  test('dry_run (per command, or for the whole executor) records what would be done and changes nothing', async () => {
    const h = await harness({ seed: 'gov-dry' });
    await h.start();
    const [a, b] = activeUsers(h.sim, 2);
    const perCommand = command('suspend_user', a!, { mode: 'dry_run', requires_approval: true });
    await h.send(perCommand);
    const recorded = await h.waitFor(perCommand.command_id, 'dry_run');
    assert.match(recorded.message ?? '', /dry run: would suspend_user user/);

    const h2 = await harness({ seed: 'gov-dry-all' });
    await h2.start({ settings: { ...SETTINGS, dryRun: true } });
    const [c] = activeUsers(h2.sim, 1);
    const enforced = command('suspend_user', c!);
    await h2.send(enforced);
    await h2.waitFor(enforced.command_id, 'dry_run');
    assert.deepEqual([a!.status, b!.status, c!.status], ['ACTIVE', 'ACTIVE', 'ACTIVE']);
    assert.equal(eventsAbout(h.sim, a!, 'user.lifecycle.suspend') + eventsAbout(h2.sim, c!, 'user.lifecycle.suspend'), 0);
  });

  test('a revert runs the inverse and marks the original reverted', async () => {
    const h = await harness({ seed: 'gov-revert' });
    await h.start();
    const [user] = activeUsers(h.sim, 1);
    const suspend = command('suspend_user', user!);
    await h.send(suspend);
    await h.waitFor(suspend.command_id, 'succeeded');
    const unsuspend = command('unsuspend_user', user!, { requested_by: 'user:ana' });
    await h.send(unsuspend, { reverts: suspend.command_id });
    await h.waitFor(unsuspend.command_id, 'succeeded');
    const reverted = await h.waitFor(suspend.command_id, 'reverted');
    assert.match(reverted.message ?? '', new RegExp(`reverted by ${unsuspend.command_id}`));
    assert.equal(user!.status, 'ACTIVE');
  });

  test('conflicts: after a suspension, revoking sessions is superseded; the weaker action first does not stop the stronger', async () => {
    const h = await harness({ seed: 'gov-conflict' });
    await h.start();
    const [a, b] = activeUsers(h.sim, 2);
    const suspend = command('suspend_user', a!);
    await h.send(suspend);
    await h.waitFor(suspend.command_id, 'succeeded');
    const revoke = command('revoke_sessions', a!);
    await h.send(revoke);
    const moot = await h.waitFor(revoke.command_id, 'succeeded');
    assert.match(moot.message ?? '', new RegExp(`superseded: suspend_user \\(${suspend.command_id}\\)`));
    assert.equal(eventsAbout(h.sim, a!, 'user.session.clear'), 0, 'no session was cleared');

    const weakFirst = command('revoke_sessions', b!);
    await h.send(weakFirst);
    await h.waitFor(weakFirst.command_id, 'succeeded');
    const strongAfter = command('suspend_user', b!);
    await h.send(strongAfter);
    await h.waitFor(strongAfter.command_id, 'succeeded');
    assert.equal(eventsAbout(h.sim, b!, 'user.session.clear'), 1);
    assert.equal(b!.status, 'SUSPENDED');
  });

  test('notify goes through the configured notifier, and a notifier failure is retried', async () => {
    const h = await harness({ seed: 'gov-notify' });
    const received: Notification[] = [];
    let failures = 1;
    const recorder: Notifier = {
      channel: 'webhook',
      needsRecipient: false,
      async send(n) {
        if (failures-- > 0) throw Object.assign(new Error('webhook busy'), { retriable: true });
        received.push(n);
        return 'recorded';
      },
    };
    await h.start({ notifiers: [recorder], notify: { defaultTo: 'soc@example.com', allowed: new RecipientAllowList([user0(h.sim).profile.login]), maxPerRecipientPerHour: 10 } });
    const [user] = activeUsers(h.sim, 1);
    const cmd = command('notify', user!, { params: { subject: 'Your account was flagged', message: 'Call the SOC.' } });
    await h.send(cmd);
    await h.waitFor(cmd.command_id, 'succeeded');
    assert.equal(received.length, 1);
    assert.deepEqual({ to: received[0]!.to, subject: received[0]!.subject, text: received[0]!.text, policy: received[0]!.policy_id },
      { to: [user!.profile.login], subject: 'Your account was flagged', text: 'Call the SOC.', policy: 'test-policy' });
    assert.ok(h.steps(cmd.command_id).some((s) => s.status === 'running' && s.attempt === 2));
  });
});

describe('notify dispatcher', () => {
  const sent: Array<{ channel: string; n: Notification }> = [];
  const fake = (channel: 'email' | 'webhook'): Notifier => ({
    channel, needsRecipient: channel === 'email', async send(n) { sent.push({ channel, n }); return channel; },
  });
  const base: GovernanceCommand = {
    command_id: 'c'.repeat(32), created_at: 0, provider: 'okta', instance: 'main', action: 'notify',
    target: { type: 'user', id: '00u1', name: null }, params: {}, policy_id: null, alert_id: null,
    requested_by: 'user:ana', mode: 'enforce', requires_approval: false,
  };
  const signal = new AbortController().signal;
  const EVERYONE: NotifyRules = { allowed: new RecipientAllowList(['example.com']), maxPerRecipientPerHour: 100 };

  test('email when there is a recipient, the webhook otherwise; params.channel decides when given', async () => {
    const dispatcher = new NotifyDispatcher([fake('webhook'), fake('email')], EVERYONE);
    await dispatcher.send({ ...base, params: { to: 'a@example.com, b@example.com' } }, signal);
    await dispatcher.send(base, signal);
    await dispatcher.send({ ...base, params: { to: 'a@example.com', channel: 'webhook' } }, signal);
    assert.deepEqual(sent.map((s) => [s.channel, s.n.to]), [
      ['email', ['a@example.com', 'b@example.com']], ['webhook', []], ['webhook', ['a@example.com']],
    ]);
  });

  test('a command an email cannot serve is refused with the field at fault', async () => {
    const emailOnly = new NotifyDispatcher([fake('email')], EVERYONE);
    await assert.rejects(emailOnly.send(base, signal), (err: Error & { details?: { field?: string } }) => err.details?.field === 'params.to');
    await assert.rejects(emailOnly.send({ ...base, params: { to: 'not an address' } }, signal), /not an email address/);
    assert.equal(emailOnly.unsupportedReason({ ...base, params: { channel: 'webhook' } }), 'no webhook notifier is configured');
    assert.equal(new NotifyDispatcher([fake('email')], { ...EVERYONE, defaultTo: 'soc@example.com' }).unsupportedReason(base), null);
  });
});
