import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppwardenError } from '../../core/errors.js';
import type { KafkaBus } from '../../core/kafka.js';
import { silentLogger } from '../../core/logger.js';
import { buildAccountEvent } from '../../schemas/account-event.js';
import { decodeAs } from '../../schemas/registry.js';
import type { AccountEvent } from '../../schemas/types.js';
import { freshDir } from '../../test/support/fresh.js';
import { freshBuses } from '../../test/support/fresh-bus.js';
import type { SnapshotContext, SnapshotPage, SnapshotStream } from '../contract.js';
import { CursorStore } from './cursor-store.js';
import { EventPublisher } from './publisher.js';
import { SnapshotScanner } from './snapshot-scanner.js';
import { newStreamStatus } from './stream-status.js';

const freshBus = freshBuses('scan', 2);

/** A tenant's users and memberships, as a test changes them between scans. */
interface Tenant {
  users: string[];
  /** user id → group ids */
  groups: Map<string, string[]>;
}

/**
 * A directory read in pages of `pageSize` users (each with its memberships); the checkpoint is the
 * next page's number. It records the pages it was asked for, and can fail or stop at a page.
 */
/** The test directory's normalizer: a user, or a user's membership of a group. */
function accountOf(kind: 'user' | 'membership', raw: unknown, ctx: SnapshotContext): AccountEvent {
  const r = raw as { id?: string; group?: string };
  if (r.id === undefined) throw new AppwardenError('AW_NORMALIZE_FAILED', 'no id');
  const subject = { type: 'user' as const, id: r.id, email: `${r.id}@example.com`, name: r.id };
  if (kind === 'user') return buildAccountEvent('okta', ctx, 'user', [r.id], subject, { status: 'active', raw: JSON.stringify(r) });
  return buildAccountEvent('okta', ctx, 'membership', [r.group!, r.id], subject, { group: { id: r.group!, name: r.group! }, raw: JSON.stringify(r) });
}

function directory(tenant: Tenant, pageSize: number) {
  const control = { requested: [] as number[], failAt: null as number | null, abortAt: null as { page: number; ctl: AbortController } | null, skip: [] as string[], malformed: null as string | null, refuseResume: false };
  const stream: SnapshotStream = {
    name: 'accounts',
    topic: 'account',
    capabilities: ['accounts'],
    permission: 'directory.read',
    async *read(signal, resume): AsyncIterable<SnapshotPage> {
      if (resume !== undefined && control.refuseResume) throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', 'the page token expired');
      if (control.skip.length > 0) yield { items: [], skipped: control.skip };
      for (let page = resume === undefined ? 0 : Number(resume); page * pageSize < tenant.users.length; page++) {
        control.requested.push(page);
        if (control.failAt === page) throw new AppwardenError('AW_PROVIDER_UNAVAILABLE', 'the provider failed');
        const users = tenant.users.slice(page * pageSize, (page + 1) * pageSize);
        const items = users.flatMap((id) => [
          { kind: 'user', raw: id === control.malformed ? { broken: true } : { id } },
          ...(tenant.groups.get(id) ?? []).map((group) => ({ kind: 'membership', raw: { id, group } })),
        ]);
        yield { items, checkpoint: String(page + 1) };
        if (control.abortAt?.page === page) control.abortAt.ctl.abort();
        if (signal.aborted) return;
      }
    },
    kinds: {
      user: (raw, ctx) => accountOf('user', raw, ctx),
      membership: (raw, ctx) => accountOf('membership', raw, ctx),
    },
  };
  return { stream, control };
}

/** A process: a cursor store loaded from Kafka and a scanner over `stream`, with the data folder given. */
async function scannerOf(bus: KafkaBus, stream: SnapshotStream, dataDir: string): Promise<SnapshotScanner> {
  const cursors = new CursorStore(bus, silentLogger);
  await cursors.load();
  return new SnapshotScanner({ provider: 'okta', instance: 'main', stream: stream.name }, stream, cursors, new EventPublisher(bus), newStreamStatus(stream.name, 'snapshot'), silentLogger, dataDir);
}

/** The account topic's deletion events, with their Kafka keys. */
async function deletions(bus: KafkaBus): Promise<Array<{ key: string; event: AccountEvent }>> {
  const records = await bus.readCompactedTopic(bus.topics.account);
  return records.map((r) => ({ key: r.key!.toString(), event: decodeAs(r.value!, 'account-event').record })).filter((r) => r.event.deleted);
}

