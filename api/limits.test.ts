import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../core/clickhouse.js';
import { createLogger } from '../core/logger.js';
import { ensureTables } from '../processors/sink/tables.js';
import { freshName } from '../test/support/fresh.js';
import { testDataDir, testLog } from '../test/support/stack.js';
import { buildApp, type ApiDependencies } from './app.js';
import { OPEN_SECURITY } from '../test/support/auth.js';
import { installErrorHandler } from './errors.js';
import { TokenBuckets } from './rate-limit.js';
import { policyBacktestRoute } from './routes/policy-backtest.js';

const DAY = 86_400_000;
const MAX_PAGE_SIZE = 50;

let clickhouse: ClickHouse;
const apps: FastifyInstance[] = [];

async function newApp(limits: ApiDependencies['limits'] = {}, extra: Partial<ApiDependencies> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ security: OPEN_SECURITY, clickhouse, log: testLog, maxPageSize: MAX_PAGE_SIZE, limits, ...extra });
  apps.push(app);
  return app;
}

interface ErrorAnswer { statusCode: number; code: string; error: string; message: string }

const iso = (ms: number) => new Date(ms).toISOString();

const LOGINS = { id: 'logins', name: 'Logins', kind: 'activity', severity: 'low', detection: { login: { action: 'login' }, condition: 'login' } };
/** A policy that needs IP locations, so that a backtest of it waits for them. */
const IMPOSSIBLE_TRAVEL = readFileSync(fileURLToPath(new URL('../policies/impossible-travel.yaml', import.meta.url)), 'utf8');

before(async () => {
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('aw_limits'), log: testLog });
  await ensureTables(clickhouse);
});

after(async () => {
  for (const a of apps) await a.close();
  await clickhouse?.close();
});

describe('page size', () => {
  test('every list route answers 400 naming `limit` above the maximum page size, and takes the maximum itself', async () => {
    const app = await newApp();
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
    };
    const lists = Object.entries(doc.paths)
      .filter(([, ops]) => ops.get?.parameters?.some((p) => p.in === 'query' && p.name === 'limit'))
      .map(([path]) => path);
    assert.deepEqual(lists.sort(), [
      '/v1/accounts', '/v1/activities', '/v1/alerts', '/v1/audit-trail', '/v1/files', '/v1/governance', '/v1/grants', '/v1/people',
      '/v1/timelines/files/{file_id}', '/v1/timelines/users/{user}',
    ]);
    for (const path of lists) {
      const over = await app.inject({ method: 'GET', url: `${path}?limit=${MAX_PAGE_SIZE + 1}` });
      assert.equal(over.statusCode, 400, `${path}: ${over.body}`);
      assert.match((over.json() as ErrorAnswer).message, new RegExp(`querystring\\.limit must be <= ${MAX_PAGE_SIZE}`), path);
      const at = await app.inject({ method: 'GET', url: `${path}?limit=${MAX_PAGE_SIZE}` });
      assert.equal(at.statusCode, 200, `${path}: ${at.body}`);
    }
  });
});

describe('time range of a query', () => {
  test('activities and alerts refuse a range longer than api.maxQueryRangeDays, naming `from`', async () => {
    const app = await newApp({ maxQueryRangeDays: 10 });
    const to = Date.parse('2026-11-30T00:00:00Z');
    for (const path of ['/v1/activities', '/v1/alerts']) {
      const tooLong = await app.inject({ method: 'GET', url: `${path}?from=${iso(to - 11 * DAY)}&to=${iso(to)}` });
      assert.equal(tooLong.statusCode, 400, `${path}: ${tooLong.body}`);
      const body = tooLong.json() as ErrorAnswer;
      assert.equal(body.code, 'AW_BAD_REQUEST');
      assert.match(body.message, /^querystring\.from: .*covers 11 days; at most 10 .*api\.maxQueryRangeDays/);
      const atMost = await app.inject({ method: 'GET', url: `${path}?from=${iso(to - 10 * DAY)}&to=${iso(to)}` });
      assert.equal(atMost.statusCode, 200, `${path}: ${atMost.body}`);
    }
    // Alerts from a date long ago up to now: the range ends now.
    const open = await app.inject({ method: 'GET', url: `/v1/alerts?from=${iso(Date.now() - 30 * DAY)}` });
    assert.equal(open.statusCode, 400, open.body);
  });

  test('the default maximum is 400 days', async () => {
    const app = await newApp();
    const to = Date.parse('2026-11-30T00:00:00Z');
    const refused = await app.inject({ method: 'GET', url: `/v1/activities?from=${iso(to - 401 * DAY)}&to=${iso(to)}` });
    assert.equal(refused.statusCode, 400, refused.body);
    const taken = await app.inject({ method: 'GET', url: `/v1/activities?from=${iso(to - 400 * DAY)}&to=${iso(to)}` });
    assert.equal(taken.statusCode, 200, taken.body);
  });
});

