import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../core/logger.js';
import { cloudTrailContinuation } from '../aws/aws-errors.js';
import { boxContinuation } from '../box/box-errors.js';
import { dropboxContinuation } from '../dropbox/errors.js';
import { googleContinuation } from '../google-workspace/google-errors.js';
import { salesforceContinuation } from '../salesforce/errors.js';
import { simulatorFaults, type ContinuationContract } from './faults.js';
import { createHttpApp, startHttpServer } from './http-server.js';

const app = createHttpApp(createLogger({ level: 'silent' }));
app.get('/items', async (request) => ({ items: Array.from({ length: 50 }, (_, i) => ({ id: i })), next: (request.query as Record<string, string>).after ?? null }));
app.post('/users/:id/suspend', async () => ({ ok: true }));
const server = await startHttpServer(app);
after(() => server.close());
const faults = simulatorFaults(server.url)!;

test('every simulator app answers the armed faults: status, truncated JSON, reset mid-body, expired page token', async () => {
  assert.ok(faults, 'the app is found by its URL');
  faults.arm({ kind: 'status', status: 503 });
  assert.equal((await fetch(`${server.url}/items`)).status, 503);
  assert.equal((await fetch(`${server.url}/items`)).status, 200, 'one request only');

  faults.arm({ kind: 'truncate' });
  const truncated = await fetch(`${server.url}/items`);
  assert.equal(truncated.status, 200);
  await assert.rejects(truncated.json(), SyntaxError);

  faults.arm({ kind: 'reset' });
  await assert.rejects(fetch(`${server.url}/items`).then((r) => r.text()));

  faults.arm({ kind: 'expired_token' });
  assert.equal((await fetch(`${server.url}/items`)).status, 200, 'a first page carries no token');
  assert.equal((await fetch(`${server.url}/items?after=abc`)).status, 400);
  assert.equal(faults.pending(), 0);
  assert.deepEqual(faults.injected, { status: 1, hang: 0, reset: 1, truncate: 1, expired_token: 1 });
});

test('a hang serves the request (its effect happens) and holds the answer; writes are counted by path', async () => {
  faults.arm({ kind: 'hang', method: 'write', delayMs: 2000 });
  await assert.rejects(fetch(`${server.url}/users/u1/suspend`, { method: 'POST', signal: AbortSignal.timeout(300) }));
  assert.equal(faults.writes.get('POST /users/u1/suspend'), 1);
});

/** An app answering `routes` as the provider's simulator would not need to: only the fault's matching is under test. */
async function providerApp(continuation: ContinuationContract, routes: (app: FastifyInstance) => void) {
  const app = createHttpApp(createLogger({ level: 'silent' }), { continuation });
  routes(app);
  const running = await startHttpServer(app);
  after(() => running.close());
  return { url: running.url, faults: simulatorFaults(running.url)! };
}

test('CloudTrail: the NextToken of a LookupEvents JSON body is refused with 400 InvalidNextTokenException', async () => {
  const sim = await providerApp(cloudTrailContinuation, (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post('/', async () => ({ Events: [] }));
  });
  const lookup = (body: unknown) => fetch(`${sim.url}/`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' },
  });
  sim.faults.arm({ kind: 'expired_token' });
  assert.equal((await lookup({ StartTime: 1, EndTime: 2 })).status, 200, 'a first page carries no NextToken');
  assert.equal(sim.faults.pending(), 1);
  const refused = await lookup({ StartTime: 1, EndTime: 2, NextToken: 'abc' });
  assert.equal(refused.status, 400);
  assert.match(refused.headers.get('content-type') ?? '', /^application\/x-amz-json-1\.1/);
  assert.equal(((await refused.json()) as { __type: string }).__type, 'InvalidNextTokenException');
  assert.equal((await lookup({ StartTime: 1, EndTime: 2, NextToken: 'abc' })).status, 200, 'one refusal only');
});