async function allEvents(bus: KafkaBus): Promise<Array<{ key: string; event: AccountEvent }>> {
  const records = await bus.readCompactedTopic(bus.topics.account);
  return records.map((r) => ({ key: r.key!.toString(), event: decodeAs(r.value!, 'account-event').record }));
}

const describeGone = (list: Array<{ event: AccountEvent }>) => list.map(({ event: e }) => `${e.kind}:${e.subject.id}${e.group ? `/${e.group.id}` : ''}`).sort();

function tenantOf(users: number): Tenant {
  const ids = Array.from({ length: users }, (_, i) => `u${String(i).padStart(6, '0')}`);
  return { users: ids, groups: new Map(ids.map((id, i) => [id, i % 3 === 0 ? ['g1'] : []])) };
}

describe('SnapshotScanner deletions', () => {
  test('after a complete scan, what the previous one saw and this one did not is deleted, with the same record id and key', async () => {
    const bus = await freshBus();
    const dataDir = freshDir('scan-data');
    const tenant = tenantOf(10);
    const { stream } = directory(tenant, 4);
    const scanner = await scannerOf(bus, stream, dataDir);
    await scanner.scan(new AbortController().signal);
    assert.deepEqual(await deletions(bus), [], 'the first scan has nothing to compare with');

    // u000003 leaves (user and membership), u000006 leaves group g1.
    tenant.users = tenant.users.filter((u) => u !== 'u000003');
    tenant.groups.set('u000006', []);
    const before = Date.now();
    await scanner.scan(new AbortController().signal);
    const gone = await deletions(bus);
    assert.deepEqual(describeGone(gone), ['membership:u000003/g1', 'membership:u000006/g1', 'user:u000003']);
    const all = await allEvents(bus);
    for (const { key, event } of gone) {
      const seen = all.find((r) => !r.event.deleted && r.event.record_id === event.record_id)!;
      assert.equal(key, seen.key, 'the Kafka key of its normal events');
      assert.deepEqual([event.kind, event.subject, event.group], [seen.event.kind, seen.event.subject, seen.event.group]);
      assert.ok(event.observed_at >= before && event.observed_at <= Date.now(), "observed at the scan's time");
      assert.equal(event.attributes.deleted_by, 'scan');
    }

    await scanner.scan(new AbortController().signal);
    assert.equal((await deletions(bus)).length, 3, 'a scan that sees the same tenant deletes nothing more');
    tenant.users.push('u000003');
    await scanner.scan(new AbortController().signal);
    tenant.users = tenant.users.filter((u) => u !== 'u000003');
    await scanner.scan(new AbortController().signal);
    assert.equal((await deletions(bus)).filter((d) => d.event.subject.id === 'u000003' && d.event.kind === 'user').length, 2, 'an entity back and gone again is deleted again');
  });

  test('a failed, an aborted and a cut-short scan delete nothing; the next complete scan does, and resumes the failed one', async () => {
    const bus = await freshBus();
    const dataDir = freshDir('scan-data');
    const tenant = tenantOf(12);
    const { stream, control } = directory(tenant, 3);
    const scanner = await scannerOf(bus, stream, dataDir);
    await scanner.scan(new AbortController().signal);
    tenant.users = tenant.users.filter((u) => u !== 'u000001' && u !== 'u000010');

    control.failAt = 2;
    await assert.rejects(scanner.scan(new AbortController().signal), /the provider failed/);
    assert.deepEqual(await deletions(bus), [], 'a failed scan');

    control.failAt = null;
    const ctl = new AbortController();
    control.abortAt = { page: 2, ctl };
    control.requested = [];
    await scanner.scan(ctl.signal);
    assert.deepEqual(control.requested, [2], 'the scan resumed after the failure, at the page that failed');
    assert.deepEqual(await deletions(bus), [], 'an aborted scan');

    // The credentials lose the right to read memberships: they are kept, not deleted.
    control.abortAt = null;
    control.skip = ['membership'];
    tenant.groups = new Map();
    await scanner.scan(new AbortController().signal);
    assert.deepEqual(describeGone(await deletions(bus)), ['user:u000001', 'user:u000010'], 'users deleted, memberships of a skipped part kept');

    control.skip = [];
    await scanner.scan(new AbortController().signal);
    assert.deepEqual(describeGone(await deletions(bus)).filter((d) => d.startsWith('membership')),
      ['membership:u000000/g1', 'membership:u000003/g1', 'membership:u000006/g1', 'membership:u000009/g1'],
      'the next complete scan compares with what the skipped part kept');
  });

  test('a record that cannot be normalized keeps its part of the stream: no deletion on that round', async () => {
    const bus = await freshBus();
    const tenant = tenantOf(6);
    const { stream, control } = directory(tenant, 3);
    const scanner = await scannerOf(bus, stream, freshDir('scan-data'));
    await scanner.scan(new AbortController().signal);
    tenant.users = tenant.users.filter((u) => u !== 'u000004');
    control.malformed = 'u000002';
    await scanner.scan(new AbortController().signal);
    assert.deepEqual(await deletions(bus), []);
    assert.equal(scanner.status.deadLettered, 1);
    control.malformed = null;
    await scanner.scan(new AbortController().signal);
    assert.deepEqual(describeGone(await deletions(bus)), ['user:u000004']);
  });

  test('a restarted process resumes from the checkpoint, asks nothing already done, and deletes right; without its data folder it deletes nothing', async () => {
    const bus = await freshBus();
    const dataDir = freshDir('scan-data');
    const tenant = tenantOf(15);
    const first = directory(tenant, 3);
    await (await scannerOf(bus, first.stream, dataDir)).scan(new AbortController().signal);
    tenant.users = tenant.users.filter((u) => u !== 'u000001' && u !== 'u000013');

    // The process stops after the third page of five.
    const ctl = new AbortController();
    first.control.abortAt = { page: 2, ctl };
    await (await scannerOf(bus, first.stream, dataDir)).scan(ctl.signal);

    const restarted = directory(tenant, 3);
    await (await scannerOf(bus, restarted.stream, dataDir)).scan(new AbortController().signal);
    assert.deepEqual(restarted.control.requested, [3, 4], 'only the pages after the checkpoint');
    assert.deepEqual(describeGone(await deletions(bus)), ['user:u000001', 'user:u000013'], 'the pages read before the restart count as seen');

    // Another machine (no data folder) takes over: it has no earlier set, so it deletes nothing on its first round.
    tenant.users = tenant.users.filter((u) => u !== 'u000002');
    const elsewhere = directory(tenant, 3);
    await (await scannerOf(bus, elsewhere.stream, freshDir('scan-data'))).scan(new AbortController().signal);
    assert.equal((await deletions(bus)).length, 2);
  });

  test('a checkpoint the provider refuses is dropped: the next attempt reads from the start, and deletes right', async () => {
    const bus = await freshBus();
    const tenant = tenantOf(9);
    const { stream, control } = directory(tenant, 3);
    const scanner = await scannerOf(bus, stream, freshDir('scan-data'));
    await scanner.scan(new AbortController().signal);
    tenant.users = tenant.users.filter((u) => u !== 'u000007');
    const ctl = new AbortController();
    control.abortAt = { page: 1, ctl };
    await scanner.scan(ctl.signal);
    control.abortAt = null;
    control.refuseResume = true;
    await assert.rejects(scanner.scan(new AbortController().signal), /the page token expired/);
    control.requested = [];
    await scanner.scan(new AbortController().signal);
    assert.deepEqual(control.requested, [0, 1, 2]);
    assert.deepEqual(describeGone(await deletions(bus)), ['user:u000007']);
  });

  test('a large stream is compared bucket by bucket and finds exactly what left', async () => {
    const bus = await freshBus();
    const tenant = tenantOf(30_000);
    tenant.groups = new Map();
    const { stream } = directory(tenant, 1000);
    const scanner = await scannerOf(bus, stream, freshDir('scan-data'));
    await scanner.scan(new AbortController().signal);
    const leaving = new Set(tenant.users.filter((_, i) => i % 997 === 0));
    tenant.users = tenant.users.filter((u) => !leaving.has(u));
    tenant.users.push('u999999');
    await scanner.scan(new AbortController().signal);
    assert.deepEqual(describeGone(await deletions(bus)), [...leaving].map((u) => `user:${u}`).sort());
  });
});
