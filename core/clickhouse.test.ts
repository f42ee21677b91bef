import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime64, openClickHouse, type ClickHouse, type ClickHouseConfig } from './clickhouse.js';
import { isAppwardenError, type AppwardenError } from './errors.js';
import { silentLogger } from './logger.js';

// The backend the environment selects: a server when CLICKHOUSE_URL is set, else embedded chdb in a
// folder of this test process (chdb serves one folder per process; each test gets its own database).
const dataDir = mkdtempSync(path.join(tmpdir(), 'appwarden-ch-test-'));

function config(database = `aw_test_${randomBytes(6).toString('hex')}`): ClickHouseConfig {
  return {
    dataDir,
    database,
    log: silentLogger,
    ...(process.env.CLICKHOUSE_URL ? { url: process.env.CLICKHOUSE_URL } : {}),
    ...(process.env.CLICKHOUSE_USER ? { username: process.env.CLICKHOUSE_USER } : {}),
    ...(process.env.CLICKHOUSE_PASSWORD ? { password: process.env.CLICKHOUSE_PASSWORD } : {}),
  };
}

const opened: ClickHouse[] = [];
async function open(database?: string): Promise<ClickHouse> {
  const ch = await openClickHouse(config(database));
  opened.push(ch);
  return ch;
}

