import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppwardenError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { eventId } from '../../schemas/event-id.js';
import type { AuditEvent } from '../../schemas/types.js';
import { freshBuses } from '../../test/support/fresh-bus.js';
import type { ActivityStream, NormalizeContext, TimeWindow } from '../contract.js';
import { ActivityPoller } from './activity-poller.js';
import { CursorStore } from './cursor-store.js';
import { EventPublisher } from './publisher.js';
import { newStreamStatus } from './stream-status.js';

const freshBus = freshBuses('poller');

const HOUR = 3_600_000;
const NOW = Date.parse('2024-06-01T12:00:00.000Z');
const SETTINGS = { initialLookbackMs: 2 * HOUR, trailingWindowMs: 0, maxWindowMs: 4 * HOUR, settleMs: 0 };

interface Rec { id: string; t: number }

/**
 * A stream over fixed records, read in pages of two in `order`; it fails on page `failAt` while `failAt` is set,
 * and refuses the continuation to page `expireAt` as expired `expiries` times.
 */
function stream(order: 'asc' | 'desc', records: Rec[]): ActivityStream & { failAt: number | null; expireAt: number; expiries: number; windows: TimeWindow[] } {
  return {
    name: `test/${order}`,
    capabilities: ['activities:user'],
    permission: 'test.read',
    order,
    failAt: null,
    expireAt: 1,
    expiries: 0,
    windows: [],
    async *read(window: TimeWindow) {
      this.windows.push(window);
      const inWindow = records.filter((r) => r.t >= window.since && r.t < window.until).sort((a, b) => (order === 'asc' ? a.t - b.t : b.t - a.t));
      for (let page = 0; page * 2 < inWindow.length; page++) {
        if (this.failAt === page) throw new AppwardenError('AW_PROVIDER_UNAVAILABLE', 'page failed');
        if (this.expireAt === page && this.expiries > 0) {
          this.expiries--;
          throw new AppwardenError('AW_PROVIDER_CONTINUATION_EXPIRED', 'page token expired');
        }
        yield inWindow.slice(page * 2, page * 2 + 2);
      }
    },
    timeOf: (raw) => (raw as Rec).t,
  };
}

function normalize(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const r = raw as Rec;
  return {
    event_id: eventId('okta', ctx.instance, r.id), provider: 'okta', instance: ctx.instance, occurred_at: r.t, ingested_at: ctx.ingestedAt,
    category: 'logon', action: 'login', action_raw: 'test', outcome: 'unknown', outcome_reason: null, severity: null,
    actor: { id: null, email: null, name: null, type: 'unknown' }, targets: [], source: { ip: null, user_agent: null, country: null, city: null },
    session_id: null, request_id: null, class_uid: 3002, activity_id: 1, attributes: {}, raw: JSON.stringify(r),
  };
}

async function poller(order: 'asc' | 'desc', records: Rec[]) {
  const bus = await freshBus();
  const cursors = new CursorStore(bus, silentLogger);
  await cursors.load();
  const s = stream(order, records);
  const p = new ActivityPoller({ provider: 'okta', instance: 'main', stream: s.name }, s, normalize, SETTINGS, cursors, new EventPublisher(bus),
    newStreamStatus(s.name, 'activities'), silentLogger, () => NOW);
  const readUntil = () => cursors.get(CursorStore.key('okta', 'main', s.name))?.position.readUntil;
  return { s, p, readUntil };
}

// Five records in the one window [NOW - 2h, NOW): three pages of two.
const RECORDS: Rec[] = [1, 2, 3, 4, 5].map((i) => ({ id: `r${i}`, t: NOW - 2 * HOUR + i * 60_000 }));

