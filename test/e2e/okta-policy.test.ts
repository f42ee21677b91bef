import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import YAML from 'yaml';
import { startAppwarden, type RunningAppwarden } from '../../cli/start.js';
import { decode } from '../../schemas/registry.js';
import { eventId } from '../../schemas/event-id.js';
import type { Alert, AuditEvent } from '../../schemas/types.js';
import { rolesOfUser } from '../../simulators/okta/directory.js';
import { startOktaSimulator, type OktaSimulator, type OktaUser } from '../../simulators/okta/index.js';
import { freshDir, freshName } from '../support/fresh.js';
import { ADMIN_HEADERS, FAST_INSTANCE, testConfig, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { simulatorInstance } from '../support/simulators.js';

type Raw = Record<string, any>;
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const POLICY_ID = 'repeated-failed-logins';

/** The built-in repeated-failed-logins detection in enforce mode, suspending the user, in a folder of its own. */
function enforcingPolicyFolder(): string {
  const builtin = YAML.parse(readFileSync(new URL('../../policies/repeated-failed-logins.yaml', import.meta.url), 'utf8'), { merge: true }) as Raw;
  const dir = freshDir('appwarden-policies');
  const copy = { ...builtin, mode: 'enforce', providers: ['okta'], actions: [{ action: 'suspend_user' }] };
  writeFileSync(path.join(dir, 'repeated-failed-logins-enforce.yaml'), YAML.stringify(copy));
  return dir;
}

/** A sign-in of `user` as Okta's System Log records it, from the simulator's own events. */
function signIn(sim: OktaSimulator, user: OktaUser, at: number, outcome: 'SUCCESS' | 'FAILURE', where: { ip: string; city: string; country: string }): Raw {
  const template = (sim.eventsFor() as Raw[]).find((e) => e.eventType === 'user.session.start')!;
  const event = structuredClone(template);
  const place = { city: where.city, state: null, country: where.country, postalCode: null, geolocation: null };
  return {
    ...event,
    uuid: randomUUID(),
    published: new Date(at).toISOString(),
    actor: { id: user.id, type: 'User', alternateId: user.profile.login, displayName: `${user.profile.firstName} ${user.profile.lastName}`, detailEntry: null },
    client: { ...event.client, ipAddress: where.ip, geographicalContext: place },
    request: { ipChain: [{ ip: where.ip, geographicalContext: place, version: 'V4', source: null }] },
    outcome: outcome === 'SUCCESS' ? { result: 'SUCCESS', reason: null } : { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
  };
}

interface Command { command_id: string; status: string; action: string; policy_id: string | null; alert_id: string | null; target: { type: string; id: string } }

describe('Okta policies end to end: connector → audit topic → policy processor → alert + command → executor → Okta → account scan', () => {
  test('ten failed logins then a success from a new country: one alert, one suspend, the user suspended, the scan shows it, the log says succeeded', async () => {
    const sim = await startOktaSimulator({ log: testLog, seed: 'policy-e2e', users: 24, groups: 2, eventsPerDay: 50, days: 1 });
    cleanups.push(() => sim.close());
    const base = testConfig({ okta: { main: simulatorInstance('okta', sim, { schedule: { ...FAST_INSTANCE.schedule, accountsEveryMs: 1000 } }) } });
    const running: RunningAppwarden = await startAppwarden({
      config: { ...base, policies: { ...base.policies, builtins: false, folders: [enforcingPolicyFolder()], groupId: freshName('policy') } },
      log: testLog, progressIntervalMs: 60_000,
    });
    cleanups.push(() => running.stop());
    assert.deepEqual(running.policy!.activePolicies().map((p) => [p.id, p.source]), [[POLICY_ID, 'folder']]);
    const ch = running.clickhouse!;
    const call = async <T>(url: string) => {
      const res = await running.app!.inject({ url, headers: ADMIN_HEADERS });
      return { status: res.statusCode, body: res.json() as T };
    };

    // A user with no failed sign-in in the simulated history of the last hours, and no admin role
    // (governance never acts on an account that holds a privilege: governance.protectPrivileged).
    const now = Date.now();
    const user = sim.state.users.slice(1).find((u) => u.status === 'ACTIVE' && rolesOfUser(sim.state, u.id).length === 0
      && !(sim.eventsFor({ actorLogin: u.profile.login, since: now - 3 * 3_600_000 }) as Raw[]).some((e) => e.outcome?.result === 'FAILURE'))!;
    assert.ok(user, 'an active user without recent failures');
    await waitFor(async () => (await call<{ items: Array<{ status: string }> }>(`/v1/accounts?kind=user&subject_id=${user.id}`)).body.items[0]?.status === 'active',
      { what: 'the first account scan' });

    const home = { ip: '198.51.100.91', city: 'Austin', country: 'United States' };
    for (let i = 0; i < 10; i++) sim.addEvent(signIn(sim, user, now - 60_000 + i * 4000, 'FAILURE', home));
    const success = sim.addEvent(signIn(sim, user, now - 5000, 'SUCCESS', { ip: '203.0.113.50', city: 'São Paulo', country: 'Brazil' }));

    // One alert, counting the ten failures.
    const alertRows = () => ch.query<{ alert_id: string; count: number; title: string; actor_email: string; status: string }>(
      'SELECT alert_id, count, title, actor_email, status FROM alerts FINAL WHERE policy_id = {policy:String}', { policy: POLICY_ID });
    await waitFor(async () => (await alertRows()).some((a) => Number(a.count) === 10), { what: 'the alert in the alerts table' });
    // Everything up to the success is evaluated (stored by the sink, committed by the policy group) before counting alerts.
    await waitFor(async () => (await ch.query<{ n: number }>('SELECT count() AS n FROM activities FINAL WHERE event_id = {id:String}',
      { id: eventId('okta', 'main', success.uuid as string) }))[0]?.n === 1, { what: 'the successful sign-in stored' });
    const groupId = running.config.policies.groupId!;
    await waitFor(async () => (await running.bus.fetchLag(groupId, [running.bus.topics.audit])).every((p) => p.lag === 0), { what: 'the policy group caught up' });
    const rows = await alertRows();
    assert.equal(rows.length, 1, 'one alert, not eleven');
    assert.equal(Number(rows[0]!.count), 10);
    assert.equal(rows[0]!.actor_email, user.profile.login);
    assert.equal(rows[0]!.title, `${user.profile.login}: 10 failed logins in 10 minutes`);
    assert.equal(rows[0]!.status, 'open');
    const published = await readAlerts(running);
    assert.deepEqual([...new Set(published.filter((a) => a.policy_id === POLICY_ID).map((a) => a.alert_id))], [rows[0]!.alert_id]);

    // One suspend command, carried out: Okta has the user suspended, the governance log says succeeded.
    const command = await waitFor(async () => {
      const list = await call<{ items: Command[] }>(`/v1/governance?policy=${POLICY_ID}`);
      return list.body.items.length > 0 && list.body.items.every((c) => c.status === 'succeeded') ? list.body.items : null;
    }, { what: 'the suspend command succeeded' });
    assert.equal(command.length, 1);
    assert.equal(command[0]!.action, 'suspend_user');
    assert.equal(command[0]!.alert_id, rows[0]!.alert_id);
    assert.deepEqual(command[0]!.target, { ...command[0]!.target, type: 'user', id: user.id });
    assert.equal(user.status, 'SUSPENDED');
    const detail = await call<{ history: Array<{ status: string }> }>(`/v1/governance/${command[0]!.command_id}`);
    assert.deepEqual(detail.body.history.map((h) => h.status), ['pending', 'running', 'succeeded']);

    // The next account scan shows it, in the API and in the policy processor's enrichment.
    await waitFor(async () => {
      const res = await call<{ items: Array<{ status: string; status_raw: string }> }>(`/v1/accounts?kind=user&subject_id=${user.id}`);
      return res.body.items[0]?.status === 'suspended' && res.body.items[0].status_raw === 'SUSPENDED';
    }, { what: 'the account scan shows the user suspended' });
    const actor = { id: user.id, email: user.profile.login, name: null, type: 'user' } as const;
    await waitFor(() => running.policy!.accounts.actorAccount({ provider: 'okta', instance: 'main', actor } as AuditEvent)?.status === 'suspended',
      { what: 'the policy processor sees the account suspended' });
  });
});

/** Every alert published so far, read by a fresh consumer group. */
async function readAlerts(running: RunningAppwarden): Promise<Alert[]> {
  const [lag] = await running.bus.fetchLag(freshName('probe'), [running.bus.topics.alert]).then((l) => [l.reduce((n, p) => n + p.lag, 0)]);
  const alerts: Alert[] = [];
  const consumer = await running.bus.consume({
    groupId: freshName('alerts'), topics: [running.bus.topics.alert], fromBeginning: true, maxWaitTimeMs: 100,
    eachBatch: async (batch) => {
      for (const r of batch.records) alerts.push(decode(r.value!).record as Alert);
    },
  });
  try {
    await waitFor(() => alerts.length >= lag!, { what: 'the alert topic read' });
    return alerts;
  } finally {
    await consumer.stop();
  }
}