describe('ClickHouse limits and engine errors', () => {
  test('a query past its memory limit answers 422 AW_QUERY_LIMIT, without the engine\'s words', async () => {
    const db = freshName('aw_limits_big');
    const big = await openClickHouse({ dataDir: testDataDir(), database: db, log: testLog });
    try {
      await ensureTables(big);
      // Enough rows that sorting them FINAL needs far more than 1 MB.
      await big.exec(`INSERT INTO activities (event_id, provider, instance, occurred_at, ingested_at, user_key, action, action_raw)
        SELECT toString(number), 'okta', 'main', now64(3) - toIntervalMillisecond(number), now64(3), concat('u', toString(number % 97), '@example.com'), 'login', 'user.session.start'
        FROM numbers(300000)`);
      const lines: string[] = [];
      const log = createLogger({ level: 'info', destination: new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } }) });
      const app = await buildApp({ security: OPEN_SECURITY, clickhouse: big, log, maxPageSize: MAX_PAGE_SIZE, limits: { queryMaxMemoryBytes: 1_000_000 } });
      apps.push(app);
      const res = await app.inject({ method: 'GET', url: `/v1/activities?from=${iso(Date.now() - DAY)}&to=${iso(Date.now() + 1000)}` });
      assert.equal(res.statusCode, 422, res.body);
      const body = res.json() as ErrorAnswer;
      assert.equal(body.code, 'AW_QUERY_LIMIT');
      assert.doesNotMatch(body.message, /DB::Exception|MEMORY_LIMIT|Code: \d+/);
      assert.ok(lines.some((l) => l.includes('MEMORY_LIMIT_EXCEEDED')), 'the engine\'s message is in the log');
    } finally {
      await big.close();
    }
  });

  test('an engine failure answers our code and a sentence; the engine\'s message goes to the log', async () => {
    // A database without the tables: the engine answers UNKNOWN_TABLE.
    const empty = await openClickHouse({ dataDir: testDataDir(), database: freshName('aw_limits_empty'), log: testLog });
    try {
      const lines: string[] = [];
      const log = createLogger({ level: 'info', destination: new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } }) });
      const app = await buildApp({ security: OPEN_SECURITY, clickhouse: empty, log, maxPageSize: MAX_PAGE_SIZE });
      apps.push(app);
      for (const url of ['/v1/activities', '/v1/accounts', '/v1/alerts', '/v1/governance']) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 503, `${url}: ${res.body}`);
        const body = res.json() as ErrorAnswer;
        assert.equal(body.code, 'AW_CLICKHOUSE_FAILED');
        assert.doesNotMatch(body.message, /DB::Exception|UNKNOWN_TABLE|Code: \d+|aw_limits_empty/, url);
        assert.match(body.message, /see the server log/);
      }
      assert.ok(lines.some((l) => l.includes('UNKNOWN_TABLE')), 'the engine\'s message is in the log');
    } finally {
      await empty.close();
    }
  });
});

describe('request body size', () => {
  test('a body above api.bodyLimitBytes answers 413 AW_BODY_TOO_LARGE; policy routes take up to api.policyBodyLimitBytes', async () => {
    const app = await newApp({ bodyLimitBytes: 4096, policyBodyLimitBytes: 65_536 });
    const big = { provider: 'okta', instance: 'main', action: 'suspend_user', target: { type: 'user', id: 'x' }, params: { note: 'x'.repeat(8192) } };
    const refused = await app.inject({ method: 'POST', url: '/v1/governance', payload: big });
    assert.equal(refused.statusCode, 413, refused.body);
    assert.equal((refused.json() as ErrorAnswer).code, 'AW_BODY_TOO_LARGE');

    const policyText = `id: roomy\nname: roomy\nkind: activity\nseverity: low\nmatch: { action: login }\n# ${'x'.repeat(20_000)}\n`;
    const taken = await app.inject({ method: 'POST', url: '/v1/policies/validate', headers: { 'content-type': 'application/yaml' }, payload: policyText });
    assert.equal(taken.statusCode, 200, taken.body);
    const tooBig = await app.inject({ method: 'POST', url: '/v1/policies/validate', headers: { 'content-type': 'application/yaml' }, payload: policyText + `# ${'y'.repeat(70_000)}\n` });
    assert.equal(tooBig.statusCode, 413, tooBig.body);
  });
});