describe('ActivityPoller and the order of a stream', () => {
  test('the normalizer is told which stream read a record and its zone; a dead letter keeps the zone for its replay', async () => {
    const bus = await freshBus();
    const cursors = new CursorStore(bus, silentLogger);
    await cursors.load();
    const s = { ...stream('asc', RECORDS.slice(0, 2)), timeZone: 'Asia/Tokyo' };
    const seen: NormalizeContext[] = [];
    const zoned = (raw: unknown, ctx: NormalizeContext): AuditEvent => {
      seen.push(ctx);
      if ((raw as Rec).id === 'r2') throw new AppwardenError('AW_NORMALIZE_FAILED', 'r2 is broken', { details: { field: 'id' } });
      return normalize(raw, ctx);
    };
    const ref = { provider: 'okta', instance: 'main', stream: s.name, timeZone: s.timeZone };
    const p = new ActivityPoller(ref, s, zoned, SETTINGS, cursors, new EventPublisher(bus), newStreamStatus(s.name, 'activities'), silentLogger, () => NOW);
    await p.poll(new AbortController().signal);
    assert.deepEqual(seen.map((c) => [c.stream, c.timeZone]), [[s.name, 'Asia/Tokyo'], [s.name, 'Asia/Tokyo']]);
    const letters = (await bus.readCompactedTopic(bus.topics.deadLetter, { timeoutMs: 30_000 })).map((r) => JSON.parse(r.value!.toString('utf8')) as Record<string, unknown>);
    assert.deepEqual(letters.map((l) => [l.stream, l.timeZone, l.field]), [[s.name, 'Asia/Tokyo', 'id']]);
  });

  test('oldest first: the cursor follows each acknowledged page, so a failed page keeps what came before', async () => {
    const { s, p, readUntil } = await poller('asc', RECORDS);
    s.failAt = 1;
    await assert.rejects(p.poll(new AbortController().signal), /page failed/);
    assert.equal(readUntil(), RECORDS[1]!.t, 'the cursor moved to the newest record of the first page');
    s.failAt = null;
    await p.poll(new AbortController().signal);
    assert.equal(readUntil(), NOW);
  });

  test('newest first: a failed page leaves the cursor where it was; the window is re-read whole and saved at its end', async () => {
    const { s, p, readUntil } = await poller('desc', RECORDS);
    s.failAt = 1;
    await assert.rejects(p.poll(new AbortController().signal), /page failed/);
    assert.equal(readUntil(), undefined, 'no cursor after a window whose older pages were not read');
    assert.equal(p.status.published, 2, 'the first page was published');
    s.failAt = null;
    await p.poll(new AbortController().signal);
    assert.equal(readUntil(), NOW, 'saved at the end of the window');
    assert.deepEqual(s.windows.map((w) => w.since), [NOW - 2 * HOUR, NOW - 2 * HOUR], 'the retry re-read the same window from its start');
    assert.equal(p.status.published, 5, 'every record published once');
    assert.equal(p.status.repeated, 2, 'the first page, read again, was not sent again');
  });

  test('oldest first: a continuation refused as expired re-reads the window from the saved cursor, in the same poll', async () => {
    const { s, p, readUntil } = await poller('asc', RECORDS);
    s.expiries = 1;
    await p.poll(new AbortController().signal);
    assert.deepEqual(s.windows.map((w) => [w.since, w.until]), [[NOW - 2 * HOUR, NOW], [RECORDS[1]!.t, NOW]], 'again from the first page\'s newest record');
    assert.equal(readUntil(), NOW);
    assert.equal(p.status.published, 5, 'every record published once');
  });

  test('newest first: a continuation refused as expired re-reads the window from its start; refused every time, the poll fails', async () => {
    const { s, p, readUntil } = await poller('desc', RECORDS);
    s.expiries = 1;
    await p.poll(new AbortController().signal);
    assert.deepEqual(s.windows.map((w) => w.since), [NOW - 2 * HOUR, NOW - 2 * HOUR]);
    assert.equal(p.status.published, 5);
    const again = await poller('desc', RECORDS);
    again.s.expiries = 10;
    await assert.rejects(again.p.poll(new AbortController().signal), /page token expired/);
    assert.equal(again.s.windows.length, 4, 'the first read and three restarts');
    assert.equal(again.readUntil(), undefined);
    assert.equal(readUntil(), NOW);
  });
});
