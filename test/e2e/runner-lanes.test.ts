import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { FAST_INSTANCE } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { googleInstance, googleSimulator } from './google-workspace-support.js';

interface StreamStatus {
  stream: string; state: string; lastSuccessAt: string | null;
  lastCompletedScan?: { startedAt: string | null; completedAt: string; records: number | null } | null;
}
interface ConnectorStatus { phase: string; streams: StreamStatus[] }

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function stack(...args: Parameters<typeof startTestStack>): Promise<TestStack> {
  const s = await startTestStack(...args);
  cleanups.push(() => s.stop());
  return s;
}

async function streams(s: TestStack): Promise<Record<string, StreamStatus>> {
  const [item] = (await s.api<{ items: ConnectorStatus[] }>('/v1/connectors')).body.items;
  return Object.fromEntries(item!.streams.map((st) => [st.stream, st]));
}

/** Waits until `read` has returned `count` values different from `from`, one after another. */
async function changes(read: () => Promise<string | null | undefined>, from: string | null | undefined, count: number, what: string, alsoTrue: () => Promise<boolean>): Promise<void> {
  let last = from;
  let seen = 0;
  await waitFor(async () => {
    const now = await read();
    if (now !== last && now) {
      assert.ok(await alsoTrue(), `${what}: the condition held meanwhile`);
      last = now;
      seen++;
    }
    return seen >= count;
  }, { what, timeoutMs: 120_000 });
}

describe('each kind of work runs in its own lane', () => {
  test('a file scan held by a slow tenant delays neither the account rescans nor the activity polls', async () => {
    const sim = await googleSimulator({ seed: 'lanes' });
    cleanups.push(() => sim.close());
    // The file scan begins by listing shared drives: held there, it stays under way until released.
    const hold = sim.hold('/drive/v3/drives');
    cleanups.push(async () => hold.release());
    const s = await stack({
      google_workspace: {
        main: googleInstance(sim, {
          applications: ['login'],
          schedule: { ...FAST_INSTANCE.schedule, accountsEveryMs: 300, activitiesEveryMs: 300, filesEveryMs: 3_600_000, changesEveryMs: 3_600_000 },
          limits: { ...FAST_INSTANCE.limits, timeoutMs: 600_000 },
        }),
      },
    });

    await waitFor(async () => hold.held() > 0 && (await streams(s)).files?.state === 'running', { what: 'the file scan under way' });
    const fileScanStillRunning = async () => {
      const files = (await streams(s)).files!;
      return files.state === 'running' && files.lastCompletedScan === null;
    };
    const at = await streams(s);
    await changes(async () => (await streams(s)).accounts?.lastCompletedScan?.completedAt, at.accounts!.lastCompletedScan?.completedAt, 2, 'two more account scans', fileScanStillRunning);
    await changes(async () => (await streams(s))['reports/login']?.lastSuccessAt, at['reports/login']!.lastSuccessAt, 2, 'two more activity polls', fileScanStillRunning);

    hold.release();
    await waitFor(async () => (await streams(s)).files?.lastCompletedScan, { what: 'the file scan completed once released' });
  });

  test('the periodic rescan of accounts and of files happens by itself and picks up a change made in the tenant', async () => {
    const sim = await googleSimulator({ seed: 'rescan' });
    cleanups.push(() => sim.close());
    const s = await stack({
      google_workspace: {
        main: googleInstance(sim, {
          applications: ['login'],
          // No change feed read during the test: the file change can only arrive through the rescan.
          schedule: { ...FAST_INSTANCE.schedule, accountsEveryMs: 1000, filesEveryMs: 1000, activitiesEveryMs: 3_600_000, changesEveryMs: 3_600_000 },
        }),
      },
    });
    await waitFor(async () => {
      const st = await streams(s);
      return st.accounts?.lastCompletedScan && st.files?.lastCompletedScan;
    }, { what: 'the first scans' });

    const user = sim.directory.users.find((u) => !u.suspended && !u.archived && !u.isAdmin && u.primaryEmail !== sim.adminEmail)!;
    const file = [...sim.drive.files.values()].find((f) => f.owner !== undefined && f.owner !== user.primaryEmail && !f.trashed && f.permissions.every((p) => p.type !== 'anyone'))!;
    const changedAt = Date.now();
    user.suspended = true;
    sim.share(file.id, { type: 'anyone', role: 'reader' });

    const instance = 'main';
    await waitFor(async () => {
      const rows = await s.clickhouse.query<{ status: string | null }>(
        "SELECT status FROM accounts FINAL WHERE instance = {instance:String} AND kind = 'user' AND subject_email = {email:String}",
        { instance, email: user.primaryEmail },
      );
      return rows[0]?.status === 'suspended';
    }, { what: 'the suspended user seen by an account rescan' });
    await waitFor(async () => {
      const rows = await s.clickhouse.query<{ access_level: string }>(
        'SELECT access_level FROM files FINAL WHERE instance = {instance:String} AND file_id = {id:String}', { instance, id: file.id },
      );
      return rows[0]?.access_level === 'public';
    }, { what: 'the public link seen by a file rescan' });
    // Both came from scans that began after the first ones completed, by themselves; they complete too.
    await waitFor(async () => {
      const st = await streams(s);
      return Date.parse(st.accounts!.lastCompletedScan!.completedAt) > changedAt && Date.parse(st.files!.lastCompletedScan!.completedAt) > changedAt;
    }, { what: 'account and file scans completed after the change' });
  });
});
