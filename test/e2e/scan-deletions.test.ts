import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { after, describe, test } from 'node:test';
import type { InstanceConfig } from '../../core/config.js';
import { createKafkaBus, type KafkaBus } from '../../core/kafka.js';
import type { ConnectorDefinition, SnapshotPage, SnapshotStream } from '../../ingestors/contract.js';
import { office365 } from '../../ingestors/office365/index.js';
import { createConnector } from '../../ingestors/runtime/connector-factory.js';
import { CursorStore } from '../../ingestors/runtime/cursor-store.js';
import { EventPublisher } from '../../ingestors/runtime/publisher.js';
import { SnapshotScanner } from '../../ingestors/runtime/snapshot-scanner.js';
import { newStreamStatus } from '../../ingestors/runtime/stream-status.js';
import { decodeAs } from '../../schemas/registry.js';
import type { AuditEvent } from '../../schemas/types.js';
import { startOffice365Simulator, type Office365Simulator } from '../../simulators/office365/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { freshDir, freshName, testBrokers } from '../support/fresh.js';
import { simulatorConfig, simulatorInstance } from '../support/simulators.js';
import { testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { googleConnector, googleInstance, googleSimulator } from './google-workspace-support.js';

interface Account { record_id: string; kind: string; deleted: boolean; subject: { id: string | null }; group: { id: string | null } | null; attributes: Record<string, string> }
interface FileRow { file_id: string; name: string; change: string; attributes: Record<string, string> }
interface StreamStatus { stream: string; lastSuccessAt: string | null }

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function office365Sim(seed: string): Promise<Office365Simulator> {
  const sim = await startOffice365Simulator({ log: testLog, seed, users: 6, groups: 3, sites: 1, itemsPerDrive: 8, eventsPerDay: 10, days: 1 });
  cleanups.push(() => sim.close());
  return sim;
}

async function stack(connectors: Parameters<typeof startTestStack>[0]): Promise<TestStack> {
  const s = await startTestStack(connectors);
  cleanups.push(() => s.stop());
  return s;
}

async function accounts(s: TestStack, query: string): Promise<Account[]> {
  const res = await s.api<{ items: Account[] }>(`/v1/accounts?limit=1000&${query}`);
  assert.equal(res.status, 200);
  return res.body.items;
}

async function fileRow(s: TestStack, provider: string, fileId: string): Promise<FileRow | undefined> {
  const rows = await s.clickhouse.query<FileRow>('SELECT file_id, name, change, attributes FROM files FINAL WHERE provider = {provider:String} AND file_id = {fileId:String}', { provider, fileId });
  return rows[0];
}

/** Waits until every named snapshot stream has completed `passes` scans since now. */
async function completedScans(s: TestStack, streams: string[], passes: number): Promise<void> {
  const seen = new Map<string, Set<string>>(streams.map((name) => [name, new Set()]));
  await waitFor(async () => {
    const res = await s.api<{ items: Array<{ streams: StreamStatus[] }> }>('/v1/connectors');
    for (const st of res.body.items[0]?.streams ?? []) if (st.lastSuccessAt && seen.has(st.stream)) seen.get(st.stream)!.add(st.lastSuccessAt);
    return [...seen.values()].every((times) => times.size >= passes);
  }, { what: `${passes} complete scans of ${streams.join(', ')}`, timeoutMs: 90_000 });
}

describe('deletions from periodic rescans (short period)', () => {
  test('Office 365: a member removed from a group and a file gone are deleted by the next scans; /v1/accounts hides them unless asked', async () => {
    const sim = await office365Sim('o365-rescan');
    // The delta feed reads once at start, then not for an hour: what is deleted is learnt from the scans.
    const s = await stack({ office365: { main: simulatorInstance('office365', sim, { schedule: { activitiesEveryMs: 60_000, accountsEveryMs: 1000, filesEveryMs: 1000, changesEveryMs: 3_600_000 } }) } });
    await completedScans(s, ['accounts', 'files'], 1);

    const [groupId, members] = [...sim.state.members.entries()].find(([, m]) => m.length > 0)!;
    const leaver = members[0]!;
    const membership = (await accounts(s, `kind=membership&subject_id=${leaver}`)).find((m) => m.group?.id === groupId);
    assert.ok(membership, 'the membership was stored by the first scan');
    // The policy processor's account directory: the groups of an event's actor.
    const actorGroups = () => s.policy!.accounts.actorAccount({ provider: 'office365', instance: 'main', actor: { id: leaver, email: null } } as AuditEvent)?.groups ?? [];
    await waitFor(() => actorGroups().includes(groupId), { what: 'the policy processor knows the membership' });
    sim.state.members.set(groupId, members.slice(1));
    const gone = sim.files().find((f) => !f.item.folder)!;
    assert.equal((await fileRow(s, 'office365', gone.fileId))?.change, 'seen');
    gone.drive.deleteItem(gone.item);

    await waitFor(async () => (await accounts(s, `kind=membership&subject_id=${leaver}&include_deleted=true`)).find((m) => m.record_id === membership.record_id)?.deleted,
      { what: 'the membership deleted', timeoutMs: 90_000 });
    const stored = (await accounts(s, `kind=membership&subject_id=${leaver}&include_deleted=true`)).find((m) => m.record_id === membership.record_id)!;
    assert.equal(stored.attributes.deleted_by, 'scan');
    assert.equal((await accounts(s, `kind=membership&subject_id=${leaver}`)).some((m) => m.record_id === membership.record_id), false, 'not listed by default');
    assert.ok((await accounts(s, `kind=user&subject_id=${leaver}`)).length === 1, 'the user itself is still there');
    await waitFor(() => !actorGroups().includes(groupId), { what: 'the policy processor drops the membership' });

    await waitFor(async () => (await fileRow(s, 'office365', gone.fileId))?.change === 'deleted', { what: 'the file marked deleted', timeoutMs: 90_000 });
    const file = (await fileRow(s, 'office365', gone.fileId))!;
    assert.deepEqual([file.name, file.attributes.deleted_by], [gone.item.name, 'scan'], 'the deletion keeps the name the scans saw');
  });
});

describe('deletions from change feeds', () => {
  test('Google Workspace: a file deleted for good leaves its owner\'s feed as `removed` and is deleted; a reader losing access deletes nothing', async () => {
    const sim = await googleSimulator({ seed: 'gw-removed', users: 5, filesPerUser: 3, sharedDrives: 1 });
    cleanups.push(() => sim.close());
    const s = await stack({ google_workspace: { main: googleInstance(sim, { schedule: { activitiesEveryMs: 60_000, accountsEveryMs: 3_600_000, filesEveryMs: 3_600_000, changesEveryMs: 300 } }) } });
    await completedScans(s, ['accounts', 'files'], 1);

    const myDrive = [...sim.drive.files.values()].filter((f) => f.owner && !f.trashed);
    const doomed = myDrive[0]!;
    // A file shared with a reader: unsharing removes it from the reader's feed only.
    const shared = myDrive.find((f) => f !== doomed && f.permissions.some((p) => p.type === 'user' && p.role === 'reader'))!;
    assert.ok(shared, 'the tenant has a file shared with a reader');
    await waitFor(async () => (await fileRow(s, 'google_workspace', doomed.id))?.change === 'seen', { what: 'the files scanned' });

    const before = sim.drive.viewers(shared);
    shared.permissions = shared.permissions.filter((p) => !(p.type === 'user' && p.role === 'reader'));
    sim.drive.recordChange(shared, before, sim.clock.now());
    sim.drive.deleteFile(doomed.id, sim.clock.now());

    await waitFor(async () => (await fileRow(s, 'google_workspace', doomed.id))?.change === 'deleted', { what: 'the deleted file marked deleted', timeoutMs: 60_000 });
    const row = (await fileRow(s, 'google_workspace', doomed.id))!;
    assert.deepEqual([row.name, row.attributes.deleted_by], [doomed.name, 'change_feed']);
    await waitFor(async () => (await fileRow(s, 'google_workspace', shared.id))?.change === 'updated', { what: "the unshared file's change from its owner's feed" });
    // Both users' feeds were read after the change (the owner's gave 'updated'); one more poll for good measure.
    const polls = (await s.api<{ items: Array<{ streams: Array<{ stream: string; lastSuccessAt: string | null }> }> }>('/v1/connectors')).body.items[0]!.streams.find((x) => x.stream === 'drive/changes')!;
    await waitFor(async () => {
      const now = (await s.api<{ items: Array<{ streams: Array<{ stream: string; lastSuccessAt: string | null }> }> }>('/v1/connectors')).body.items[0]!.streams.find((x) => x.stream === 'drive/changes')!;
      return now.lastSuccessAt !== polls.lastSuccessAt;
    }, { what: 'another poll of the changes feed' });
    assert.equal((await fileRow(s, 'google_workspace', shared.id))?.change, 'updated', 'losing a reader is not a deletion');
  });
});

describe('a file scan that resumes', () => {
  const buses: KafkaBus[] = [];
  after(async () => {
    for (const bus of buses) {
      await bus.deleteTopics().catch(() => undefined);
      await bus.disconnect();
    }
  });

  /** One process: its own connector (HTTP client), a cursor store loaded from Kafka, and the Office 365 file scanner over a data folder. */
  async function process(sim: Office365Simulator, bus: KafkaBus, dataDir: string, stopAfterPages?: number) {
    const abort = new AbortController();
    setMaxListeners(1000, abort.signal);
    cleanups.push(async () => abort.abort());
    const connector = createConnector(office365 as unknown as ConnectorDefinition, 'main', simulatorConfig('office365', sim, { pageSize: 2 }) as InstanceConfig, testLog, abort.signal);
    const files = connector.snapshotStreams.find((st) => st.name === 'files')!;
    // The process stops (its signal aborts) once it has published `stopAfterPages` pages.
    let pages = 0;
    const stream: SnapshotStream = {
      name: files.name,
      topic: files.topic,
      capabilities: files.capabilities,
      permission: files.permission,
      kinds: files.kinds,
      async *read(signal, resume): AsyncIterable<SnapshotPage> {
        for await (const page of files.read(signal, resume)) {
          yield page;
          if (++pages === stopAfterPages) abort.abort();
        }
      },
    };
    const cursors = new CursorStore(bus, testLog);
    await cursors.load();
    const scanner = new SnapshotScanner({ provider: 'office365', instance: 'main', stream: 'files' }, stream, cursors, new EventPublisher(bus), newStreamStatus('files', 'snapshot'), testLog, dataDir);
    return { scan: () => scanner.scan(abort.signal) };
  }

  test('Office 365: a restarted process resumes the walk without asking again for a page already done, and the deletions are right', async () => {
    const sim = await office365Sim('o365-resume');
    const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'resume-test', prefix: freshName('resume'), partitions: 2, replicationFactor: 1, log: testLog });
    buses.push(bus);
    await bus.ensureTopics();
    const dataDir = freshDir('resume-data');
    await (await process(sim, bus, dataDir)).scan();
    const fullScan = sim.recordRequests();
    await (await process(sim, bus, dataDir)).scan();
    const childPages = (log: string[]) => log.filter((r) => r.includes('/children'));
    const everyPage = childPages(fullScan);

    // Two files leave: the first page of the walk, and one near its end.
    const items = sim.files().filter((f) => !f.item.folder);
    const early = items[0]!;
    const late = items[items.length - 1]!;
    early.drive.deleteItem(early.item);
    late.drive.deleteItem(late.item);

    const beforeStop = sim.recordRequests();
    await (await process(sim, bus, dataDir, 4)).scan();
    const afterRestart = sim.recordRequests();
    await (await process(sim, bus, dataDir)).scan();

    const done = new Set(childPages(beforeStop));
    assert.ok(done.size >= 4 && childPages(afterRestart).length > 0, 'the scan stopped midway');
    assert.deepEqual(childPages(afterRestart).filter((r) => done.has(r)), [], 'no page done before the restart is asked again');
    assert.ok(childPages(beforeStop).length + childPages(afterRestart).length <= everyPage.length, 'together, no more pages than one full walk');

    const records = await bus.readCompactedTopic(bus.topics.file);
    const deleted = records.map((r) => decodeAs(r.value!, 'file-event').record).filter((e) => e.change === 'deleted');
    assert.deepEqual(deleted.map((e) => e.file.id).sort(), [early.fileId, late.fileId].sort(), 'exactly the two files gone, none of those read before the restart');
  });

  test('Google Workspace: a file scan read from a checkpoint gives the files after it, and with the pages before it, every file once', async () => {
    const sim = await googleSimulator({ seed: 'gw-resume', users: 5, filesPerUser: 5, sharedDrives: 2 });
    cleanups.push(() => sim.close());
    const abort = new AbortController();
    cleanups.push(async () => abort.abort());
    const files = googleConnector(sim, abort.signal, { filePageSize: 2, userPageSize: 2 }).snapshotStreams.find((st) => st.name === 'files')!;
    const ids = (pages: SnapshotPage[]) => pages.flatMap((p) => p.items.map((i) => String((i.raw as { id: unknown }).id)));
    const all: SnapshotPage[] = [];
    for await (const page of files.read(abort.signal)) all.push(page);
    const everyFile = ids(all);
    assert.equal(new Set(everyFile).size, everyFile.length);
    assert.equal(everyFile.length, [...sim.drive.files.values()].filter((f) => !f.trashed && (f.driveId || sim.directory.users.some((u) => u.primaryEmail === f.owner && !u.suspended && !u.archived))).length);
    for (const stop of [1, 3, Math.floor(all.length / 2), all.length - 2]) {
      const resumed: SnapshotPage[] = [];
      for await (const page of files.read(abort.signal, all[stop]!.checkpoint)) resumed.push(page);
      assert.deepEqual([...ids(all.slice(0, stop + 1)), ...ids(resumed)], everyFile, `resumed after page ${stop + 1} of ${all.length}`);
    }
  });
});
