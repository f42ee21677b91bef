/** The Salesforce connector against its simulator: a query locator Salesforce refuses mid-read. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../core/logger.js';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../simulators/salesforce/index.js';
import { readWithExpiryMidRead } from '../../test/support/expired-continuation.js';
import { simulatorConfig } from '../../test/support/simulators.js';
import type { ConnectorInstance } from '../contract.js';
import { createConnector } from '../runtime/connector-factory.js';
import { isoTime } from '../runtime/provider-time.js';
import { salesforce } from './index.js';

let sim: SalesforceSimulator;
let connector: ConnectorInstance;
const stop = new AbortController();

before(async () => {
  // Pages of 50 rows (the simulator's largest page; the client asks for at least 200).
  sim = await startSalesforceSimulator({ log: silentLogger, seed: 'salesforce-connector-test', users: 8, loginsPerDay: 300, days: 1, batchSize: 50 });
  connector = createConnector(salesforce, 'main', simulatorConfig('salesforce', sim), silentLogger, stop.signal);
});
after(async () => {
  stop.abort();
  await sim.close();
});

test('a query locator refused mid-window (400 INVALID_QUERY_LOCATOR): the window is read again from the last page read, every row of it read', async () => {
  const stream = connector.activityStreams.find((s) => s.name === 'login_history')!;
  // LoginHistory is live: the window ends now, so no row made while it is read belongs to it.
  const now = Date.now();
  const window = { since: now - 2 * 86_400_000, until: now };
  const inWindow = (r: { LoginTime?: unknown }) => { const t = isoTime(r.LoginTime); return t !== null && t >= window.since && t < window.until; };
  const expected = sim.rows('LoginHistory').filter(inWindow).map((r) => String(r.Id));
  assert.ok(expected.length > 150, `the window needs several pages of 50 (${expected.length} rows)`);
  const read = await readWithExpiryMidRead(sim.url, stream, window, stop.signal);
  assert.equal(read.injected, 1, 'the first nextRecordsUrl was refused');
  const ids = read.records.map((r) => String((r as { Id: string }).Id));
  assert.deepEqual([...new Set(ids)].sort(), [...expected].sort(), 'every row of the window, none missing');
  assert.equal(read.warnings.length, 1);
  assert.deepEqual([read.warnings[0]!.provider, read.warnings[0]!.stream], ['test', 'login_history']);
  const firstPageNewest = Math.max(...read.records.slice(0, 50).map((r) => isoTime((r as { LoginTime: string }).LoginTime)!));
  assert.equal(read.warnings[0]!.restartFrom, new Date(firstPageNewest).toISOString(), 'restarted at the last page read, not the window start');
  assert.ok(ids.length < expected.length + 50, `only the refused page's neighbourhood is read twice (${ids.length} for ${expected.length})`);
});
