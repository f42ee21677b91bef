import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { ensureTables } from '../../processors/sink/tables.js';
import type { AuditEvent } from '../../schemas/types.js';
import { buildApp } from '../../api/app.js';
import { OPEN_SECURITY } from '../support/auth.js';
import { freshName } from '../support/fresh.js';
import { testDataDir, testLog } from '../support/stack.js';
import { activities, HOUR, loadFixtures, NOW } from './query-fixtures.js';

const MAX_PAGE_SIZE = 50;
const RANGE = { from: new Date(NOW - 4 * 24 * HOUR).toISOString(), to: new Date(NOW + HOUR).toISOString() };
const EVENTS = activities();

let clickhouse: ClickHouse;
let app: FastifyInstance;

before(async () => {
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('aw_query'), log: testLog });
  await ensureTables(clickhouse);
  await loadFixtures(clickhouse);
  app = await buildApp({ security: OPEN_SECURITY, clickhouse, log: testLog, maxPageSize: MAX_PAGE_SIZE });
});
after(async () => {
  await app?.close();
  await clickhouse?.close();
});

type Query = Record<string, string | number | boolean>;
const qs = (q: Query) => new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();

async function get<T>(path: string, query: Query = {}): Promise<{ status: number; body: T; text: string; type: string }> {
  const res = await app.inject({ method: 'GET', url: `${path}?${qs(query)}` });
  return { status: res.statusCode, body: (String(res.headers['content-type']).startsWith('application/json') ? res.json() : null) as T, text: res.body, type: String(res.headers['content-type']) };
}