describe('rate limit', () => {
  test('past its burst a caller gets 429 AW_RATE_LIMITED with Retry-After; other callers and health probes are not held', async () => {
    const app = await newApp({ rateLimit: { requestsPerMinute: 60, burst: 3 } });
    const from = (remoteAddress: string) => app.inject({ method: 'GET', url: '/v1/schemas', remoteAddress });
    for (let i = 0; i < 3; i++) assert.equal((await from('10.0.0.1')).statusCode, 200);
    const limited = await from('10.0.0.1');
    assert.equal(limited.statusCode, 429, limited.body);
    assert.equal((limited.json() as ErrorAnswer).code, 'AW_RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${limited.headers['retry-after']}`);
    assert.equal((await from('10.0.0.2')).statusCode, 200, 'another caller has its own bucket');
    const probe = await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.0.0.1' });
    assert.equal(probe.statusCode, 200);
  });

  test('an authenticated caller is counted by its principal, not by its address', async () => {
    const app = await buildApp({ security: OPEN_SECURITY, clickhouse, log: testLog, maxPageSize: MAX_PAGE_SIZE, limits: { rateLimit: { requestsPerMinute: 60, burst: 2 } } });
    apps.push(app);
    // What authentication does: set request.principal from the credential, before the limit is counted.
    app.addHook('onRequest', async (request) => {
      const key = request.headers['x-test-principal'];
      if (typeof key === 'string') request.principal = { id: key, name: key, role: 'analyst', raw: false };
    });
    const as = (principal: string) => app.inject({ method: 'GET', url: '/v1/schemas', remoteAddress: '10.0.0.9', headers: { 'x-test-principal': principal } });
    assert.equal((await as('alice')).statusCode, 200);
    assert.equal((await as('alice')).statusCode, 200);
    assert.equal((await as('alice')).statusCode, 429);
    assert.equal((await as('bob')).statusCode, 200, 'bob shares alice\'s address but not her bucket');
  });

  test('a bucket refills at the configured rate', () => {
    let now = 0;
    const buckets = new TokenBuckets({ requestsPerMinute: 60, burst: 2 }, () => now);
    assert.deepEqual([buckets.take('a'), buckets.take('a')], [0, 0]);
    assert.equal(buckets.take('a'), 1000, 'one token a second: the next one in 1 s');
    now += 500;
    assert.equal(buckets.take('a'), 500);
    now += 500;
    assert.equal(buckets.take('a'), 0);
    now += 60_000;
    assert.deepEqual([buckets.take('a'), buckets.take('a'), buckets.take('a') > 0], [0, 0, true], 'never more than the burst');
  });
});

describe('backtest limits', () => {
  test('a backtest range longer than api.backtest.maxRangeDays answers 400 naming body.from', async () => {
    const app = await newApp({ backtest: { maxRangeDays: 7, concurrency: 2 } });
    const to = Date.parse('2026-11-30T00:00:00Z');
    const policy = LOGINS;
    const refused = await app.inject({ method: 'POST', url: '/v1/policies/backtest', payload: { policy, from: iso(to - 8 * DAY), to: iso(to) } });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match((refused.json() as ErrorAnswer).message, /^body\.from: .*at most 7 .*api\.backtest\.maxRangeDays/);
    const taken = await app.inject({ method: 'POST', url: '/v1/policies/backtest', payload: { policy, from: iso(to - 7 * DAY), to: iso(to) } });
    assert.equal(taken.statusCode, 200, taken.body);
  });

  test('past api.backtest.concurrency running backtests, another answers 429 with Retry-After', async () => {
    // The first backtest waits for its IP locations until the second one has been answered.
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let waiting!: () => void;
    const firstIsRunning = new Promise<void>((resolve) => { waiting = resolve; });
    const app = Fastify();
    apps.push(app);
    installErrorHandler(app, testLog);
    policyBacktestRoute(app, {
      clickhouse, bodyLimit: 1_048_576, limits: { maxRangeDays: 30, concurrency: 1 },
      loadGeo: async () => { waiting(); await held; return { locate: () => null }; },
    });
    const body = { policy: IMPOSSIBLE_TRAVEL, from: iso(Date.now() - DAY), to: iso(Date.now()) };
    const first = app.inject({ method: 'POST', url: '/v1/policies/backtest', payload: body });
    await firstIsRunning;
    const second = await app.inject({ method: 'POST', url: '/v1/policies/backtest', payload: body });
    assert.equal(second.statusCode, 429, second.body);
    assert.equal((second.json() as ErrorAnswer).code, 'AW_RATE_LIMITED');
    assert.ok(Number(second.headers['retry-after']) >= 1);
    release();
    assert.equal((await first).statusCode, 200);
    const after = await app.inject({ method: 'POST', url: '/v1/policies/backtest', payload: body });
    assert.equal(after.statusCode, 200, 'a slot is free again once the first one is done');
  });
});

describe('documented answers', () => {
  test('every operation documents the shared error answers; operations with a body also 413 and 415', async () => {
    const app = await newApp();
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const statuses = Object.keys(op.responses);
        for (const s of ['400', '401', '403', '429', '500', '503']) assert.ok(statuses.includes(s), `${method} ${path} documents ${s}`);
        if (op.requestBody) for (const s of ['413', '415']) assert.ok(statuses.includes(s), `${method} ${path} documents ${s}`);
        if (path.includes('{')) assert.ok(statuses.includes('404'), `${method} ${path} documents 404`);
      }
    }
  });
});
