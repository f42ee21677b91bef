import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createKafkaBus, type KafkaBus } from '../../core/kafka.js';
import { silentLogger } from '../../core/logger.js';
import { eventId } from '../../schemas/event-id.js';
import type { AuditEvent } from '../../schemas/types.js';
import { freshName, testBrokers } from '../../test/support/fresh.js';
import type { ActivityStream, NormalizeContext, TimeWindow } from '../contract.js';
import { ActivityPoller } from './activity-poller.js';
import { CursorStore } from './cursor-store.js';
import { EventPublisher } from './publisher.js';
import { newStreamStatus } from './stream-status.js';

const buses: KafkaBus[] = [];
after(async () => {
  for (const bus of buses) {
    await bus.deleteTopics().catch(() => undefined);
    await bus.disconnect();
  }
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse('2024-06-01T12:00:00.000Z');

/** A record dated `t` that the provider lists only from `visibleAt` on (an event hours late). */
interface Rec { id: string; t: number; visibleAt: number }

/** A stream filtered by event time, as the providers' APIs are: it returns what is visible now in the window. */
function stream(records: Rec[], clock: { now: number }): ActivityStream & { windows: Array<TimeWindow & { at: number }> } {
  return {
    name: 'test/late', capabilities: ['activities:user'], permission: 'test.read', order: 'asc', windows: [],
    async *read(window: TimeWindow) {
      this.windows.push({ ...window, at: clock.now });
      yield records.filter((r) => r.visibleAt <= clock.now && r.t >= window.since && r.t < window.until).sort((a, b) => a.t - b.t);
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

/** Polls every minute for `hours`, with the event `late` visible 3 h after its time; answers what was published. */
async function run(activities: { trailingWindowMs: number; latenessMs?: number; lateSweepEveryMs?: number }, hours: number) {
  const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'late-test', prefix: freshName('late'), partitions: 1, replicationFactor: 1, log: silentLogger });
  buses.push(bus);
  await bus.ensureTopics();
  const cursors = new CursorStore(bus, silentLogger);
  await cursors.load();
  const clock = { now: START };
  const records: Rec[] = [
    { id: 'on-time', t: START + 10 * MINUTE, visibleAt: START + 10 * MINUTE },
    { id: 'late', t: START + 20 * MINUTE, visibleAt: START + 20 * MINUTE + 3 * HOUR },
  ];
  const s = stream(records, clock);
  const settings = { initialLookbackMs: HOUR, maxWindowMs: 24 * HOUR, settleMs: 0, ...activities };
  const published: string[] = [];
  const publisher = new EventPublisher(bus);
  const counting = Object.assign(Object.create(publisher) as EventPublisher, {
    publishActivities: async (...args: Parameters<EventPublisher['publishActivities']>) => {
      const outcome = await publisher.publishActivities(...args);
      published.push(...outcome.published.map((e) => JSON.parse(e.raw).id as string));
      return outcome;
    },
  });
  const p = new ActivityPoller({ provider: 'okta', instance: 'main', stream: s.name }, s, normalize, settings, cursors, counting,
    newStreamStatus(s.name, 'activities'), silentLogger, () => clock.now);
  for (; clock.now <= START + hours * HOUR; clock.now += MINUTE) await p.poll(new AbortController().signal);
  return { published, windows: s.windows };
}

describe('events visible hours after their time', () => {
  test('late by more than the trailing window, with no lateness window: never read (what the window is for)', async () => {
    const { published } = await run({ trailingWindowMs: 15 * MINUTE }, 5);
    assert.deepEqual(published, ['on-time']);
  });

  test('a lateness window reads it on its next sweep, once; the polls between sweeps re-read only the trailing window', async () => {
    const { published, windows } = await run({ trailingWindowMs: 15 * MINUTE, latenessMs: 24 * HOUR, lateSweepEveryMs: 30 * MINUTE }, 5);
    assert.deepEqual(published, ['on-time', 'late'], 'each event published once');
    // How far back each poll reached (its first window), after the first poll.
    const firsts = windows.filter((w, i) => w.at > START && (i === 0 || windows[i - 1]!.at !== w.at));
    const reach = firsts.map((w) => w.at - w.since);
    const sweeps = reach.filter((r) => r > HOUR).length;
    assert.ok(sweeps >= 9 && sweeps <= 12, `about one sweep every 30 min over 5 h (${sweeps})`);
    assert.ok(reach.filter((r) => r <= 17 * MINUTE).length === reach.length - sweeps, 'the other polls reach back the trailing window only');
  });
});