/** Every item of every page, following next_cursor; fails on a repeated key. */
async function all<T>(path: string, query: Query, key: (item: T) => string, limit = 7): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let i = 0; i < 500; i++) {
    const res: { status: number; body: { items: T[]; next_cursor: string | null } } = await get(path, { ...query, limit, ...(cursor ? { cursor } : {}) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    for (const item of res.body.items) {
      assert.ok(!seen.has(key(item)), `repeated ${key(item)}`);
      seen.add(key(item));
      out.push(item);
    }
    cursor = res.body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('paging did not end');
}

const newest = (a: AuditEvent, b: AuditEvent) => b.occurred_at - a.occurred_at || (a.event_id < b.event_id ? 1 : a.event_id > b.event_id ? -1 : 0);
const ids = (events: AuditEvent[], order = newest) => [...events].sort(order).map((e) => e.event_id);

function inV4Block(ip: string | null, prefix: string): boolean {
  return ip !== null && ip.startsWith(prefix);
}

describe('GET /v1/activities: filters, sort, paging, export', () => {
  const cases: Array<[string, Query, (e: AuditEvent) => boolean]> = [
    ['provider', { provider: 'box' }, (e) => e.provider === 'box'],
    ['instance', { instance: 'emea' }, (e) => e.instance === 'emea'],
    ['user by email, any case', { user: 'ANA.SILVA@example.com' }, (e) => e.actor.email === 'Ana.Silva@example.com'],
    ['user by provider id (no email)', { user: 'svc-sync' }, (e) => e.actor.id === 'svc-sync'],
    ['actor_type', { actor_type: 'service' }, (e) => e.actor.type === 'service'],
    ['action', { action: 'file_download' }, (e) => e.action === 'file_download'],
    ['action_raw', { action_raw: 'user.lifecycle.suspend' }, (e) => e.action_raw === 'user.lifecycle.suspend'],
    ['category and outcome', { category: 'logon', outcome: 'failure' }, (e) => e.category === 'logon' && e.outcome === 'failure'],
    ['one IP', { ip: '198.51.100.7' }, (e) => e.source.ip === '198.51.100.7'],
    ['an IPv4 CIDR', { ip: '203.0.113.0/24' }, (e) => inV4Block(e.source.ip, '203.0.113.')],
    ['an IPv4 /25', { ip: '203.0.113.128/25' }, (e) => e.source.ip === '203.0.113.200'],
    ['an IPv6 CIDR', { ip: '2001:db8::/48' }, (e) => e.source.ip === '2001:db8::1'],
    ['country, any case', { country: 'spain' }, (e) => e.source.country === 'Spain'],
    ['target type', { target_type: 'file' }, (e) => e.targets.some((t) => t.type === 'file')],
    ['target id', { target_id: 'f-200' }, (e) => e.targets.some((t) => t.id === 'f-200')],
    ['target name (substring)', { target_name: 'REPORT-3' }, (e) => e.targets.some((t) => t.name === 'report-3.xlsx')],
    ['target email', { target_name: 'ben@example.com' }, (e) => e.targets.some((t) => t.email === 'ben@example.com')],
    ['free text with pattern characters, taken literally', { q: 'forecast (.*+)?' }, (e) => e.raw.includes('Forecast (.*+)?')],
    ['free text across words (its inner whole words narrow the scan by the word index)', { q: 'LY forecast (' }, (e) => e.raw.includes('ly Forecast (')],
    ['whole words, in any order and any case', { words: 'FORECAST quarterly' }, (e) => e.raw.includes('Quarterly Forecast')],
    ['whole non-ASCII words, any case', { words: 'ÉLODIE relatório' }, (e) => e.raw.includes('Relatório anual de Élodie')],
    ['words cut at separators: evt-0050 is the words evt and 0050', { words: 'evt-0050' }, (e) => e.raw.includes('"evt-0050"')],
    ['outcome_reason', { outcome_reason: 'invalid' }, (e) => e.outcome_reason === 'INVALID_CREDENTIALS'],
    ['request_id', { request_id: 'req-17' }, (e) => e.request_id === 'req-17'],
  ];
  for (const [what, query, keep] of cases) {
    test(`${what}: pages without gaps or repeats, newest and oldest first`, async () => {
      const expected = EVENTS.filter(keep);
      assert.ok(expected.length > 0 && expected.length < EVENTS.length, `${what}: the fixture selects some, not all (${expected.length})`);
      const got = await all<{ event_id: string }>('/v1/activities', { ...RANGE, ...query }, (i) => i.event_id);
      assert.deepEqual(got.map((i) => i.event_id), ids(expected));
      const oldest = await all<{ event_id: string }>('/v1/activities', { ...RANGE, ...query, sort: 'oldest' }, (i) => i.event_id, 11);
      assert.deepEqual(oldest.map((i) => i.event_id), ids(expected).reverse());
    });
  }

  test('a word is matched whole, never as a part of a longer word', async () => {
    for (const words of ['forecas', 'orecast', 'lodie']) {
      const res = await get<{ items: unknown[] }>('/v1/activities', { ...RANGE, words });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.items, [], words);
    }
    const part = await get<{ items: unknown[] }>('/v1/activities', { ...RANGE, q: 'orecas' });
    assert.equal(part.body.items.length, EVENTS.filter((e) => e.raw.includes('Forecast')).length, 'q still finds a part of a word');
  });

  test('ndjson and csv exports stream every matching row in order; csv escapes and defuses formulas', async () => {
    const expected = ids(EVENTS);
    const nd = await get('/v1/activities', { ...RANGE, format: 'ndjson' });
    assert.equal(nd.status, 200);
    assert.match(nd.type, /application\/x-ndjson/);
    const lines = nd.text.trim().split('\n').map((l) => JSON.parse(l) as { event_id: string });
    assert.deepEqual(lines.map((l) => l.event_id), expected);

    const csv = await get('/v1/activities', { ...RANGE, format: 'csv', sort: 'oldest', user: 'cyd@example.com' });
    assert.equal(csv.status, 200);
    assert.match(csv.type, /text\/csv/);
    const rows = csv.text.trimEnd().split('\r\n');
    assert.equal(rows[0]!.split(',')[1], 'event_id');
    const cyd = EVENTS.filter((e) => e.actor.id === 'u-cyd');
    assert.equal(rows.length, cyd.length + 1);
    assert.deepEqual(rows.slice(1).map((r) => r.split(',')[1]), ids(cyd).reverse());
    assert.ok(rows[1]!.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`), rows[1]);

    const dee = await get('/v1/activities', { ...RANGE, format: 'csv', user: 'dee@partner.example', limit: 3 });
    const deeRows = dee.text.trimEnd().split('\r\n');
    assert.equal(deeRows.length, 4, 'limit caps an export');
    assert.ok(deeRows[1]!.includes('"Dee, ""the auditor"""'), deeRows[1]);
  });

  test('bad input: a 400 naming the parameter', async () => {
    const bad: Array<[Query, string]> = [
      [{ ip: 'not-an-ip' }, 'ip'], [{ ip: '10.0.0.0/33' }, 'ip'], [{ ip: '2001:db8::/129' }, 'ip'], [{ ip: '10.0.0.0/x' }, 'ip'],
      [{ sort: 'sideways' }, 'sort'], [{ format: 'xml' }, 'format'], [{ cursor: 'garbage' }, 'cursor'], [{ limit: 51 }, 'limit'],
      [{ from: 'yesterday' }, 'from'], [{ q: 'x'.repeat(300) }, 'q'], [{ words: '.-/ @' }, 'words'],
      [{ words: 'a b c d e f g h i j k l m n o p q' }, 'words'], [{ category: 'nope' }, 'category'], [{ colour: 'red' }, 'colour'],
    ];
    for (const [query, param] of bad) {
      const res = await get<{ code: string; message: string }>('/v1/activities', query);
      assert.equal(res.status, 400, `${JSON.stringify(query)}: ${res.text}`);
      assert.equal(res.body.code, 'AW_BAD_REQUEST');
      assert.match(res.body.message, new RegExp(param), `${JSON.stringify(query)}: ${res.body.message}`);
    }
  });
});

describe('GET /v1/aggregations', () => {
  const count = <K extends string>(events: AuditEvent[], key: (e: AuditEvent) => K[]) => {
    const m = new Map<string, number>();
    for (const e of events) for (const k of key(e)) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  };
  const dims: Array<[string, (e: AuditEvent) => string[]]> = [
    ['user', (e) => [e.actor.email ? e.actor.email.toLowerCase() : e.actor.id!]],
    ['action', (e) => [e.action]],
    ['ip', (e) => (e.source.ip ? [e.source.ip] : [])],
    ['country', (e) => (e.source.country ? [e.source.country] : [])],
    ['instance', (e) => [`${e.provider}.${e.instance}`]],
    ['target', (e) => e.targets.map((t) => `${t.type}:${t.id}`)],
  ];
  for (const [by, key] of dims) {
    test(`top by ${by} equals a plain count`, async () => {
      const subset = EVENTS.filter((e) => e.outcome === 'success');
      const res = await get<{ total: number; items: Array<{ key: string; count: number }> }>('/v1/aggregations/top', { ...RANGE, by, outcome: 'success', top: 4 });
      assert.equal(res.status, 200, res.text);
      const expected = count(subset, key);
      assert.deepEqual(res.body.items.map((i) => [i.key, i.count]), expected.slice(0, 4));
      assert.equal(res.body.total, expected.reduce((a, [, n]) => a + n, 0));
    });
  }

  test('who downloaded most files from Box: top users of one action and provider', async () => {
    const res = await get<{ items: Array<{ key: string; count: number; name: string | null }> }>('/v1/aggregations/top', { ...RANGE, by: 'user', provider: 'box', action: 'file_download' });
    const expected = count(EVENTS.filter((e) => e.provider === 'box' && e.action === 'file_download'), (e) => [e.actor.email?.toLowerCase() ?? e.actor.id!]);
    assert.deepEqual(res.body.items.map((i) => [i.key, i.count]), expected.slice(0, 10));
    assert.ok(res.body.items.every((i) => i.name), 'each user with a name');
  });

  test('histogram: every hour bucket, counts equal a plain count; series by country', async () => {
    const to = NOW + 1000; // on the hour
    const from = to - 24 * HOUR;
    const query = { from: new Date(from).toISOString(), to: new Date(to).toISOString(), interval: '1h', category: 'logon', by: 'country', top: 2 };
    const res = await get<{ buckets: Array<{ start: string; count: number }>; series: Array<{ key: string; total: number; counts: number[] }> }>('/v1/aggregations/histogram', query);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.buckets.length, 24);
    const subset = EVENTS.filter((e) => e.category === 'logon' && e.occurred_at >= from && e.occurred_at < to);
    const per = res.body.buckets.map((b) => subset.filter((e) => Math.floor(e.occurred_at / HOUR) * HOUR === Date.parse(b.start)).length);
    assert.deepEqual(res.body.buckets.map((b) => b.count), per);
    assert.equal(res.body.buckets.reduce((a, b) => a + b.count, 0), subset.length);
    const top = count(subset, (e) => (e.source.country ? [e.source.country] : [])).slice(0, 2);
    assert.deepEqual(res.body.series.map((s) => [s.key, s.total]), top);
    for (const s of res.body.series) {
      const expected = res.body.buckets.map((b) => subset.filter((e) => e.source.country === s.key && Math.floor(e.occurred_at / HOUR) * HOUR === Date.parse(b.start)).length);
      assert.deepEqual(s.counts, expected);
    }
  });

  test('bad input: a 400 naming the parameter', async () => {
    for (const [path, query, param] of [
      ['/v1/aggregations/top', { by: 'shoe' }, 'by'], ['/v1/aggregations/top', {}, 'by'], ['/v1/aggregations/top', { by: 'user', ip: '1.2.3.4/40' }, 'ip'],
      ['/v1/aggregations/histogram', { interval: '3h' }, 'interval'], ['/v1/aggregations/histogram', { ...RANGE, interval: '1m' }, 'interval'],
    ] as Array<[string, Query, string]>) {
      const res = await get<{ message: string }>(path, query);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(query)}: ${res.text}`);
      assert.match(res.body.message, new RegExp(param));
    }
  });
});

