import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { allowedHostNames } from './auth/guard.js';
import { ROLES, roleBelow, type Role } from './auth/roles.js';
import { roleKeys, bearer, type TestKeyName } from '../test/support/auth.js';
import { startTestStack, type TestStack } from '../test/support/appwarden.js';
import { testLog } from '../test/support/stack.js';
import { waitFor } from '../test/support/wait-for.js';

type Operation = { 'x-required-role'?: string; security?: unknown[] };
type Document = { paths: Record<string, Record<string, Operation>> };

let stack: TestStack;
let app: FastifyInstance;
let key: (name: TestKeyName) => string;
const WRITES = new Set(['post', 'put', 'patch', 'delete']);
const JSON_BODY = { 'content-type': 'application/json' };

before(async () => {
  stack = await startTestStack({}, ['sink', 'api']);
  app = stack.app!;
  key = await roleKeys(stack.keys!);
});

after(async () => {
  await stack?.stop();
});

/** A URL for a documented path: ids that match their patterns (and name nothing). */
function concrete(path: string): string {
  return path.replace('{id}', '0'.repeat(32)).replace('{fingerprint}', '0123456789abcdef');
}

async function send(method: string, path: string, who: TestKeyName | null) {
  return app.inject({
    method: method.toUpperCase() as 'GET', url: concrete(path),
    headers: { ...(who ? bearer(key(who)) : {}), ...(WRITES.has(method) ? JSON_BODY : {}) },
    ...(WRITES.has(method) && method !== 'delete' ? { payload: {} } : {}),
  });
}

describe('who may do what: a walk over every route of the OpenAPI document', () => {
  test('every route declares its role; without a key it is refused (401), with the role below it too (403), with its role it gets in', async () => {
    const res = await app.inject({ url: '/docs/json' });
    assert.equal(res.statusCode, 200, '/docs/json is open');
    const doc = res.json() as Document & { components: { securitySchemes: Record<string, unknown> } };
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', description: 'an API key (appwarden keys create) or an OIDC token' });
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    assert.ok(operations.length >= 25, `the walk covers every route (${operations.length})`);
    const walked: string[] = [];
    for (const { path, method, op } of operations) {
      const name = `${method.toUpperCase()} ${path}`;
      const role = op['x-required-role'];
      assert.ok(role, `${name} declares its role`);
      if (role === 'public') {
        assert.ok(['/healthz', '/readyz'].includes(path), `${name} is public`);
        assert.notEqual((await send(method, path, null)).statusCode, 401);
        continue;
      }
      assert.ok((ROLES as readonly string[]).includes(role), `${name}: ${role}`);
      assert.deepEqual(op.security, [{ bearerAuth: [] }], `${name} shows the bearer scheme`);
      const anonymous = await send(method, path, null);
      assert.equal(anonymous.statusCode, 401, `${name} without a key`);
      assert.equal(anonymous.json().code, 'AW_UNAUTHENTICATED');
      const forged = await app.inject({ method: method.toUpperCase() as 'GET', url: concrete(path), headers: { authorization: 'Bearer awk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', ...JSON_BODY }, ...(WRITES.has(method) && method !== 'delete' ? { payload: {} } : {}) });
      assert.equal(forged.statusCode, 401, `${name} with an unknown key`);
      const below = roleBelow(role as Role);
      if (below) {
        const refused = await send(method, path, below);
        assert.equal(refused.statusCode, 403, `${name} as ${below}`);
        assert.equal(refused.json().code, 'AW_FORBIDDEN');
      }
      const admitted = await send(method, path, role as Role);
      assert.ok(![401, 403].includes(admitted.statusCode), `${name} as ${role}: ${admitted.statusCode} ${admitted.body}`);
      walked.push(`${name} ${role}`);
    }
    for (const expected of [
      'GET /v1/activities analyst', 'PUT /v1/policies/{id} policy-author', 'POST /v1/policies/backtest policy-author', 'PATCH /v1/alerts/{id} responder',
      'POST /v1/governance/{id}/approve responder', 'POST /v1/governance responder', 'POST /v1/keys admin', 'DELETE /v1/keys/{id} admin',
      'GET /v1/audit-trail admin', 'POST /v1/policies/{id}/approve admin',
    ]) assert.ok(walked.includes(expected), expected);
  });
});

