import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { CursorStatusSource } from '../../ingestors/runtime/instance-status.js';
import { simulatorFaults } from '../../simulators/common/faults.js';
import { startBoxSimulator } from '../../simulators/box/index.js';
import { boxConnectorSettings } from '../../simulators/box/demo.js';
import { startTestStack } from '../support/appwarden.js';
import { capturedLog } from '../support/captured-log.js';
import { FAST_INSTANCE, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

interface StreamStatus {
  stream: string; kind: string; state: string; lastError: unknown; lastSuccessAt: string | null;
  lastCompletedScan?: { startedAt: string | null; completedAt: string } | null;
  feedRestarts?: { count: number; lastAt: string; parts: string[]; reason: string } | null;
}
interface FileRow { file_id: string; change: string; access_level: string }

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test('Box refuses the saved stream_position of admin_logs_streaming: the feed restarts from now, the early file scan stores the gap, and the new position works', async () => {
  const sim = await startBoxSimulator({ log: testLog, seed: 'box-changes-restart', users: 6, groups: 1, foldersPerUser: 1, filesPerFolder: 4, eventsPerDay: 20, days: 1 });
  cleanups.push(() => sim.close());
  const captured = capturedLog();
  // Activities are read once at start (an hour between polls): the refusal armed below meets the change feed's request.
  const s = await startTestStack({
    box: { main: { ...FAST_INSTANCE, ...boxConnectorSettings(sim, 'client_credentials'), schedule: { ...FAST_INSTANCE.schedule, activitiesEveryMs: 3_600_000 } } },
  }, undefined, { log: captured.log });
  cleanups.push(() => s.stop());
  const streams = async (): Promise<StreamStatus[]> => (await s.api<{ items: Array<{ streams: StreamStatus[] }> }>('/v1/connectors')).body.items[0]!.streams;
  const stream = async (name: string) => (await streams()).find((x) => x.stream === name);
  const row = async (fileId: string): Promise<FileRow | undefined> => (await s.clickhouse.query<FileRow>(
    "SELECT file_id, change, access_level FROM files FINAL WHERE provider = 'box' AND instance = 'main' AND file_id = {id:String}", { id: fileId }))[0];

  const privateFiles = [...sim.tenant.items.values()].filter((i) => i.type === 'file' && i.sharedLink === null
    && sim.tenant.user(i.owner)?.status === 'active' && sim.tenant.collaborationsOf(i).length === 0);
  assert.ok(privateFiles.length >= 2);
  const [gapFile, laterFile] = privateFiles as [typeof privateFiles[number], typeof privateFiles[number]];
  await waitFor(async () => {
    const all = await streams();
    const files = all.find((x) => x.stream === 'files');
    return files?.lastCompletedScan && all.filter((x) => x.kind !== 'snapshot').every((x) => x.lastSuccessAt) && (await row(gapFile.id))?.access_level === 'private';
  }, { what: 'the file scan complete, the activity and change streams read once', timeoutMs: 60_000 });

  // In one step: a file is shared during the gap, and Box will refuse the next saved stream_position.
  sim.shareItem('file', gapFile.id, 'open');
  const faults = simulatorFaults(sim.url)!;
  faults.arm({ kind: 'expired_token', path: /^\/2\.0\/events$/ });

  const warning = await waitFor(() => captured.warnings().find((l) => l.stream === 'events/streaming'), { what: 'the restart warning' });
  assert.equal(faults.injected.expired_token, 1);
  assert.deepEqual([warning.provider, warning.instance, warning.parts, warning.rescan], ['box', 'main', ['*'], 'files']);
  assert.match(String(warning.msg), /restarts from the present/);
  assert.match(String(warning.reason), /\/events answered 400.*invalid_parameter.*stream_position/);

  // The early scan (files are due every hour) stores the gap's change, which the feed no longer holds.
  await waitFor(async () => {
    const scan = (await stream('files'))?.lastCompletedScan;
    const restarted = (await stream('events/streaming'))?.feedRestarts;
    return scan?.startedAt && restarted && Date.parse(scan.startedAt) >= Date.parse(restarted.lastAt);
  }, { what: 'an early file scan, started after the restart, complete' });
  const stored = (await row(gapFile.id))!;
  assert.deepEqual([stored.access_level, stored.change], ['public', 'seen'], 'the gap change stored by the scan');

  // The poll never failed, the restart is shown, and the new position works: a link shared now comes through the feed.
  const feed = (await stream('events/streaming'))!;
  assert.equal(feed.lastError, null);
  assert.deepEqual(feed.feedRestarts && [feed.feedRestarts.count, feed.feedRestarts.parts], [1, ['*']]);
  sim.shareItem('file', laterFile.id, 'company');
  const later = await waitFor(async () => { const r = await row(laterFile.id); return r?.access_level === 'internal' ? r : null; }, { what: 'the change after the restart through the feed' });
  assert.equal(later.change, 'updated');
  assert.equal(captured.warnings().filter((l) => l.stream === 'events/streaming').length, 1, 'one warning, and no failed poll');

  // A process that does not run the connector (`--roles api`) reads the restart from the cursors topic.
  const [fromCursors] = await new CursorStatusSource(s.bus, () => [{ provider: 'box', instance: 'main' }], testLog).statuses();
  const saved = fromCursors!.streams.find((x) => x.stream === 'events/streaming')!;
  assert.deepEqual(saved.feedRestarts, feed.feedRestarts);
});