describe('GET /v1/files, /v1/grants, /v1/people, timelines', () => {
  interface FileItem { file_id: string; access_level: string; quarantine: string; shared_links: unknown[]; deleted: boolean; collaborators: unknown[] }
  const fileIds = async (query: Query) => (await all<FileItem>('/v1/files', query, (f) => f.file_id, 4)).map((f) => f.file_id);

  test('files: filters and paging', async () => {
    const every = await fileIds({});
    assert.equal(every.length, 20, 'deleted ones left out');
    assert.deepEqual(every, [...every].sort());
    assert.deepEqual(await fileIds({ access_level: 'public' }), ['f-100']);
    assert.deepEqual(await fileIds({ shared_link: true }), ['f-100', 'f-300']);
    assert.equal((await fileIds({ shared_link: false })).length, 18);
    assert.deepEqual(await fileIds({ owner: 'BEN@example.com' }), ['f-300']);
    assert.deepEqual(await fileIds({ collaborator: 'Dee@Partner.example' }), ['f-200']);
    assert.deepEqual(await fileIds({ label: 'Confidential' }), ['f-100']);
    assert.deepEqual(await fileIds({ quarantine: 'quarantined' }), ['f-100']);
    assert.deepEqual(await fileIds({ quarantine: 'released' }), ['f-200']);
    assert.equal((await fileIds({ quarantine: 'none' })).length, 18);
    assert.deepEqual(await fileIds({ deleted: true }), ['f-400']);
    assert.deepEqual(await fileIds({ name: 'g-01' }), Array.from({ length: 7 }, (_, i) => `g-01${i}`));
    const one = (await get<{ items: FileItem[] }>('/v1/files', { file_id: 'f-100' })).body.items[0]!;
    assert.deepEqual(one.shared_links, [{ audience: 'anyone', id: null, role: 'viewer' }]);
    for (const [query, param] of [[{ access_level: 'open' }, 'access_level'], [{ quarantine: 'maybe' }, 'quarantine'], [{ cursor: 'x' }, 'cursor'], [{ limit: 0 }, 'limit']] as Array<[Query, string]>) {
      const res = await get<{ message: string }>('/v1/files', query);
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.message, new RegExp(param));
    }
  });

  test('grants: by user, app and scope; revoked ones on request', async () => {
    const apps = async (query: Query) => (await all<{ app: { id: string } }>('/v1/grants', query, (g) => g.app.id, 1)).map((g) => g.app.id).sort();
    assert.deepEqual(await apps({}), ['app-slack', 'app-zoom']);
    assert.deepEqual(await apps({ include_deleted: true }), ['app-old', 'app-slack', 'app-zoom']);
    assert.deepEqual(await apps({ user: 'ana.silva@example.com' }), ['app-slack']);
    assert.deepEqual(await apps({ app: 'zoo' }), ['app-zoom']);
    assert.deepEqual(await apps({ scope: 'users.read' }), ['app-slack']);
  });

  test('people: one person across apps by email, and the list', async () => {
    const ana = await get<{ accounts: Array<{ provider: string; instance: string; groups: unknown[]; privileges: unknown[]; app_grants: unknown[] }> }>('/v1/people/ANA.silva@example.com');
    assert.equal(ana.status, 200, ana.text);
    assert.deepEqual(ana.body.accounts.map((a) => `${a.provider}.${a.instance}`), ['box.main', 'okta.emea']);
    const okta = ana.body.accounts.find((a) => a.provider === 'okta')!;
    assert.equal(okta.groups.length, 1);
    assert.equal(okta.privileges.length, 1);
    assert.equal(okta.app_grants.length, 1);
    assert.equal((await get('/v1/people/nobody@example.com')).status, 404);
    assert.equal((await get('/v1/people/not-an-email')).status, 400);
    const list = await all<{ email: string; instances: unknown[]; privileges: string[] }>('/v1/people', {}, (p) => p.email, 1);
    assert.deepEqual(list.map((p) => p.email), ['ana.silva@example.com', 'ben@example.com']);
    assert.equal(list[0]!.instances.length, 2);
    assert.deepEqual((await all<{ email: string }>('/v1/people', { privileged: true }, (p) => p.email)).map((p) => p.email), ['ana.silva@example.com']);
    assert.deepEqual((await all<{ email: string }>('/v1/people', { status: 'suspended' }, (p) => p.email)).map((p) => p.email), ['ben@example.com']);
  });

  test("a user's timeline: as actor and as target, across apps; a file's timeline with its governance steps", async () => {
    const ben = await all<{ id: string; role: string; kind: string }>('/v1/timelines/users/Ben@example.com', RANGE, (e) => e.id, 9);
    const expected = EVENTS.filter((e) => e.actor.id === 'u-ben' || e.targets.some((t) => t.email === 'ben@example.com'));
    assert.deepEqual(ben.map((e) => e.id), ids(expected));
    assert.ok(ben.some((e) => e.role === 'target') && ben.some((e) => e.role === 'actor'));
    assert.ok(new Set(EVENTS.filter((e) => e.actor.id === 'u-ben').map((e) => e.provider)).size > 1, 'the fixture has Ben in two apps');

    const f = await all<{ id: string; kind: string; outcome: string }>('/v1/timelines/files/f-100', { ...RANGE, provider: 'box' }, (e) => e.id, 5);
    const events = EVENTS.filter((e) => e.provider === 'box' && e.targets.some((t) => t.id === 'f-100'));
    const everywhere = await all<{ id: string; kind: string }>('/v1/timelines/files/f-100', RANGE, (e) => e.id, 50);
    assert.deepEqual(everywhere.filter((e) => e.kind === 'activity').map((e) => e.id), ids(EVENTS.filter((e) => e.targets.some((t) => t.id === 'f-100'))));
    assert.deepEqual(f.filter((e) => e.kind === 'activity').map((e) => e.id), ids(events));
    assert.deepEqual(f.filter((e) => e.kind === 'governance').map((e) => e.outcome), ['succeeded', 'running']);
  });
});
