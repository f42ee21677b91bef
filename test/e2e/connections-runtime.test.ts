import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { startAppwarden, type RunningAppwarden } from '../../cli/start.js';
import { startOktaSimulator } from '../../simulators/okta/index.js';
import { ADMIN_HEADERS, FAST_INSTANCE, testConfig, testLog } from '../support/stack.js';
import { registerTestSecrets } from '../support/test-output.js';
import { waitFor } from '../support/wait-for.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Status { provider: string; instance: string; health: string; phase: string; streams: Array<{ stream: string; kind: string; lastSuccessAt: string | null }> }

test('connections at run time: add, see it scan, rotate credentials, pause and resume, scan now, restart, disconnect', async () => {
  const sim = await startOktaSimulator({ log: testLog, seed: 'runtime-connections', users: 6, groups: 2, eventsPerDay: 200, days: 1, live: false });
  cleanups.push(() => sim.close());
  const secretsKey = randomBytes(32).toString('base64url');
  const wrongToken = `00${randomBytes(20).toString('hex')}`;
  registerTestSecrets([sim.token, secretsKey, wrongToken]);
  const env = { ...process.env, OKTA_LIVE_TOKEN: wrongToken, APPWARDEN_SECRETS_KEY: secretsKey };
  const config = testConfig({});
  const answers: string[] = [];

  let running: RunningAppwarden = await startAppwarden({ config, log: testLog, env, progressIntervalMs: 60_000 });
  cleanups.push(() => running.stop());
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = ADMIN_HEADERS) => {
    const res = await running.app!.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
    answers.push(res.body);
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const status = async (): Promise<Status | undefined> => ((await call('GET', '/v1/connectors')).body.items as Status[]).find((s) => s.instance === 'live');
  const stored = async (table: string) => (await running.clickhouse!.query<{ n: number }>(`SELECT count() AS n FROM ${table} FINAL WHERE instance = 'live'`))[0]!.n;

  // Only an admin connects; bad settings are a 400 naming the setting.
  const analyst = await running.keys!.create({ name: 'ana', role: 'analyst' });
  const settings = { ...FAST_INSTANCE, orgUrl: sim.url, token: { env: 'OKTA_LIVE_TOKEN' } };
  assert.equal((await call('POST', '/v1/connectors', { provider: 'okta', instance: 'live', settings }, { authorization: `Bearer ${analyst.key}` })).status, 403);
  const bad = await call('POST', '/v1/connectors', { provider: 'okta', instance: 'live', settings: { ...settings, orgUrl: 'http://example.com' } });
  assert.equal(bad.status, 400);
  assert.match(String(bad.body.message), /body\.settings\.orgUrl/);
  const noProvider = await call('POST', '/v1/connectors', { provider: 'nope', instance: 'live', settings });
  assert.equal(noProvider.status, 400);
  assert.match(String(noProvider.body.message), /provider/);
  assert.equal((await call('POST', '/v1/connectors', { provider: 'okta', instance: 'Live!', settings })).status, 400);

  // Added with a token from the environment that the provider refuses: the instance runs, in error.
  const created = await call('POST', '/v1/connectors', { provider: 'okta', instance: 'live', settings });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual((created.body.settings as Record<string, unknown>).token, { env: 'OKTA_LIVE_TOKEN' });
  assert.equal((await call('POST', '/v1/connectors', { provider: 'okta', instance: 'live', settings })).status, 409);
  await waitFor(async () => (await status())?.health === 'error', { what: 'the instance in error with a refused token' });
  assert.equal((await call('POST', '/v1/connectors/okta/live/test', {})).body.ok, false);

  // Credentials rotated to the right token, given inline: kept encrypted, never answered; the instance scans.
  const rotated = await call('PATCH', '/v1/connectors/okta/live', { settings: { token: sim.token } });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  assert.equal((rotated.body.settings as Record<string, unknown>).token, '[encrypted]');
  await waitFor(async () => (await status())?.health === 'connected', { what: 'connected after the rotation' });
  await waitFor(async () => (await stored('accounts')) > 0 && (await stored('activities')) > 0, { what: 'accounts and activities of the new instance stored', timeoutMs: 60_000 });
  const test1 = await call('POST', '/v1/connectors/okta/live/test', {});
  assert.equal(test1.body.ok, true, JSON.stringify(test1.body));

  // Scan now: the account scan runs again although its schedule says in an hour.
  const accountsScan = async () => (await status())?.streams.find((s) => s.kind === 'snapshot' && s.stream === 'accounts')?.lastSuccessAt ?? null;
  await waitFor(async () => (await accountsScan()) !== null, { what: 'the first account scan' });
  const before = await accountsScan();
  const scan = await call('POST', '/v1/connectors/okta/live/scan', { kinds: ['accounts'] });
  assert.equal(scan.status, 202, JSON.stringify(scan.body));
  await waitFor(async () => (await accountsScan()) !== before, { what: 'the account scan asked for' });

  // Pause and resume; a schedule change on the way.
  assert.equal((await call('PATCH', '/v1/connectors/okta/live', { state: 'paused' })).status, 200);
  await waitFor(async () => (await status())?.health === 'paused', { what: 'paused' });
  assert.equal((await call('POST', '/v1/connectors/okta/live/scan', {})).status, 404, 'a paused instance does not scan');
  const resumed = await call('PATCH', '/v1/connectors/okta/live', { state: 'active', settings: { schedule: { activitiesEveryMs: 500 } } });
  assert.equal(resumed.status, 200);
  assert.equal(((resumed.body.settings as { schedule: { activitiesEveryMs: number } }).schedule).activitiesEveryMs, 500);
  await waitFor(async () => (await status())?.health === 'connected', { what: 'connected again after resume' });

  // A restart of the process finds the connection, decrypts its token and runs it.
  await running.stop();
  running = await startAppwarden({ config, log: testLog, env, progressIntervalMs: 60_000 });
  const after = await call('GET', '/v1/connectors/okta/live');
  assert.equal(after.status, 200);
  assert.equal((after.body.settings as Record<string, unknown>).token, '[encrypted]');
  await waitFor(async () => (await status())?.health === 'connected', { what: 'connected after the restart' });

  // Disconnect, keeping the data; then the connection is gone from this process and stays so.
  const activitiesBefore = await stored('activities');
  const gone = await call('DELETE', '/v1/connectors/okta/live');
  assert.equal(gone.status, 200, JSON.stringify(gone.body));
  await waitFor(async () => (await status())?.health === 'disconnected', { what: 'disconnected' });
  assert.equal((await call('POST', '/v1/connectors/okta/live/test', {})).status, 404);
  assert.ok(await stored('activities') >= activitiesBefore, 'the data is kept');

  // Every change is in the audit trail, with who made it.
  await waitFor(async () => {
    const rows = await running.clickhouse!.query<{ action: string }>("SELECT action FROM audit_trail WHERE action LIKE '% /v1/connectors%'");
    const actions = new Set(rows.map((r) => r.action));
    return ['POST /v1/connectors', 'PATCH /v1/connectors/:provider/:instance', 'DELETE /v1/connectors/:provider/:instance', 'POST /v1/connectors/:provider/:instance/scan'].every((a) => actions.has(a));
  }, { what: 'the connection changes in the audit trail' });

  for (const body of answers) {
    assert.equal(body.includes(sim.token), false, 'no answer holds the token');
    assert.equal(body.includes(wrongToken), false, 'no answer holds the env token');
  }
});
