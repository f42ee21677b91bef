import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import pino from 'pino';
import { AppwardenError, ProviderHttpError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { buildAccountEvent } from '../../schemas/account-event.js';
import { freshDir } from '../../test/support/fresh.js';
import { freshBuses } from '../../test/support/fresh-bus.js';
import type { ChangePage, ChangeStream, SnapshotContext, SnapshotStream } from '../contract.js';
import { ChangePoller } from './change-poller.js';
import { CursorStore } from './cursor-store.js';
import { untilRefused } from './feed-restart.js';
import { EventPublisher } from './publisher.js';
import { SnapshotScanner } from './snapshot-scanner.js';
import { feedRestartsOf, newStreamStatus } from './stream-status.js';
import { scanTask } from './stream-task.js';

const freshBus = freshBuses('chg');

function captured(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { log: pino({ level: 'info' }, sink), lines };
}

const user = (raw: unknown, ctx: SnapshotContext) => {
  const id = (raw as { id: string }).id;
  return buildAccountEvent('okta', ctx, 'user', [id], { type: 'user', id, email: `${id}@example.com`, name: id }, { status: 'active', raw: JSON.stringify(raw) });
};

/** The directory the scan reads: the users as they are now. */
function directory(users: string[]): SnapshotStream<'user'> {
  return {
    name: 'accounts', topic: 'account', kinds: { user }, capabilities: ['accounts'], permission: 'directory.read',
    async *read() {
      yield { items: users.map((id) => ({ kind: 'user' as const, raw: { id } })) };
    },
  };
}

/** A feed whose cursor `expired` the provider refuses: the stream restarts from `now` and says so in the page. */
function feed(pages: Record<string, ChangePage<'user'>>): ChangeStream<'user'> {
  return {
    name: 'users/changes', topic: 'account', kinds: { user }, capabilities: ['accounts'], permission: 'directory.read',
    initialCursor: async () => 'start',
    async *read(cursor) {
      const page = pages[cursor];
      if (page) yield page;
    },
  };
}

const HOUR = 3_600_000;
const SCHEDULE = { activitiesEveryMs: HOUR, accountsEveryMs: HOUR, filesEveryMs: HOUR, changesEveryMs: HOUR, permissionsRecheckMs: HOUR, unavailableRecheckMs: HOUR };

describe('a change feed restarted from the present', () => {
  test('the poll succeeds, the new cursor and the restart are saved, one warning names the part, and the covering scan is due until a scan started after it completes', async () => {
    const bus = await freshBus();
    const cursors = new CursorStore(bus, silentLogger);
    await cursors.load();
    const publisher = new EventPublisher(bus);
    const ref = (stream: string) => ({ provider: 'okta' as const, instance: 'main', stream });
    const users = ['ann', 'bob'];
    const scan = directory(users);
    const scanner = new SnapshotScanner(ref(scan.name), scan, cursors, publisher, newStreamStatus(scan.name, 'snapshot'), silentLogger, freshDir('change-poller'));
    const stream = feed({
      start: { items: [{ kind: 'user', raw: { id: 'ann' } }], cursor: 'expired' },
      expired: { items: [], cursor: 'now', restarted: [{ part: 'user:ann@example.com', reason: 'GET /changes answered 400' }] },
    });
    const { log, lines } = captured();
    let wanted = 0;
    const poller = new ChangePoller(ref(stream.name), stream, cursors, publisher, newStreamStatus(stream.name, 'changes'), log,
      { name: scan.name, known: (ids) => scanner.known(ids), wanted: () => { wanted++; } });
    const task = scanTask(scan.name, scan, scanner, SCHEDULE, () => poller.rescanWantedAt());
    const signal = new AbortController().signal;
    const position = () => cursors.get(CursorStore.key('okta', 'main', stream.name))?.position;

    await scanner.scan(signal);
    assert.ok(task.dueAt() > Date.now(), 'the scan just completed: the next one is an hour away');
    await poller.poll(signal);
    assert.equal(position()?.cursor, 'expired');
    assert.equal(poller.rescanWantedAt(), null, 'no restart yet');

    // The provider refuses the saved cursor: the poll goes on from the present.
    await poller.poll(signal);
    assert.equal(position()?.cursor, 'now', 'the new cursor is saved');
    const restarts = feedRestartsOf(position());
    assert.deepEqual(restarts && [restarts.count, restarts.parts, restarts.reason], [1, ['user:ann@example.com'], 'GET /changes answered 400']);
    assert.equal(wanted, 1, 'the covering scan was asked for');
    await new Promise((resolve) => setImmediate(resolve));
    const warnings = lines.filter((l) => l.level === pino.levels.values.warn);
    assert.equal(warnings.length, 1);
    assert.deepEqual([warnings[0]!.stream, warnings[0]!.parts, warnings[0]!.rescan], [stream.name, ['user:ann@example.com'], 'accounts']);
    assert.match(String(warnings[0]!.msg), /restarts from the present/);
    assert.ok(task.dueAt() <= Date.now(), 'the scan that covers the gap is due now, not in an hour');

    await scanner.scan(signal);
    assert.ok(task.dueAt() > Date.now(), 'a scan started after the restart covers it');
    // The next poll reads on from the new cursor; the restart stays recorded.
    await poller.poll(signal);
    assert.equal(feedRestartsOf(position())?.count, 1);
  });

  test('a restart saved by an earlier process still makes the scan due: the request lives with the cursor', async () => {
    const bus = await freshBus();
    const cursors = new CursorStore(bus, silentLogger);
    await cursors.load();
    const publisher = new EventPublisher(bus);
    const ref = (stream: string) => ({ provider: 'okta' as const, instance: 'main', stream });
    const scan = directory(['ann']);
    const scanner = new SnapshotScanner(ref(scan.name), scan, cursors, publisher, newStreamStatus(scan.name, 'snapshot'), silentLogger, freshDir('change-poller'));
    await scanner.scan(new AbortController().signal);
    const stream = feed({ start: { items: [], cursor: 'now', restarted: [{ reason: 'refused' }] } });
    const first = new ChangePoller(ref(stream.name), stream, cursors, publisher, newStreamStatus(stream.name, 'changes'), silentLogger, null);
    await first.poll(new AbortController().signal);

    // Another process loads the cursors: the restart it finds was not followed by a scan.
    const reloaded = new CursorStore(bus, silentLogger);
    await reloaded.load();
    const again = new ChangePoller(ref(stream.name), stream, reloaded, publisher, newStreamStatus(stream.name, 'changes'), silentLogger, null);
    const rescanner = new SnapshotScanner(ref(scan.name), scan, reloaded, publisher, newStreamStatus(scan.name, 'snapshot'), silentLogger, freshDir('change-poller'));
    const task = scanTask(scan.name, scan, rescanner, SCHEDULE, () => again.rescanWantedAt());
    assert.ok(task.dueAt() <= Date.now());
    assert.deepEqual(feedRestartsOf(reloaded.get(CursorStore.key('okta', 'main', stream.name))?.position)?.parts, ['*'], 'the whole feed restarted');
  });

  test('a cursor refused again before it was ever read did not expire: the poll fails instead of restarting and rescanning over and over', async () => {
    const bus = await freshBus();
    const cursors = new CursorStore(bus, silentLogger);
    await cursors.load();
    const ref = { provider: 'okta' as const, instance: 'main', stream: 'users/changes' };
    const refusal = { items: [], restarted: [{ part: 'user:ann@example.com', reason: 'GET /changes answered 400' }] };
    // `stale` is refused (restart to `fresh`); `fresh` is refused too until the provider mends, then read.
    const pages: Record<string, ChangePage<'user'>> = { start: { items: [], cursor: 'stale' }, stale: { ...refusal, cursor: 'fresh' }, fresh: { ...refusal, cursor: 'fresher' } };
    const stream = feed(pages);
    const { log, lines } = captured();
    let wanted = 0;
    const poller = new ChangePoller(ref, stream, cursors, new EventPublisher(bus), newStreamStatus(stream.name, 'changes'), log,
      { name: 'accounts', known: async () => new Map(), wanted: () => { wanted++; } });
    const signal = new AbortController().signal;
    const position = () => cursors.get(CursorStore.key('okta', 'main', stream.name))?.position;
    await poller.poll(signal);
    await poller.poll(signal);
    assert.equal(position()?.cursor, 'fresh');
    for (let i = 0; i < 2; i++) {
      await assert.rejects(poller.poll(signal), (err: unknown) => err instanceof AppwardenError && err.code === 'AW_PROVIDER_CONTINUATION_EXPIRED' && /user:ann@example.com/.test(err.message));
    }
    assert.deepEqual([position()?.cursor, feedRestartsOf(position())?.count, wanted], ['fresh', 1, 1], 'no second restart, no second scan');

    // The provider accepts the cursor again: the feed reads on, and a later refusal is an expiry again.
    pages.fresh = { items: [{ kind: 'user', raw: { id: 'ann' } }], cursor: 'later' };
    await poller.poll(signal);
    pages.later = { ...refusal, cursor: 'newest' };
    await poller.poll(signal);
    assert.deepEqual([position()?.cursor, feedRestartsOf(position())?.count, wanted], ['newest', 2, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.filter((l) => l.level === pino.levels.values.warn).length, 2);
  });

  test('untilRefused turns the refusal of the pages themselves into a restart, not an error of what is done with a page', async () => {
    const refusal = new ProviderHttpError('AW_PROVIDER_CONTINUATION_EXPIRED', 'GET /drive/v3/changes answered 400', {
      httpStatus: 400, details: { body: '{"error":{"code":400,"message":"Invalid Value"}}' },
    });
    async function* pages(failWith: unknown) {
      yield 1;
      throw failWith;
    }
    const read: unknown[] = [];
    for await (const r of untilRefused(pages(refusal), 'user:ann@example.com')) read.push(r.refused ?? r.page);
    assert.deepEqual(read, [1, { part: 'user:ann@example.com', reason: 'GET /drive/v3/changes answered 400: {"error":{"code":400,"message":"Invalid Value"}}' }]);

    const other = new AppwardenError('AW_PROVIDER_UNAVAILABLE', 'down');
    await assert.rejects(async () => { for await (const r of untilRefused(pages(other))) void r; }, /down/, 'any other failure of the pages fails the pass');
    await assert.rejects(async () => {
      for await (const r of untilRefused(pages(other))) if (r.page === 1) throw refusal;
    }, /answered 400/, "a refusal thrown by the caller's handling of a page is the caller's");
  });
});
