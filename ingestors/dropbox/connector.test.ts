/** The Dropbox connector against its simulator: a team_log cursor Dropbox refuses mid-read; a list_folder cursor it resets. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../core/logger.js';
import { simulatorFaults } from '../../simulators/common/faults.js';
import { startDropboxSimulator, type DropboxSimulator } from '../../simulators/dropbox/index.js';
import { readWithExpiryMidRead } from '../../test/support/expired-continuation.js';
import { simulatorConfig } from '../../test/support/simulators.js';
import type { ConnectorInstance } from '../contract.js';
import { createConnector } from '../runtime/connector-factory.js';
import { isoTime } from '../runtime/provider-time.js';
import { dropbox } from './index.js';

let sim: DropboxSimulator;
let connector: ConnectorInstance;
const stop = new AbortController();

before(async () => {
  sim = await startDropboxSimulator({ log: silentLogger, seed: 'dropbox-connector-test', members: 6, groups: 1, teamFolders: 1, filesPerMember: 4, eventsPerDay: 200, days: 1 });
  connector = createConnector(dropbox, 'main', simulatorConfig('dropbox', sim, { pageSize: 20 }), silentLogger, stop.signal);
});
after(async () => {
  stop.abort();
  await sim.close();
});

test('a team_log cursor refused mid-window (409 reset): the window is read again from the last page read, every event of it read', async () => {
  const stream = connector.activityStreams[0]!;
  // The team log is live: the window ends at a whole second already past, so no event made while it is read belongs to it.
  const until = Math.floor(Date.now() / 1000) * 1000;
  const window = { since: until - 2 * 86_400_000, until };
  const expected = sim.eventsBetween(window.since, window.until).map((e) => JSON.stringify(e));
  assert.ok(expected.length > 60, `the window needs several pages of 20 (${expected.length} events)`);
  const read = await readWithExpiryMidRead(sim.url, stream, window, stop.signal);
  assert.equal(read.injected, 1, 'the first get_events/continue was refused');
  assert.deepEqual([...new Set(read.records.map((r) => JSON.stringify(r)))].sort(), [...expected].sort(), 'every event of the window, none missing');
  assert.equal(read.warnings.length, 1);
  assert.deepEqual([read.warnings[0]!.provider, read.warnings[0]!.stream], ['test', 'team_log']);
  // Oldest first: the read restarts at the newest event of the page already handled, not at the window's start.
  const firstPageNewest = Math.max(...read.records.slice(0, 20).map((r) => isoTime((r as { timestamp: string }).timestamp)!));
  assert.equal(read.warnings[0]!.restartFrom, new Date(firstPageNewest).toISOString());
  assert.ok(read.records.length < expected.length + 20, `only the refused page's neighbourhood is read twice (${read.records.length} for ${expected.length})`);
});

test("a list_folder cursor Dropbox resets (409 reset): that space alone restarts from its present and says so; the others read on, and the new cursor works", async () => {
  const changes = connector.changeStreams![0]!;
  const read = async (cursor: string) => {
    const pages = [];
    for await (const page of changes.read(cursor, stop.signal)) pages.push(page);
    return pages;
  };
  const start = await changes.initialCursor(stop.signal);
  const spaces = Object.keys((JSON.parse(start) as { spaces: Record<string, string> }).spaces);
  assert.ok(spaces.length >= 2);
  // During the gap, a file in every space; Dropbox then resets the first space's cursor.
  const gap = new Map(spaces.map((space) => [space, sim.addFile(space, `/gap-${space.replace(/\W/g, '')}.txt`).id]));
  const faults = simulatorFaults(sim.url)!;
  const before = faults.injected.expired_token;
  faults.arm({ kind: 'expired_token', path: /^\/2\/files\/list_folder\/continue$/ });
  const pages = await read(start);
  assert.equal(faults.injected.expired_token - before, 1);
  const restarts = pages.flatMap((p) => p.restarted ?? []);
  assert.equal(restarts.length, 1);
  const refused = restarts[0]!.part!.replace(/^space:/, '');
  assert.equal(refused, spaces[0], 'the first space read was refused');
  assert.match(restarts[0]!.reason, /409 reset/);
  const ids = new Set(pages.flatMap((p) => p.items.map((i) => String((i.raw as { entry: { id: string } }).entry.id))));
  for (const [space, id] of gap) assert.equal(ids.has(id), space !== refused, `${space}'s gap file ${space === refused ? 'is not' : 'is'} in the feed`);

  // The saved cursor holds the refused space's new cursor: a file added now comes through.
  const cursor = pages.at(-1)!.cursor;
  const after = sim.addFile(refused, '/after-reset.txt');
  const next = await read(cursor);
  assert.ok(next.some((p) => p.items.some((i) => (i.raw as { entry: { id: string } }).entry.id === after.id)));
  assert.equal(next.flatMap((p) => p.restarted ?? []).length, 0);
});
