import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startAppwarden } from '../../cli/start.js';
import { ACCOUNTS, ACTIVITIES, FILES } from '../../processors/sink/catalogue/index.js';
import { FULL_RECORDS } from '../../schemas/testdata/sample-records.js';
import type { AccountEvent, AuditEvent, FileEvent } from '../../schemas/types.js';
import { startBoxSimulator } from '../../simulators/box/index.js';
import { simulatorInstance } from '../support/simulators.js';
import { ADMIN_HEADERS, testConfig, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const HOUR = 3_600_000;

/** What a Box instance brings in: activities (naming a file and a person), users, app grants and files. */
function dataOf(instance: string, t0: number): { activities: AuditEvent[]; accounts: AccountEvent[]; files: FileEvent[] } {
  const activity = FULL_RECORDS['audit-event'];
  const account = FULL_RECORDS['account-event'];
  const file = FULL_RECORDS['file-event'];
  return {
    activities: Array.from({ length: 5 }, (_, i) => ({
      ...activity, provider: 'box', instance, event_id: `${instance}-e${i}`, occurred_at: t0 + i * 1000, ingested_at: t0 + HOUR,
      targets: [{ type: 'file', type_raw: 'file', id: 'f-shared', name: 'plan.xlsx', email: null }, ...activity.targets],
    })),
    accounts: [
      { ...account, provider: 'box', instance, record_id: `${instance}-user`, kind: 'user', app: null },
      { ...account, provider: 'box', instance, record_id: `${instance}-grant`, kind: 'app_grant', deleted: false },
    ],
    files: [{ ...file, provider: 'box', instance, record_id: `${instance}-file` }],
  };
}

test('disconnect with purge deletes that instance\'s activities, accounts, app grants and files, and nothing of another; audited; admins only', async () => {
  const sim = await startBoxSimulator({ log: testLog, seed: 'purge' });
  cleanups.push(() => sim.close());
  // Two instances of the configuration file; this process runs no connector: what is stored is what the test writes.
  const config = testConfig({ box: { gone: simulatorInstance('box', sim), kept: simulatorInstance('box', sim) } });
  const running = await startAppwarden({ config, log: testLog, roles: ['api', 'sink'] });
  cleanups.push(() => running.stop());
  const ch = running.clickhouse!;
  const t0 = Date.now() - 2 * HOUR;
  for (const instance of ['gone', 'kept']) {
    const data = dataOf(instance, t0);
    await ch.insertRecords(ACTIVITIES.name, data.activities, ACTIVITIES);
    await ch.insertRecords(ACCOUNTS.name, data.accounts, ACCOUNTS);
    await ch.insertRecords(FILES.name, data.files, FILES);
  }
  const counts = async (instance: string) => {
    const n = async (sql: string) => (await ch.query<{ n: number }>(sql, { instance }))[0]!.n;
    return {
      activities: await n("SELECT count() AS n FROM activities WHERE provider = 'box' AND instance = {instance:String}"),
      users: await n("SELECT count() AS n FROM accounts WHERE provider = 'box' AND instance = {instance:String} AND kind = 'user'"),
      grants: await n("SELECT count() AS n FROM accounts WHERE provider = 'box' AND instance = {instance:String} AND kind = 'app_grant'"),
      files: await n("SELECT count() AS n FROM files WHERE provider = 'box' AND instance = {instance:String}"),
      subjects: await n("SELECT count() AS n FROM activity_subjects WHERE provider = 'box' AND instance = {instance:String}"),
      versions: await n("SELECT count() AS n FROM activity_versions WHERE startsWith(event_id, concat({instance:String}, '-e'))"),
    };
  };
  const stored = { activities: 5, users: 1, grants: 1, files: 1, subjects: 5 * 5, versions: 5 };
  assert.deepEqual(await counts('gone'), stored);
  assert.deepEqual(await counts('kept'), stored);

  const del = (headers: Record<string, string>) => running.app!.inject({ method: 'DELETE', url: '/v1/connectors/box/gone?purge=true', headers });
  const analyst = await running.keys!.create({ name: 'ana', role: 'analyst' });
  const responder = await running.keys!.create({ name: 'res', role: 'responder' });
  for (const key of [analyst.key, responder.key]) assert.equal((await del({ authorization: `Bearer ${key}` })).statusCode, 403);
  assert.deepEqual(await counts('gone'), stored, 'a refused purge deletes nothing');

  const res = await del(ADMIN_HEADERS);
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { provider: 'box', instance: 'gone', state: 'disconnected', purged: true });
  assert.deepEqual(await counts('gone'), { activities: 0, users: 0, grants: 0, files: 0, subjects: 0, versions: 0 });
  assert.deepEqual(await counts('kept'), stored, 'the other instance keeps everything');

  // Through the API too: the purged instance has nothing left; the other still has its file's timeline.
  const get = async (url: string) => {
    const r = await running.app!.inject({ method: 'GET', url, headers: ADMIN_HEADERS });
    assert.equal(r.statusCode, 200, r.body);
    return (r.json() as { items: Array<{ instance: string }> }).items;
  };
  const range = `from=${new Date(t0 - HOUR).toISOString()}&to=${new Date(t0 + HOUR).toISOString()}`;
  assert.deepEqual(await get(`/v1/activities?provider=box&instance=gone&${range}`), []);
  assert.deepEqual((await get(`/v1/timelines/files/f-shared?provider=box&${range}`)).map((e) => e.instance), Array(5).fill('kept'));
  assert.deepEqual((await get('/v1/files?provider=box')).map((f) => f.instance), ['kept']);
  assert.deepEqual((await get('/v1/grants?provider=box')).map((g) => g.instance), ['kept']);

  // Audited, with who did it.
  const trail = await waitFor(async () => {
    const rows = await ch.query<{ actor_role: string; summary: string; status: number }>(
      "SELECT actor_role, summary, status FROM audit_trail WHERE action = 'DELETE /v1/connectors/:provider/:instance' ORDER BY at");
    return rows.some((r) => r.status === 200) ? rows : null;
  }, { what: 'the purge in the audit trail' });
  const done = trail.find((r) => r.status === 200)!;
  assert.equal(done.actor_role, 'admin');
  assert.match(done.summary, /disconnected box\.gone, data purged/);
});
