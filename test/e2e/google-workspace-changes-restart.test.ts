import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { simulatorFaults } from '../../simulators/common/faults.js';
import { startTestStack } from '../support/appwarden.js';
import { capturedLog } from '../support/captured-log.js';
import { waitFor } from '../support/wait-for.js';
import { googleInstance, googleSimulator } from './google-workspace-support.js';

interface StreamStatus {
  stream: string; state: string; lastError: unknown; lastSuccessAt: string | null;
  lastCompletedScan?: { startedAt: string | null; completedAt: string } | null;
  feedRestarts?: { count: number; lastAt: string; parts: string[]; reason: string } | null;
}
interface FileRow { file_id: string; change: string; collaborator_emails: Array<string | null> }

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test("Drive refuses one user's saved changes token: that user's feed restarts from the present, the others' go on, and the early file scan stores what changed in the gap", async () => {
  const sim = await googleSimulator({ seed: 'gw-changes-restart', users: 4, filesPerUser: 2, sharedDrives: 1 });
  cleanups.push(() => sim.close());
  const captured = capturedLog();
  const s = await startTestStack({ google_workspace: { main: googleInstance(sim, { applications: ['login'] }) } }, undefined, { log: captured.log });
  cleanups.push(() => s.stop());
  const streams = async (): Promise<Record<string, StreamStatus>> =>
    Object.fromEntries((await s.api<{ items: Array<{ streams: StreamStatus[] }> }>('/v1/connectors')).body.items[0]!.streams.map((x) => [x.stream, x]));
  const row = async (fileId: string): Promise<FileRow | undefined> => (await s.clickhouse.query<FileRow>(
    "SELECT file_id, change, collaborator_emails FROM files FINAL WHERE provider = 'google_workspace' AND instance = 'main' AND file_id = {id:String}", { id: fileId }))[0];

  // The first file scan is complete and every user's changes token is saved.
  await waitFor(async () => {
    const st = await streams();
    return st.files?.lastCompletedScan && st['drive/changes']?.lastSuccessAt;
  }, { what: 'the file scan complete and the change feed started', timeoutMs: 60_000 });

  // The next file scan is held where it begins (listing shared drives), so that what the feed delivers is told apart from what a scan does.
  const hold = sim.hold('/drive/v3/drives');
  cleanups.push(async () => hold.release());

  // In one step (no request is answered meanwhile): a file of every active user is shared during the gap,
  // and Drive will refuse the next changes request's page token, as for a token it no longer honours.
  const outsider = 'gap-auditor@outside.example.net';
  const gapFiles = new Map<string, string>();
  for (const user of sim.directory.users.filter((u) => !u.suspended && !u.archived)) {
    const file = [...sim.drive.files.values()].find((f) => f.owner === user.primaryEmail && !f.driveId && !f.trashed);
    if (!file) continue;
    sim.share(file.id, { type: 'user', role: 'reader', emailAddress: outsider });
    gapFiles.set(user.primaryEmail, file.id);
  }
  const faults = simulatorFaults(sim.url)!;
  faults.arm({ kind: 'expired_token', path: /^\/drive\/v3\/changes$/ });

  // One warning names the provider, instance, stream and the user whose feed restarted.
  const warning = await waitFor(() => captured.warnings().find((l) => l.stream === 'drive/changes'), { what: 'the restart warning' });
  assert.equal(faults.injected.expired_token, 1);
  assert.deepEqual([warning.provider, warning.instance, warning.rescan], ['google_workspace', 'main', 'files']);
  assert.match(String(warning.msg), /restarts from the present/);
  const parts = warning.parts as string[];
  assert.equal(parts.length, 1);
  const refusedUser = parts[0]!.replace(/^user:/, '');
  const refusedFile = gapFiles.get(refusedUser);
  assert.ok(refusedFile, `the refused user ${refusedUser} shared a file during the gap`);
  assert.match(String(warning.reason), /\/drive\/v3\/changes answered 400.*Invalid Value/);

  // The other users' feeds were not touched: their gap changes come through the feed while the scan is held.
  for (const [user, fileId] of gapFiles) {
    if (user === refusedUser) continue;
    await waitFor(async () => {
      const r = await row(fileId);
      return r?.change === 'updated' && r.collaborator_emails.includes(outsider);
    }, { what: `${user}'s gap change through the feed` });
  }
  // The early scan is under way (the files schedule is an hour): held, it has not stored the refused user's gap change yet.
  await waitFor(async () => hold.held() > 0 && (await streams()).files?.state === 'running', { what: 'the early file scan under way' });
  assert.ok(!(await row(refusedFile))!.collaborator_emails.includes(outsider), "the refused user's gap change is not in the feed any more");

  // The refused user's new token works: a change made after the restart comes through the feed.
  const later = [...sim.drive.files.values()].find((f) => f.owner === refusedUser && !f.driveId && !f.trashed && f.id !== refusedFile)!;
  sim.share(later.id, { type: 'user', role: 'writer', emailAddress: 'after-restart@outside.example.net' });
  await waitFor(async () => (await row(later.id))?.collaborator_emails.includes('after-restart@outside.example.net'), { what: "the refused user's change after the restart through the feed" });

  // The poll did not fail: no error, and the restart is shown.
  const feed = (await streams())['drive/changes']!;
  assert.equal(feed.lastError, null);
  assert.notEqual(feed.state, 'error');
  assert.deepEqual(feed.feedRestarts && [feed.feedRestarts.count, feed.feedRestarts.parts], [1, [`user:${refusedUser}`]]);
  assert.deepEqual(captured.warnings().filter((l) => l.stream === 'drive/changes').length, 1, 'one warning, and no failed poll');

  // Released, the early scan stores the refused user's gap change.
  hold.release();
  await waitFor(async () => (await row(refusedFile))?.collaborator_emails.includes(outsider), { what: "the refused user's gap change stored by the early scan" });
  await waitFor(async () => {
    const scan = (await streams()).files?.lastCompletedScan;
    return scan?.startedAt && Date.parse(scan.startedAt) >= Date.parse(feed.feedRestarts!.lastAt);
  }, { what: 'the early scan, started after the restart, complete' });
});