test('Dropbox: the cursor of a /continue body is refused with 409: team_log reset (with the time to restart from), team lists invalid_cursor', async () => {
  const sim = await providerApp(dropboxContinuation, (app) => {
    for (const route of ['team_log/get_events', 'team_log/get_events/continue', 'team/members/list/continue_v2', 'team/linked_apps/list_members_linked_apps']) {
      app.post(`/2/${route}`, async () => ({ events: [], cursor: 'c', has_more: false }));
    }
  });
  const post = (route: string, body: unknown) => fetch(`${sim.url}/2/${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  sim.faults.arm({ kind: 'expired_token', count: 2 });
  assert.equal((await post('team_log/get_events', { limit: 5 })).status, 200);
  assert.equal((await post('team/linked_apps/list_members_linked_apps', { cursor: 'x' })).status, 200, 'a cursor outside a /continue route is not one');
  const cursor = Buffer.from(JSON.stringify({ k: 'team_log', s: Date.parse('2024-06-01T10:00:00Z') })).toString('base64url');
  const reset = await post('team_log/get_events/continue', { cursor });
  assert.equal(reset.status, 409);
  assert.deepEqual(await reset.json(), { error_summary: 'reset/...', error: { '.tag': 'reset', reset: '2024-06-01T10:00:00Z' } });
  const members = await post('team/members/list/continue_v2', { cursor: 'x' });
  assert.equal(members.status, 409);
  assert.deepEqual(await members.json(), { error_summary: 'invalid_cursor/...', error: { '.tag': 'invalid_cursor' } });
  assert.equal(sim.faults.injected.expired_token, 2);
});

test('Salesforce: the query locator in the nextRecordsUrl path is refused with 400 INVALID_QUERY_LOCATOR', async () => {
  const sim = await providerApp(salesforceContinuation, (app) => {
    app.get('/services/data/v62.0/query', async () => ({ done: false, records: [], nextRecordsUrl: '/services/data/v62.0/query/01gabc-200' }));
    app.get('/services/data/v62.0/query/:locator', async () => ({ done: true, records: [] }));
  });
  sim.faults.arm({ kind: 'expired_token' });
  assert.equal((await fetch(`${sim.url}/services/data/v62.0/query?q=SELECT+Id+FROM+LoginHistory`)).status, 200, 'the query itself carries no locator');
  const refused = await fetch(`${sim.url}/services/data/v62.0/query/01gabc-200`);
  assert.equal(refused.status, 400);
  assert.deepEqual(await refused.json(), [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
});

test('Google: a pageToken query parameter is refused with 400 invalid, naming the parameter', async () => {
  const sim = await providerApp(googleContinuation, (app) => app.get('/activity', async () => ({ items: [] })));
  sim.faults.arm({ kind: 'expired_token' });
  const refused = await fetch(`${sim.url}/activity?maxResults=5&pageToken=abc`);
  assert.equal(refused.status, 400);
  const body = (await refused.json()) as { error: { code: number; errors: Array<{ reason: string; location: string }> } };
  assert.deepEqual([body.error.code, body.error.errors[0]!.reason, body.error.errors[0]!.location], [400, 'invalid', 'pageToken']);
});

test("Google: Drive's changes feed token is a pageToken too; pageSize is not a continuation", async () => {
  const sim = await providerApp(googleContinuation, (app) => app.get('/drive/v3/changes', async () => ({ changes: [] })));
  sim.faults.arm({ kind: 'expired_token' });
  assert.equal((await fetch(`${sim.url}/drive/v3/changes?pageSize=100`)).status, 200, 'a first page with a page size carries no token');
  const refused = await fetch(`${sim.url}/drive/v3/changes?pageSize=100&supportsAllDrives=true&pageToken=42`);
  assert.equal(refused.status, 400);
  const body = (await refused.json()) as { error: { message: string; errors: Array<{ reason: string; location: string; locationType: string }> } };
  assert.deepEqual([body.error.message, body.error.errors[0]!.reason, body.error.errors[0]!.location, body.error.errors[0]!.locationType], ['Invalid Value', 'invalid', 'pageToken', 'parameter']);
});

test("Box: the event stream's stream_position is refused with 400 bad_request naming it; now and created_after are not continuations", async () => {
  const sim = await providerApp(boxContinuation, (app) => app.get('/2.0/events', async () => ({ entries: [] })));
  sim.faults.arm({ kind: 'expired_token' });
  assert.equal((await fetch(`${sim.url}/2.0/events?stream_type=admin_logs_streaming&stream_position=now`)).status, 200);
  assert.equal((await fetch(`${sim.url}/2.0/events?stream_type=admin_logs&created_after=2024-06-01T00:00:00Z`)).status, 200);
  const refused = await fetch(`${sim.url}/2.0/events?stream_type=admin_logs_streaming&stream_position=1152922976252290886&limit=100`);
  assert.equal(refused.status, 400);
  const body = (await refused.json()) as { code: string; context_info: { errors: Array<{ reason: string; name: string }> } };
  assert.deepEqual([body.code, body.context_info.errors[0]!.reason, body.context_info.errors[0]!.name], ['bad_request', 'invalid_parameter', 'stream_position']);
});