after(async () => {
  for (const ch of opened) {
    if (process.env.CLICKHOUSE_URL) await ch.exec(`DROP DATABASE IF EXISTS \`${ch.database}\``).catch(() => {});
    await ch.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<AppwardenError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isAppwardenError(err, 'AW_CLICKHOUSE_FAILED'), `expected AW_CLICKHOUSE_FAILED, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

const TRICKY = [
  `it's "quoted"`,
  'back\\slash \\n not a newline',
  'line one\nline two\r\n\ttabbed',
  'unicode: Zoë, 東京, 😀, \u2028',
  "' OR 1=1 --",
  '',
];

describe('openClickHouse', () => {
  test('creates the database and resolves unqualified table names in it', async () => {
    const ch = await open();
    await ch.exec('CREATE TABLE notes (id UInt32, body String) ENGINE = MergeTree ORDER BY id');
    await ch.insert('notes', [{ id: 1, body: 'hello' }]);
    const rows = await ch.query<{ db: string; body: string }>('SELECT currentDatabase() AS db, body FROM notes');
    assert.deepEqual(rows, [{ db: ch.database, body: 'hello' }]);
    assert.equal(ch.table('notes'), `\`${ch.database}\`.\`notes\``);
    assert.deepEqual(await ch.query(`SELECT count() AS n FROM ${ch.table('notes')}`), [{ n: 1 }]);
  });

  test('strings with quotes, backslashes, newlines and unicode round-trip through insert and params', async () => {
    const ch = await open();
    await ch.exec('CREATE TABLE texts (id UInt32, body String, tags Array(String), attrs Map(String, String)) ENGINE = MergeTree ORDER BY id');
    const rows = TRICKY.map((body, id) => ({ id, body, tags: [body, 'x'], attrs: { [body]: body } }));
    await ch.insert('texts', rows);
    assert.deepEqual(await ch.query('SELECT id, body, tags, attrs FROM texts ORDER BY id'), rows);
    for (const [id, body] of TRICKY.entries()) {
      const found = await ch.query<{ id: number }>('SELECT id FROM texts WHERE body = {body:String}', { body });
      assert.deepEqual(found, [{ id }], `param ${JSON.stringify(body)}`);
    }
  });

  test('a bound parameter carrying SQL is only ever a value', async () => {
    const ch = await open();
    await ch.exec('CREATE TABLE users (email String) ENGINE = MergeTree ORDER BY email');
    await ch.insert('users', [{ email: 'a@example.com' }, { email: 'b@example.com' }]);
    for (const attack of ["' OR 1=1 --", "a@example.com' OR '1'='1", 'x\\\' OR 1=1 --', 'a@example.com; DROP TABLE users']) {
      assert.deepEqual(await ch.query('SELECT email FROM users WHERE email = {email:String}', { email: attack }), []);
    }
    assert.deepEqual(await ch.query('SELECT count() AS n FROM users'), [{ n: 2 }]);
    assert.deepEqual(
      await ch.query('SELECT email FROM users WHERE email IN {emails:Array(String)} ORDER BY email', { emails: ['b@example.com', "' OR 1=1 --"] }),
      [{ email: 'b@example.com' }],
    );
  });

  test('64-bit integers come back as numbers and date-times as ISO UTC strings', async () => {
    const ch = await open();
    const at = Date.UTC(2024, 4, 1, 10, 11, 12, 345);
    const rows = await ch.query(
      `SELECT toUInt64(12345678901) AS big, toInt64(-5) AS neg, count() AS n,
              {at:DateTime64(3, 'UTC')} AS from_date, {text:DateTime64(3, 'UTC')} AS from_text,
              fromUnixTimestamp64Milli({ms:Int64}, 'UTC') AS from_ms, toDateTime('2024-05-01 10:11:12', 'UTC') AS plain,
              CAST(NULL AS Nullable(DateTime64(3, 'UTC'))) AS missing, {flag:Bool} AS flag
       FROM system.one`,
      { at: new Date(at), text: formatDateTime64(at), ms: at, flag: true },
    );
    assert.deepEqual(rows, [{
      big: 12345678901, neg: -5, n: 1,
      from_date: '2024-05-01T10:11:12.345Z', from_text: '2024-05-01T10:11:12.345Z', from_ms: '2024-05-01T10:11:12.345Z',
      plain: '2024-05-01T10:11:12Z', missing: null, flag: true,
    }]);
  });

  test('the same rows inserted twice with the same dedup token are stored once', async () => {
    const ch = await open();
    await ch.exec('CREATE TABLE log (id UInt32, v String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 1000');
    const batch = Array.from({ length: 100 }, (_, id) => ({ id, v: `row ${id}` }));
    await ch.insert('log', batch, { dedupToken: 'topic-0:0-99' });
    await ch.insert('log', batch, { dedupToken: 'topic-0:0-99' });
    assert.deepEqual(await ch.query('SELECT count() AS n FROM log'), [{ n: 100 }]);
    await ch.insert('log', batch, { dedupToken: 'topic-0:100-199' });
    assert.deepEqual(await ch.query('SELECT count() AS n FROM log'), [{ n: 200 }]);
  });

  test('a 50k-row batch is inserted whole, and its retry with the same token adds nothing', async () => {
    const ch = await openClickHouse({ ...config(), maxInsertChunkBytes: 1024 * 1024 });
    opened.push(ch);
    await ch.exec('CREATE TABLE big (id UInt32, raw String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 1000');
    const rows = Array.from({ length: 50_000 }, (_, id) => ({ id, raw: JSON.stringify({ id, note: 'x'.repeat(100), q: `"${id}"` }) }));
    await ch.insert('big', rows, { dedupToken: 'big-batch' });
    await ch.insert('big', rows, { dedupToken: 'big-batch' });
    assert.deepEqual(await ch.query('SELECT count() AS n, uniqExact(id) AS ids, sum(length(raw)) AS bytes FROM big'), [{
      n: 50_000, ids: 50_000, bytes: rows.reduce((sum, r) => sum + Buffer.byteLength(r.raw), 0),
    }]);
  });

  test('an invalid statement fails with AW_CLICKHOUSE_FAILED carrying the engine code and type', async () => {
    const ch = await open();
    const syntax = await failure(ch.query('SELEC 1'));
    assert.equal(syntax.details.code, 62);
    assert.equal(syntax.details.type, 'SYNTAX_ERROR');
    assert.equal(syntax.retriable, false);
    const unknown = await failure(ch.query('SELECT * FROM no_such_table'));
    assert.equal(unknown.details.code, 60);
    assert.equal(unknown.details.type, 'UNKNOWN_TABLE');
    const badParam = await failure(ch.query("SELECT {t:DateTime64(3, 'UTC')} AS t", { t: 'not a time' }));
    assert.equal(typeof badParam.details.code, 'number');
    const badRow = await failure(ch.insert('no_such_table', [{ a: 1 }]));
    assert.equal(badRow.details.code, 60);
    await failure(ch.insert('bad-name', [{ a: 1 }]));
  });

  test('two databases in one process stay separate', async () => {
    const one = await open();
    const two = await open();
    for (const [ch, value] of [[one, 'one'], [two, 'two']] as const) {
      await ch.exec('CREATE TABLE t (v String) ENGINE = MergeTree ORDER BY v');
      await ch.insert('t', [{ v: value }]);
    }
    const reads = await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const ch = i % 2 === 0 ? one : two;
      return ch.query<{ v: string; i: number }>('SELECT v, {i:UInt32} AS i FROM t', { i });
    }));
    reads.forEach((rows, i) => assert.deepEqual(rows, [{ v: i % 2 === 0 ? 'one' : 'two', i }]));
  });

  test('handles opened on the same data folder and database share it; closing one leaves the other working', async () => {
    const database = `aw_test_${randomBytes(6).toString('hex')}`;
    const first = await openClickHouse(config(database));
    const second = await open(database);
    await first.exec('CREATE TABLE shared (v UInt8) ENGINE = MergeTree ORDER BY v');
    await second.insert('shared', [{ v: 7 }]);
    await first.close();
    await first.close();
    assert.deepEqual(await second.query('SELECT v FROM shared'), [{ v: 7 }]);
    const closed = await failure(first.query('SELECT 1'));
    assert.equal(closed.retriable, false);
  });

  test('embedded: a second data folder is refused while one is open', { skip: process.env.CLICKHOUSE_URL ? 'embedded only' : false }, async () => {
    await open();
    const refused = await failure(openClickHouse({ ...config(), dataDir: path.join(dataDir, 'another-folder') }));
    assert.match(refused.message, /one data folder per process/);
    assert.equal(refused.retriable, false);
  });

  test('refuses a database name that is not a plain identifier', async () => {
    await failure(openClickHouse(config('bad-name; DROP')));
  });
});