describe('browser safety', () => {
  test('CSRF: a change without a JSON body is refused: no body, a form, text/plain, multipart', async () => {
    const admin = bearer(key('admin'));
    const cases = [
      { method: 'POST', url: `/v1/governance/${'0'.repeat(32)}/approve`, headers: admin },
      { method: 'POST', url: '/v1/governance', headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'provider=okta&instance=main&action=suspend_user' },
      { method: 'PATCH', url: `/v1/alerts/${'0'.repeat(32)}`, headers: { ...admin, 'content-type': 'text/plain' }, payload: '{"status":"dismissed"}' },
      { method: 'PUT', url: '/v1/policies/x', headers: { ...admin, 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--' },
      { method: 'POST', url: '/v1/keys', headers: { ...admin, 'content-type': 'text/plain' }, payload: '{"name":"evil","role":"admin"}' },
    ] as const;
    for (const c of cases) {
      const res = await app.inject(c as never);
      assert.equal(res.statusCode, 415, `${c.method} ${c.url} ${c.headers['content-type' as never] ?? 'no body'}`);
      assert.equal(res.json().code, 'AW_UNSUPPORTED_MEDIA_TYPE');
    }
    const empty = await app.inject({ method: 'POST', url: `/v1/governance/${'0'.repeat(32)}/approve`, headers: { ...admin, ...JSON_BODY } });
    assert.equal(empty.statusCode, 400, 'a JSON content-type with no body');
    assert.equal(stack.keys!.list().some((k) => k.name === 'evil'), false);
  });

  test('DNS rebinding: a Host that is not ours is refused (421), on every route; ours are answered', async () => {
    for (const url of ['/healthz', '/docs/json', '/v1/activities']) {
      const res = await app.inject({ url, headers: { host: 'attacker.example:8080', ...bearer(key('admin')) } });
      assert.equal(res.statusCode, 421, url);
      assert.equal(res.json().code, 'AW_MISDIRECTED');
    }
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:8080', 'LOCALHOST']) {
      assert.equal((await app.inject({ url: '/healthz', headers: { host } })).statusCode, 200, host);
    }
  });

  test('CORS is off unless configured; a configured origin is answered, no other', async () => {
    const plain = await app.inject({ url: '/v1/activities', headers: { origin: 'https://evil.example', ...bearer(key('analyst')) } });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
    const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/governance', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.equal(preflight.headers['access-control-allow-methods'], undefined);

    const withCors = await buildApp({
      clickhouse: stack.clickhouse, log: testLog, maxPageSize: 100, bus: stack.bus,
      security: {
        authentication: true, keys: stack.keys, allowedHosts: allowedHostNames('0.0.0.0', ['appwarden.example.com']),
        corsOrigins: ['https://console.example.com'], rawAccessRoles: ['admin'],
      },
    });
    try {
      const host = { host: 'appwarden.example.com' };
      const ok = await withCors.inject({ method: 'OPTIONS', url: '/v1/governance', headers: { ...host, origin: 'https://console.example.com', 'access-control-request-method': 'POST' } });
      assert.equal(ok.statusCode, 204);
      assert.equal(ok.headers['access-control-allow-origin'], 'https://console.example.com');
      assert.match(String(ok.headers['access-control-allow-headers']), /authorization/);
      const other = await withCors.inject({ method: 'OPTIONS', url: '/v1/governance', headers: { ...host, origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      const get = await withCors.inject({ url: '/v1/activities', headers: { ...host, origin: 'https://console.example.com', ...bearer(key('analyst')) } });
      assert.equal(get.headers['access-control-allow-origin'], 'https://console.example.com');
    } finally {
      await withCors.close();
    }
  });
});

describe('the audit trail', () => {
  interface Entry { actor_id: string; actor_name: string; actor_role: string; ip: string | null; action: string; target: string | null; summary: string; status: number; at: string }
  const trail = async (query: string, who: TestKeyName = 'admin') => {
    const res = await app.inject({ url: `/v1/audit-trail?${query}`, headers: bearer(key(who)) });
    return { status: res.statusCode, body: res.json() as { items: Entry[]; next_cursor: string | null } };
  };

  test('every change is recorded with who (from the credential), role, when, from where and what; admins read it, nobody changes it', async () => {
    const admin = bearer(key('admin'));
    const startedAt = Date.now();
    const created = await app.inject({ method: 'POST', url: '/v1/keys', headers: admin, payload: { name: 'siem reader', role: 'analyst' } });
    assert.equal(created.statusCode, 201);
    const newKey = created.json() as { key: string; info: { id: string } };
    assert.equal((await app.inject({ url: '/v1/keys', headers: bearer(newKey.key) })).statusCode, 403, 'the new analyst key cannot list keys');
    const listed = await app.inject({ url: '/v1/keys', headers: admin });
    assert.equal(listed.body.includes(newKey.key), false, 'a key is never shown again');
    assert.equal((await app.inject({ method: 'DELETE', url: `/v1/keys/${newKey.info.id}`, headers: admin })).statusCode, 200);
    assert.equal((await app.inject({ url: '/v1/activities', headers: bearer(newKey.key) })).statusCode, 401, 'a revoked key is refused');
    const configured = await app.inject({ method: 'DELETE', url: '/v1/keys/configured-admin', headers: admin });
    assert.deepEqual([configured.statusCode, configured.json().code], [409, 'AW_KEY_CONFIGURED'], 'the configured admin key is changed in the configuration, not revoked');

    const policy = { id: 'trail-test', name: 'Trail test', kind: 'activity', severity: 'low', detection: { s: { action: 'login' }, condition: 's' }, alert: { title: 'x' } };
    const put = await app.inject({ method: 'PUT', url: '/v1/policies/trail-test', headers: bearer(key('policy-author')), payload: policy });
    assert.equal(put.statusCode, 200, put.body);
    // A refused change is not a change.
    assert.equal((await app.inject({ method: 'DELETE', url: '/v1/policies/trail-test', headers: bearer(key('analyst')) })).statusCode, 403);

    const entries = await waitFor(async () => {
      const res = await trail(`from=${new Date(startedAt - 1000).toISOString()}`);
      return res.status === 200 && res.body.items.length >= 3 ? res.body.items : null;
    }, { what: 'three entries in the audit trail' });
    const adminId = stack.keys!.authenticate(key('admin'))!.id;
    const authorId = stack.keys!.authenticate(key('policy-author'))!.id;
    assert.deepEqual(entries.map((e) => [e.action, e.actor_id, e.actor_role, e.target, e.ip, e.status]), [
      ['PUT /v1/policies/:id', authorId, 'policy-author', 'trail-test', '127.0.0.1', 200],
      ['DELETE /v1/keys/:id', adminId, 'admin', newKey.info.id, '127.0.0.1', 200],
      ['POST /v1/keys', adminId, 'admin', newKey.info.id, '127.0.0.1', 201],
    ]);
    assert.equal(entries[2]!.actor_name, 'test admin');
    assert.match(entries[2]!.summary, /created key [0-9a-f]{16} "siem reader" with role analyst/);
    assert.match(entries[0]!.summary, /policy trail-test version 1 \(alert mode\) deployed/);
    assert.ok(Date.parse(entries[2]!.at) >= startedAt - 1000);

    const byAuthor = await trail(`actor=${encodeURIComponent(authorId)}`);
    assert.deepEqual(byAuthor.body.items.map((e) => e.action), ['PUT /v1/policies/:id']);
    const first = await trail(`from=${new Date(startedAt - 1000).toISOString()}&limit=2`);
    assert.equal(first.body.items.length, 2);
    const rest = await trail(`from=${new Date(startedAt - 1000).toISOString()}&limit=2&cursor=${first.body.next_cursor}`);
    assert.deepEqual(rest.body.items.map((e) => e.action), ['POST /v1/keys']);

    assert.equal((await trail('', 'responder')).status, 403, 'admins only');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/v1/audit-trail', headers: { ...admin, ...JSON_BODY }, payload: {} });
      assert.equal(res.statusCode, 404, `no ${method} on the trail`);
    }
  });
});
