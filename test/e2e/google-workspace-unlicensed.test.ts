import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { GoogleWorkspaceSimulator } from '../../simulators/google-workspace/index.js';
import { FAST_INSTANCE } from '../support/stack.js';
import type { TestStack } from '../support/appwarden.js';
import { waitFor } from '../support/wait-for.js';
import { googleInstance, googleSimulator } from './google-workspace-support.js';
import { permissionStack, SLOW, status as instanceStatus, type ConnectorStatus } from './permissions-support.js';

interface Stream {
  stream: string; state: string; published: number; lastRunStartedAt: string | null; lastError: unknown;
  notAvailable?: { reason: string; since: string };
}
type Status = Omit<ConnectorStatus, 'streams'> & { health?: string; streams: Stream[] };

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const status = async (s: TestStack): Promise<Status> => (await instanceStatus(s)) as unknown as Status;
const stream = (st: Status, name: string): Stream => st.streams.find((x) => x.stream === name)!;

async function start(seed: string, unavailableRecheckMs: number): Promise<{ sim: GoogleWorkspaceSimulator; s: TestStack }> {
  const sim = await googleSimulator({ seed });
  cleanups.push(() => sim.close());
  sim.unlicense('meet');
  const s = await permissionStack(cleanups, {
    google_workspace: { main: googleInstance(sim, { applications: ['login', 'meet'], schedule: { ...FAST_INSTANCE.schedule, unavailableRecheckMs } }) },
  });
  return { sim, s };
}

test('Google Workspace: an application without a license is "not available", not a failing stream, and is not asked again before its recheck', async () => {
  const { sim, s } = await start('unlicensed', 3_600_000);

  const first = await waitFor(async () => {
    const st = await status(s);
    return stream(st, 'reports/meet').state === 'not_available' && stream(st, 'reports/login').published > 0 ? st : null;
  }, { what: 'meet not available while login is read', ...SLOW });
  const meet = stream(first, 'reports/meet');
  assert.match(meet.notAvailable!.reason, /not available for this tenant: the Reports API refused application meet \(HTTP 403/);
  assert.equal(meet.lastError, null, 'not an error');
  assert.equal(meet.published, 0);
  assert.equal(first.health, 'connected', 'the connection is healthy');
  assert.deepEqual(first.credentials?.missing, [], 'no permission is missing');

  // Login keeps polling (every 300 ms); meet is not asked again before its recheck an hour away.
  const runs = new Set<string>();
  await waitFor(async () => {
    const login = stream(await status(s), 'reports/login');
    if (login.lastRunStartedAt) runs.add(login.lastRunStartedAt);
    return runs.size >= 5;
  }, { what: 'five more login polls', ...SLOW });
  assert.equal(sim.reports.listRequests.meet, 1, 'meet asked once: no retries');
  const later = stream(await status(s), 'reports/meet');
  assert.equal(later.state, 'not_available');
  assert.equal(later.notAvailable!.since, meet.notAvailable!.since);
});

test('Google Workspace: once the tenant has the license, the next recheck reads the application', async () => {
  const { sim, s } = await start('licensed-later', 1000);
  sim.addActivity({
    id: { applicationName: 'meet', time: new Date(Date.now() - 60_000).toISOString() },
    actor: { email: sim.adminEmail },
    events: [{ type: 'call', name: 'call_ended', parameters: [{ name: 'meeting_code', value: 'abc-defg-hij' }] }],
  });
  await waitFor(async () => stream(await status(s), 'reports/meet').state === 'not_available', { what: 'meet not available', ...SLOW });

  sim.license('meet');
  const resumed = await waitFor(async () => {
    const meet = stream(await status(s), 'reports/meet');
    return meet.published > 0 && meet.state === 'idle' ? meet : null;
  }, { what: 'meet read after the license', ...SLOW });
  assert.equal(resumed.notAvailable, undefined, 'no longer shown not available');
  assert.equal(resumed.lastError, null);
});
