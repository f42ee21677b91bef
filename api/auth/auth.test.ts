import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { loadConfig } from '../../core/config.js';
import { createKafkaBus, type KafkaBus } from '../../core/kafka.js';
import { createLogger } from '../../core/logger.js';
import { providerDefaults, providerSchemas } from '../../ingestors/registry.js';
import { freshName, testBrokers } from '../../test/support/fresh.js';
import { testConfig, testLog } from '../../test/support/stack.js';
import { waitFor } from '../../test/support/wait-for.js';
import { installErrorHandler } from '../errors.js';
import { installSecurity } from './guard.js';
import { KeyStore } from './key-store.js';
import { OidcVerifier, type OidcSettings } from './oidc.js';
import { startApiSecurity } from './setup.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function freshBus(): Promise<KafkaBus> {
  const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'auth-test', prefix: freshName('auth'), partitions: 1, replicationFactor: 1, log: testLog });
  cleanups.push(() => bus.disconnect());
  await bus.ensureTopics();
  return bus;
}

async function startedStore(bus: KafkaBus): Promise<KeyStore> {
  const store = new KeyStore({ bus, log: testLog });
  await store.start();
  cleanups.push(() => store.stop());
  return store;
}

describe('API keys', () => {
  test('a key is answered once, stored only as a hash, works in every process, and stops working when revoked', async () => {
    const bus = await freshBus();
    const store = await startedStore(bus);
    const { key, info } = await store.create({ name: 'ana', role: 'responder', createdBy: 'key:test' });
    assert.match(key, /^awk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(store.authenticate(key), { id: `key:${info.id}`, name: 'ana', role: 'responder', raw: false });
    assert.ok(!('hash' in store.list()[0]!), 'a listing holds no hash');
    assert.equal(JSON.stringify(store.list()).includes(key), false);

    // Another API process, reading the topic, knows the key; the topic holds the hash, never the key.
    const other = await startedStore(bus);
    assert.equal(other.authenticate(key)?.role, 'responder');
    const messages: string[] = [];
    const reader = await bus.consume({
      groupId: freshName('reader'), topics: [bus.topics.apiKeys], fromBeginning: true,
      eachBatch: async (batch) => { for (const r of batch.records) messages.push(r.value!.toString()); },
    });
    cleanups.push(() => reader.stop());
    await waitFor(() => messages.length >= 1, { what: 'the key message' });
    assert.equal(messages.some((m) => m.includes(key) || m.includes(key.slice(22))), false, 'the key is not on the topic');

    // Wrong keys: another secret for the same id, garbage, the empty string.
    for (const wrong of [`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, 'awk_0000000000000000_x', '', 'Bearer']) {
      assert.equal(store.authenticate(wrong), null, wrong);
    }
    await store.revoke(info.id, 'key:admin');
    assert.equal(store.authenticate(key), null);
    await waitFor(() => other.authenticate(key) === null, { what: 'the revocation in the other process' });
    assert.equal(store.list()[0]!.revoked_by, 'key:admin');
  });

  test('the first admin key: from api.adminKey when set, else generated once, announced once, never logged', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', destination: new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }) });
    const config = testConfig({});
    const bus = await freshBus();
    const announced: string[] = [];
    const first = await startApiSecurity(config.api.adminKey ? { ...config, api: { ...config.api, adminKey: undefined } } : config, bus, log, (k) => announced.push(k));
    cleanups.push(() => first.stop());
    assert.equal(announced.length, 1);
    assert.equal(first.keys.authenticate(announced[0]!)?.role, 'admin');
    // The next start finds a key: nothing new is made or shown.
    const second = await startApiSecurity({ ...config, api: { ...config.api, adminKey: undefined } }, bus, log, (k) => announced.push(k));
    cleanups.push(() => second.stop());
    assert.equal(announced.length, 1);
    assert.equal(lines.some((l) => l.includes(announced[0]!)), false, 'the key is in no log line');

    // APPWARDEN_ADMIN_KEY: the configured key is an admin key; nothing is generated.
    const env = { APPWARDEN_ADMIN_KEY: 'configured-admin-key-0123456789abcdef0123456789' };
    const fromEnv = loadConfig({ env, providerSchemas: providerSchemas(), providerDefaults: providerDefaults() });
    const otherBus = await freshBus();
    const made: string[] = [];
    const configured = await startApiSecurity({ ...config, api: fromEnv.api }, otherBus, log, (k) => made.push(k));
    cleanups.push(() => configured.stop());
    assert.deepEqual(made, []);
    assert.equal(configured.keys.authenticate(env.APPWARDEN_ADMIN_KEY)?.role, 'admin');
    assert.equal(configured.keys.authenticate('configured-admin-key-0123456789abcdef012345678X'), null);
    assert.equal(lines.some((l) => l.includes(env.APPWARDEN_ADMIN_KEY)), false);
  });
});

describe('configuration', () => {
  const load = (api: Record<string, unknown>) => loadConfig({ env: {}, providerSchemas: providerSchemas(), overrides: { api } });

  test('the API refuses to listen on a non-loopback address without authentication', () => {
    assert.throws(() => load({ host: '0.0.0.0', authentication: false }), /api\.authentication: cannot be off when the API listens on 0\.0\.0\.0/);
    assert.throws(() => load({ host: '10.1.2.3', authentication: false }), /AW_CONFIG_INVALID|configuration is invalid/);
    assert.equal(load({ host: '127.0.0.1', authentication: false }).api.authentication, false);
    assert.equal(load({ host: '::1', authentication: false }).api.authentication, false);
    assert.equal(load({ host: '0.0.0.0' }).api.authentication, true, 'on by default');
  });

  test('a route that declares no role stops the build', async () => {
    const app = Fastify();
    installSecurity(app, { authentication: true, keys: null, allowedHosts: ['localhost'], corsOrigins: [], bus: null });
    assert.throws(() => app.get('/v1/forgotten', async () => ({})), /route GET \/v1\/forgotten declares no role/);
    await app.close();
  });
});

describe('OIDC bearer tokens', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let server: Server;
  let fetches = 0;
  let settings: OidcSettings;

  before(async () => {
    server = createServer((req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        keys: [
          { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig', alg: 'RS256' },
          { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig', alg: 'ES256' },
        ],
      }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    settings = {
      jwksUrl: `http://127.0.0.1:${port}/jwks`, issuer: 'https://idp.example.com/', audience: 'appwarden', roleClaim: 'groups',
      roles: { 'soc-analysts': 'analyst', 'soc-responders': 'responder', 'security-admins': 'admin' }, rawClaimValue: 'soc-raw', cacheMs: 600_000,
    };
  });
  after(() => new Promise<void>((resolve) => { server.close(() => resolve()); }));

  function jwt(claims: Record<string, unknown>, options: { alg?: 'RS256' | 'ES256'; kid?: string; key?: KeyObject } = {}): string {
    const alg = options.alg ?? 'RS256';
    const head = Buffer.from(JSON.stringify({ alg, kid: options.kid ?? (alg === 'RS256' ? 'rsa-1' : 'ec-1'), typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const key = options.key ?? (alg === 'RS256' ? rsa.privateKey : ec.privateKey);
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
    return `${head}.${body}.${signature.toString('base64url')}`;
  }
  const now = () => Math.floor(Date.now() / 1000);
  const good = () => ({ iss: settings.issuer, aud: 'appwarden', sub: '00u-ana', email: 'ana@example.com', groups: ['staff', 'soc-responders'], exp: now() + 300, iat: now() });

  test('a valid RS256 or ES256 token is the principal its claims say; the JWKS is fetched once and cached', async () => {
    const verifier = new OidcVerifier(settings, testLog);
    assert.deepEqual(await verifier.authenticate(jwt(good())), { principal: { id: 'oidc:00u-ana', name: 'ana@example.com', role: 'responder', raw: false } });
    const admin = await verifier.authenticate(jwt({ ...good(), groups: ['soc-analysts', 'security-admins', 'soc-raw'], aud: ['other', 'appwarden'] }, { alg: 'ES256' }));
    assert.deepEqual(admin, { principal: { id: 'oidc:00u-ana', name: 'ana@example.com', role: 'admin', raw: true } });
    assert.equal(fetches, 1);
  });

  test('refuses a wrong audience, issuer, signature or algorithm, an expired token, one not yet valid, one without a role', async () => {
    const verifier = new OidcVerifier(settings, testLog);
    const cases: Array<[string, string]> = [
      [jwt({ ...good(), aud: 'someone-else' }), 'wrong audience'],
      [jwt({ ...good(), iss: 'https://evil.example.com/' }), 'wrong issuer'],
      [jwt({ ...good(), exp: now() - 3600 }), 'expired'],
      [jwt({ ...good(), nbf: now() + 3600 }), 'not yet valid'],
      [jwt({ ...good(), groups: ['staff'] }), 'names no role'],
      [jwt(good(), { key: stranger.privateKey }), 'bad signature'],
      [jwt(good(), { kid: 'unknown' }), 'no RSA key unknown'],
      [`${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(good())).toString('base64url')}.x`, 'algorithm none'],
      [`${Buffer.from('{"alg":"HS256","kid":"rsa-1"}').toString('base64url')}.${Buffer.from(JSON.stringify(good())).toString('base64url')}.x`, 'algorithm HS256'],
    ];
    for (const [token, reason] of cases) {
      const result = await verifier.authenticate(token);
      assert.ok('reason' in result, reason);
      assert.match(result.reason, new RegExp(reason), reason);
    }
  });

  test('through the API: a token gets in with its role; a refused one is a 401', async () => {
    const app = Fastify();
    installErrorHandler(app, testLog);
    installSecurity(app, {
      authentication: true, keys: null, oidc: new OidcVerifier(settings, testLog), allowedHosts: ['localhost'], corsOrigins: [], bus: null,
    });
    app.get('/v1/who', { config: { role: 'analyst' } }, async (request) => request.principal);
    app.get('/v1/admin-only', { config: { role: 'admin' } }, async () => ({ ok: true }));
    cleanups.push(() => app.close());
    const who = await app.inject({ url: '/v1/who', headers: { authorization: `Bearer ${jwt(good())}` } });
    assert.equal(who.statusCode, 200);
    assert.equal(who.json().id, 'oidc:00u-ana');
    assert.equal((await app.inject({ url: '/v1/admin-only', headers: { authorization: `Bearer ${jwt(good())}` } })).statusCode, 403);
    assert.equal((await app.inject({ url: '/v1/who', headers: { authorization: `Bearer ${jwt({ ...good(), aud: 'x' })}` } })).statusCode, 401);
  });
});
