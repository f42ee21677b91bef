/**
 * ServiceNow end to end, two instances side by side (production in UTC with basic auth,
 * sub-production in America/Los_Angeles with an OAuth password grant): every cell of the ServiceNow
 * column from the simulator through the connector, Kafka and the sink to ClickHouse and the API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventId } from '../../schemas/event-id.js';
import { startServiceNowSimulator, type Row, type ServiceNowSimulator } from '../../simulators/servicenow/index.js';
import { expectedActivityRows, serviceNowSettings } from '../contract/fixtures/servicenow.js';
import { connectorStatus, eventIds, storedIds } from '../contract/support.js';
import { CONNECTORS } from '../../ingestors/registry.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { ADMIN_HEADERS, FAST_INSTANCE, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const definition = CONNECTORS.get('servicenow')!;
const cleanups: Array<() => Promise<unknown>> = [];
let prod: ServiceNowSimulator;
let subprod: ServiceNowSimulator;
let s: TestStack;

interface AccountItem { kind: string; subject: { id: string; name: string | null }; status: string | null; privilege: { name: string | null } | null; app: { id: string } | null; group: { id: string } | null }
const accounts = async (instance: string, kind: string) =>
  (await s.api<{ items: AccountItem[] }>(`/v1/accounts?provider=servicenow&instance=${instance}&kind=${kind}&limit=1000`)).body.items;
const rows = (sim: ServiceNowSimulator, table: string) => sim.instance.tables.get(table)!;
const everyActivity = (sim: ServiceNowSimulator, instance: string) => waitFor(async () => {
  const expected = [...new Set(eventIds(definition, expectedActivityRows(sim), instance))].sort();
  const stored = await storedIds(s, 'servicenow', instance);
  return stored.length === expected.length && stored.every((id, i) => id === expected[i]) ? expected : null;
}, { what: `every servicenow.${instance} activity stored`, timeoutMs: 120_000 });

before(async () => {
  prod = await startServiceNowSimulator({ log: testLog, seed: 'e2e-prod', users: 12, groups: 3, eventsPerDay: 80, days: 1, timeZone: 'UTC' });
  cleanups.push(() => prod.close());
  subprod = await startServiceNowSimulator({ log: testLog, seed: 'e2e-subprod', users: 8, groups: 2, eventsPerDay: 60, days: 1, timeZone: 'America/Los_Angeles' });
  cleanups.push(() => subprod.close());
  s = await startTestStack({
    servicenow: {
      prod: { ...FAST_INSTANCE, ...serviceNowSettings(prod, 'basic'), pageSize: 25 },
      subprod: { ...FAST_INSTANCE, ...serviceNowSettings(subprod, 'oauth_password'), pageSize: 25, schedule: { ...FAST_INSTANCE.schedule, permissionsRecheckMs: 1000 } },
    },
  });
  cleanups.push(() => s.stop());
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('ServiceNow: two instances end to end', () => {
  test('logon, user and admin activity of both instances, each time read in its own zone', async () => {
    const mine = await everyActivity(prod, 'prod');
    const theirs = await everyActivity(subprod, 'subprod');
    assert.ok(!theirs.some((id) => mine.includes(id)), 'no event shared between the instances');
    for (const [sim, instance] of [[prod, 'prod'], [subprod, 'subprod']] as const) {
      const byCategory = await s.clickhouse.query<{ category: string; n: number | string }>(
        "SELECT category, count() AS n FROM activities FINAL WHERE provider = 'servicenow' AND instance = {instance:String} GROUP BY category", { instance });
      const categories = new Map(byCategory.map((r) => [r.category, Number(r.n)]));
      for (const c of ['logon', 'user', 'admin']) assert.ok((categories.get(c) ?? 0) > 0, `${instance} has ${c} activity`);
      // The API shows the instant the simulator recorded, whatever zone the instance writes it in.
      const login = sim.instance.rows('sysevent')!.find((r) => r.name === 'login.failed')!;
      const id = eventId('servicenow', instance, `sysevent:${String(login.sys_id)}`);
      const found = await s.api<{ items: Array<{ event_id: string; occurred_at: string; outcome: string; actor: { name: string }; source: { ip: string } }> }>(
        `/v1/activities?provider=servicenow&instance=${instance}&user=${encodeURIComponent(String(login.parm1))}&from=${new Date(Number(login.sys_created_on) - 1000).toISOString()}&to=${new Date(Number(login.sys_created_on) + 1000).toISOString()}&limit=100`);
      const item = found.body.items.find((i) => i.event_id === id);
      assert.ok(item, `${instance}: the failed sign-in is queryable by user and time`);
      assert.deepEqual([item.occurred_at, item.outcome, item.actor.name, item.source.ip],
        [new Date(Number(login.sys_created_on)).toISOString(), 'failure', String(login.parm1), String(login.parm2)]);
    }
    const la = subprod.served('sysevent')[0]!;
    assert.notEqual(String(la.sys_created_on), new Date(Number(subprod.instance.rows('sysevent')![0]!.sys_created_on)).toISOString().slice(0, 19).replace('T', ' '),
      'the sub-production instance writes local (Los Angeles) times, not UTC');
  });

  test('accounts, groups, memberships, admin-grade roles as privileges and OAuth tokens', async () => {
    for (const [sim, instance] of [[prod, 'prod'], [subprod, 'subprod']] as const) {
      const roleName = (a: Row) => String(rows(sim, 'sys_user_role').find((r) => r.sys_id === a.role)?.name);
      const admin = rows(sim, 'sys_user_has_role').filter((a) => ['admin', 'security_admin', 'user_admin', 'oauth_admin', 'impersonator', 'web_service_admin'].includes(roleName(a)));
      await waitFor(async () => (await accounts(instance, 'app_grant')).length === rows(sim, 'oauth_credential').length
        && (await accounts(instance, 'privilege')).length === admin.length && (await accounts(instance, 'membership')).length === rows(sim, 'sys_user_grmember').length,
      { what: `${instance} accounts scanned`, timeoutMs: 120_000 });
      const users = await accounts(instance, 'user');
      assert.equal(users.length, rows(sim, 'sys_user').length);
      const inactive = rows(sim, 'sys_user').find((u) => u.active === 'false');
      if (inactive) assert.equal(users.find((u) => u.subject.id === inactive.sys_id)?.status, 'suspended');
      assert.equal((await accounts(instance, 'group')).length, rows(sim, 'sys_user_group').length);
      const privileges = await accounts(instance, 'privilege');
      assert.ok(privileges.length > 0 && privileges.every((p) => p.privilege?.name !== 'itil'), 'only admin-grade roles are privileges');
    }
  });

  test('attachments: the periodic scan, then a new one arrives by polling sys_updated_on', async () => {
    const files = () => s.clickhouse.query<{ file_id: string; path: string; change: string }>(
      "SELECT file_id, path, change FROM files FINAL WHERE provider = 'servicenow' AND instance = 'subprod'");
    const attachments = rows(subprod, 'sys_attachment');
    await waitFor(async () => (await files()).length === attachments.length, { what: 'the attachments scanned', timeoutMs: 120_000 });
    const first = attachments[0]!;
    assert.equal((await files()).find((f) => f.file_id === first.sys_id)?.path, `/${String(first.table_name)}/${String(first.table_sys_id)}/${String(first.file_name)}`);
    // The scan runs every hour: only the change feed can bring this one in.
    const now = Math.floor(Date.now() / 1000) * 1000 + 1000;
    const added: Row = { ...first, sys_id: subprod.instance.newId(), file_name: 'new-evidence.txt', sys_created_on: now, sys_updated_on: now };
    attachments.push(added);
    const arrived = await waitFor(async () => (await files()).find((f) => f.file_id === added.sys_id), { what: 'the new attachment stored', timeoutMs: 60_000 });
    assert.equal(arrived.change, 'created');
  });

  test('governance: lock a user out and revert it, through the API', async () => {
    const user = rows(prod, 'sys_user').slice(2).find((u) => u.active === 'true' && u.locked_out === 'false')!;
    const post = async <T>(url: string, payload: object) => (await s.app!.inject({ method: 'POST', url, payload, headers: ADMIN_HEADERS })).json() as T;
    const settled = (id: string, status: string) => waitFor(async () => {
      const res = (await s.app!.inject({ url: `/v1/governance/${id}`, headers: ADMIN_HEADERS })).json() as { command: { status: string; message: string } };
      return res.command.status === status ? res.command : null;
    }, { what: `command ${status}`, timeoutMs: 60_000 });
    const asked = await post<{ command_id: string }>('/v1/governance', {
      provider: 'servicenow', instance: 'prod', action: 'suspend_user', target: { type: 'user', id: String(user.user_name) }, params: { mode: 'lock_out' },
    });
    await settled(asked.command_id, 'succeeded');
    assert.deepEqual([user.locked_out, user.active], ['true', 'true'], 'locked out, not deactivated');
    const audited = prod.instance.rows('sys_audit')!.some((a) => a.documentkey === user.sys_id && a.fieldname === 'locked_out' && a.newvalue === 'true');
    assert.ok(audited, 'the instance audited the change');
    const reverted = await post<{ command_id: string }>(`/v1/governance/${asked.command_id}/revert`, {});
    await settled(reverted.command_id, 'succeeded');
    assert.equal(user.locked_out, 'false');
  });

  test('throttling: rate limit rule and transaction quota answers are waited out; a refused table shows its missing permission and resumes', async () => {
    prod.throttleNext(3);
    prod.quotaNext(2);
    const who = String(rows(prod, 'sys_user')[3]!.user_name);
    const row = prod.addActivity('sysevent', { sys_created_on: Math.floor(Date.now() / 1000) * 1000, name: 'login', parm1: who, parm2: '10.1.1.1', queue: '' });
    await waitFor(async () => (await storedIds(s, 'servicenow', 'prod')).includes(eventId('servicenow', 'prod', `sysevent:${String(row.sys_id)}`)), { what: 'the event after throttling', timeoutMs: 60_000 });
    assert.ok(prod.instance.counters.throttled >= 3 && prod.instance.counters.quotaCancelled >= 2);
    const st = await connectorStatus(s, 'servicenow', 'prod');
    assert.ok(st.http.throttled >= 5 && st.http.throttleWaitMs > 0, JSON.stringify(st.http));
    assert.equal((await connectorStatus(s, 'servicenow', 'subprod')).http.throttled, 0, 'the other instance never waited');

    subprod.deny('sys_audit.read');
    type Status = { credentials: { missing: Array<{ capability: string; reason: string }> } | null };
    const missing = async () => (await s.api<{ items: Array<Status & { instance: string }> }>('/v1/connectors')).body.items.find((i) => i.instance === 'subprod')?.credentials?.missing ?? [];
    const refused = await waitFor(async () => ((await missing()).length > 0 ? await missing() : null), { what: 'sys_audit refused', timeoutMs: 60_000 });
    assert.deepEqual(refused.map((m) => m.capability), ['activities:admin']);
    assert.match(refused[0]!.reason, /sys_audit\.read/);
    subprod.allow('sys_audit.read');
    await waitFor(async () => (await missing()).length === 0, { what: 'sys_audit granted again', timeoutMs: 60_000 });
  });
});
