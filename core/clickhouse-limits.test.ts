import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isQueryLimitError, openClickHouse, settingsClause, withQuerySettings, type ClickHouse } from './clickhouse.js';
import { isAppwardenError } from './errors.js';
import { silentLogger } from './logger.js';
import { freshDir } from '../test/support/fresh.js';

// The backend the environment selects: a server when CLICKHOUSE_URL is set, else embedded chdb.
let ch: ClickHouse;

before(async () => {
  ch = await openClickHouse({
    dataDir: freshDir('appwarden-ch-limits'),
    database: `aw_limits_${randomBytes(6).toString('hex')}`,
    log: silentLogger,
    ...(process.env.CLICKHOUSE_URL ? { url: process.env.CLICKHOUSE_URL } : {}),
    ...(process.env.CLICKHOUSE_USER ? { username: process.env.CLICKHOUSE_USER } : {}),
    ...(process.env.CLICKHOUSE_PASSWORD ? { password: process.env.CLICKHOUSE_PASSWORD } : {}),
  });
});

after(async () => {
  if (process.env.CLICKHOUSE_URL) await ch.exec(`DROP DATABASE IF EXISTS \`${ch.database}\``).catch(() => {});
  await ch?.close();
});

// Far more work than a fraction of a second allows, in any engine.
const HEAVY = 'SELECT count() AS n FROM numbers(100000000000) WHERE sipHash64(number) % {m:UInt64} = 3';

describe('per-query limits', () => {
  test('a query past max_execution_time stops with the engine\'s TIMEOUT_EXCEEDED, recognized as a query limit', async () => {
    const err = await ch.query(HEAVY, { m: 7 }, { settings: { max_execution_time: 0.2 } }).then(() => null, (e: unknown) => e);
    assert.ok(isAppwardenError(err, 'AW_CLICKHOUSE_FAILED'), String(err));
    assert.equal(err.details.code, 159);
    assert.ok(isQueryLimitError(err));
  });

  test('a query past max_memory_usage stops with MEMORY_LIMIT_EXCEEDED, recognized as a query limit', async () => {
    const err = await ch.query('SELECT groupArray(number) AS a FROM numbers(100000000)', {}, { settings: { max_memory_usage: 10_000_000 } }).then(() => null, (e: unknown) => e);
    assert.ok(isAppwardenError(err, 'AW_CLICKHOUSE_FAILED'), String(err));
    assert.equal(err.details.code, 241);
    assert.ok(isQueryLimitError(err));
  });

  test('withQuerySettings puts its limits on every query, and a query\'s own settings win', async () => {
    const limited = withQuerySettings(ch, { max_execution_time: 0.2 });
    await assert.rejects(limited.query(HEAVY, { m: 7 }), (e: unknown) => isQueryLimitError(e));
    const [row] = await limited.query<{ n: number }>('SELECT count() AS n FROM numbers(1000)');
    assert.equal(row?.n, 1000, 'a light query is answered');
    const [setting] = await limited.query<{ value: string }>("SELECT value FROM system.settings WHERE name = 'max_execution_time'", {}, { settings: { max_execution_time: 7 } });
    assert.equal(Number(setting?.value), 7);
  });

  test('an engine failure that is not a limit is not taken for one', async () => {
    const err = await ch.query('SELECT * FROM no_such_table').then(() => null, (e: unknown) => e);
    assert.ok(isAppwardenError(err, 'AW_CLICKHOUSE_FAILED'));
    assert.equal(isQueryLimitError(err), false);
  });

  test('settings are numbers written into the clause, nothing else', () => {
    assert.equal(settingsClause({ max_execution_time: 1.5, max_memory_usage: 1000 }), 'SETTINGS max_execution_time = 1.5, max_memory_usage = 1000');
    assert.equal(settingsClause({}), '');
    assert.throws(() => settingsClause({ max_execution_time: '1; DROP TABLE x' as unknown as number }), /must be a number/);
  });
});
