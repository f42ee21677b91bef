import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLogger } from '../../core/logger.js';
import { simulatorFaults } from './faults.js';
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
