import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { startAppwarden, type RunningAppwarden } from '../../cli/start.js';
import { bearer, roleKeys, type TestKeyName } from '../support/auth.js';
import type { AppConfig } from '../../core/config.js';
import { rolesOfUser } from '../../simulators/okta/directory.js';
import { startOktaSimulator, type OktaSimulator, type OktaUser } from '../../simulators/okta/index.js';
import { startTestStack } from '../support/appwarden.js';
import { FAST_INSTANCE, testConfig, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { simulatorInstance } from '../support/simulators.js';

const cleanups: Array<() => Promise<unknown>> = [];
// Each test's stacks and simulators stop when it ends: left running, they would poll through the later tests.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Step { status: string; attempt: number; message: string | null }
interface Command { command_id: string; status: string; action: string; message: string | null; target: { id: string } }
interface Detail { command: Command; history: Step[] }
type ErrorBody = { statusCode: number; code: string; message: string };

interface Stack {
  running: RunningAppwarden;
  /** A request as `who` (default a responder); a POST without payload sends `{}`. */
  call<T>(method: 'GET' | 'POST', url: string, payload?: object, who?: TestKeyName): Promise<{ status: number; body: T }>;
  /** Waits until the governance log shows the command in `status`. */
  until(id: string, status: string): Promise<Detail>;
}

async function simulator(seed: string): Promise<OktaSimulator> {
  const sim = await startOktaSimulator({ log: testLog, seed, users: 12, groups: 3, eventsPerDay: 50, days: 1 });
  cleanups.push(() => sim.close());
  return sim;
}

/**
 * The whole of Appwarden in this process, with account scans every second so the next scan after an
 * action comes soon: `startTestStack` (default governance settings), or with notifiers configured.
 */
async function stack(sim: OktaSimulator, notify?: AppConfig['governance']['notify']): Promise<Stack> {
  const connectors = { okta: { main: simulatorInstance('okta', sim, { schedule: { ...FAST_INSTANCE.schedule, accountsEveryMs: 1000 } }) } };
  let running: RunningAppwarden;
  if (notify === undefined) {
    running = await startTestStack(connectors);
  } else {
    const base = testConfig(connectors);
    running = await startAppwarden({ config: { ...base, governance: { ...base.governance, notify } }, log: testLog, progressIntervalMs: 60_000 });
  }
  cleanups.push(() => running.stop());
  const app = running.app!;
  const key = await roleKeys(running.keys!);
  const call = async <T>(method: 'GET' | 'POST', url: string, payload?: object, who: TestKeyName = 'responder') => {
    const res = await app.inject({ method, url, headers: bearer(key(who)), ...(payload ?? method === 'POST' ? { payload: payload ?? {} } : {}) });
    return { status: res.statusCode, body: res.json() as T };
  };
  return {
    running,
    call,
    until: (id, status) => waitFor(async () => {
      const res = await call<Detail>('GET', `/v1/governance/${id}`);
      return res.status === 200 && res.body.command.status === status ? res.body : null;
    }, { what: `command ${id} ${status}` }),
  };
}

/** An active user without an admin role: governance protects admins (governance.protectPrivileged). */
function activeUser(sim: OktaSimulator, skip = 0): OktaUser {
  const user = sim.state.users.slice(1).filter((u) => u.status === 'ACTIVE' && rolesOfUser(sim.state, u.id).length === 0)[skip];
  assert.ok(user, 'an active user');
  return user;
}

const suspendBody = (user: OktaUser, extra: object = {}) => ({
  provider: 'okta', instance: 'main', action: 'suspend_user', target: { type: 'user', id: user.profile.login }, ...extra,
});

describe('Okta governance end to end: API → command topic → executor → Okta → result topic → sink → API', () => {
  test('an admin suspends a user by hand: the log shows succeeded, Okta has the user suspended, and the next account scan shows it', async () => {
    const sim = await simulator('gov-e2e-manual');
    const s = await stack(sim);
    const user = activeUser(sim);
    await waitFor(async () => {
      const res = await s.call<{ items: Array<{ status: string }> }>('GET', `/v1/accounts?kind=user&subject_id=${user.id}`);
      return res.body.items[0]?.status === 'active';
    }, { what: 'the first account scan' });

    const asked = await s.call<{ command_id: string }>('POST', '/v1/governance', suspendBody(user, { request_id: 'INC-1001' }));
    assert.equal(asked.status, 202);
    const done = await s.until(asked.body.command_id, 'succeeded');
    assert.deepEqual(done.history.map((h) => h.status), ['pending', 'running', 'succeeded']);
    assert.equal(user.status, 'SUSPENDED');

    await waitFor(async () => {
      const res = await s.call<{ items: Array<{ status: string; status_raw: string }> }>('GET', `/v1/accounts?kind=user&subject_id=${user.id}`);
      return res.body.items[0]?.status === 'suspended' && res.body.items[0].status_raw === 'SUSPENDED';
    }, { what: 'the account scan shows the user suspended' });

    // The same request again is the same command: recorded once, Okta asked once.
    const again = await s.call<{ command_id: string }>('POST', '/v1/governance', suspendBody(user, { request_id: 'INC-1001' }));
    assert.equal(again.body.command_id, asked.body.command_id);
    const list = await s.call<{ items: Command[] }>('GET', `/v1/governance?target=${user.profile.login}`);
    assert.deepEqual(list.body.items.map((c) => [c.command_id, c.status]), [[asked.body.command_id, 'succeeded']]);
    const index = sim.state.users.indexOf(user);
    assert.equal(sim.state.events.filter((e) => e.source === 'generated' && e.kind.eventType === 'user.lifecycle.suspend' && e.subject === index).length, 1);
  });

  test('approval, then revert: the user is suspended only once approved, and unsuspended by the revert', async () => {
    const sim = await simulator('gov-e2e-approval');
    const s = await stack(sim);
    const user = activeUser(sim);
    const asked = await s.call<{ command_id: string }>('POST', '/v1/governance', suspendBody(user, { requires_approval: true }));
    const id = asked.body.command_id;
    await s.until(id, 'awaiting_approval');
    assert.equal(user.status, 'ACTIVE');
    const early = await s.call<ErrorBody>('POST', `/v1/governance/${id}/revert`);
    assert.equal(early.status, 409, 'nothing to revert before it ran');

    const self = await s.call<ErrorBody>('POST', `/v1/governance/${id}/approve`);
    assert.equal(self.status, 403, 'the requester cannot approve their own command');
    assert.equal(self.body.code, 'AW_SEPARATION_OF_DUTIES');
    assert.equal((await s.call('POST', `/v1/governance/${id}/approve`, {}, 'admin')).status, 202);
    const approved = await s.until(id, 'succeeded');
    assert.match(approved.history.find((h) => h.status === 'running')!.message ?? '', /approved by test admin \(key:[0-9a-f]{16}, admin\)/);
    assert.equal(user.status, 'SUSPENDED');

    // The revert needs the same approval as the action: it waits until someone other than its requester approves it.
    const revert = await s.call<{ command_id: string; reverts: string }>('POST', `/v1/governance/${id}/revert`, {}, 'admin');
    assert.equal(revert.status, 202);
    await s.until(revert.body.command_id, 'awaiting_approval');
    assert.equal(user.status, 'SUSPENDED');
    assert.equal((await s.call('POST', `/v1/governance/${revert.body.command_id}/approve`, {}, 'admin')).status, 403);
    assert.equal((await s.call('POST', `/v1/governance/${revert.body.command_id}/approve`)).status, 202);
    const undone = await s.until(revert.body.command_id, 'succeeded');
    assert.equal(undone.command.action, 'unsuspend_user');
    const original = await s.until(id, 'reverted');
    assert.match(original.history.at(-1)!.message ?? '', new RegExp(`reverted by ${revert.body.command_id}`));
    assert.equal(user.status, 'ACTIVE');
    const twice = await s.call<ErrorBody>('POST', `/v1/governance/${id}/revert`);
    assert.equal(twice.status, 409);
    assert.match(twice.body.message, /is reverted; only a succeeded command can be reverted/);
  });

  test('a failed action can be retried through the API once its cause is fixed', async () => {
    const sim = await simulator('gov-e2e-retry');
    const s = await stack(sim);
    // Not an admin: governance protects admins (governance.protectPrivileged).
    const inactive = sim.state.users.slice(1).find((u) => u.status !== 'ACTIVE' && u.status !== 'SUSPENDED' && rolesOfUser(sim.state, u.id).length === 0)!;
    const asked = await s.call<{ command_id: string }>('POST', '/v1/governance', suspendBody(inactive));
    const failed = await s.until(asked.body.command_id, 'failed');
    assert.match(failed.command.message ?? '', new RegExp(`cannot suspend .*the user is ${inactive.status}`));
    inactive.status = 'ACTIVE';
    assert.equal((await s.call('POST', `/v1/governance/${asked.body.command_id}/retry`)).status, 202);
    const done = await s.until(asked.body.command_id, 'succeeded');
    assert.equal(done.history.at(-1)!.attempt, 2);
    assert.equal(inactive.status, 'SUSPENDED');
  });

  test('notify by email (SMTP relay) and by webhook, recorded like any other action', async () => {
    const mails: string[] = [];
    const relay = createServer((socket) => {
      socket.setEncoding('utf8');
      let buffer = '';
      let inData = false;
      socket.write('220 relay ready\r\n');
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        for (let i = 0; i < 100; i++) {
          if (inData) {
            const end = buffer.indexOf('\r\n.\r\n');
            if (end === -1) return;
            mails.push(buffer.slice(0, end));
            buffer = buffer.slice(end + 5);
            inData = false;
            socket.write('250 queued\r\n');
            continue;
          }
          const eol = buffer.indexOf('\r\n');
          if (eol === -1) return;
          const line = buffer.slice(0, eol).toUpperCase();
          buffer = buffer.slice(eol + 2);
          if (line.startsWith('DATA')) {
            inData = true;
            socket.write('354 go ahead\r\n');
          } else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => { relay.close(resolve); }));
    const posts: Array<Record<string, unknown>> = [];
    const hook = createHttpServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString(); });
      req.on('end', () => {
        posts.push(JSON.parse(text) as Record<string, unknown>);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => { hook.closeAllConnections(); hook.close(resolve); }));

    const sim = await simulator('gov-e2e-notify');
    const user = activeUser(sim);
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/notify`;
    const s = await stack(sim, {
      smtp: { host: '127.0.0.1', port: (relay.address() as AddressInfo).port, from: 'appwarden@example.com', heloName: 'appwarden.test', timeoutMs: 5000 },
      webhook: { url: hookUrl, timeoutMs: 5000 },
      // The user's domain and the webhook: notify writes to nobody else.
      allowedRecipients: [user.profile.login.split('@')[1]!, hookUrl],
      maxPerRecipientPerHour: 20,
    });
    const target = { type: 'user', id: user.id, name: user.profile.login };
    const email = await s.call<{ command_id: string }>('POST', '/v1/governance', {
      provider: 'okta', instance: 'main', action: 'notify', target, params: { subject: 'Unusual sign-in', message: 'Was this you?' },
    });
    const webhook = await s.call<{ command_id: string }>('POST', '/v1/governance', {
      provider: 'okta', instance: 'main', action: 'notify', target, params: { channel: 'webhook', message: 'suspicious' },
    });
    const mailed = await s.until(email.body.command_id, 'succeeded');
    assert.match(mailed.command.message ?? '', new RegExp(`emailed ${user.profile.login.replace('.', '\\.')}`));
    await s.until(webhook.body.command_id, 'succeeded');
    assert.equal(mails.length, 1);
    assert.match(mails[0]!, /^Subject: Unusual sign-in$/m);
    assert.match(mails[0]!, new RegExp(`^To: ${user.profile.login}`, 'm'));
    assert.match(mails[0]!, /Was this you\?/);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]!.command_id, webhook.body.command_id);
    assert.equal(posts[0]!.text, 'suspicious');
  });
});
