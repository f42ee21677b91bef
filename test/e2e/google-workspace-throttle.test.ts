import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { GoogleWorkspaceSimulator } from '../../simulators/google-workspace/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { FAST_INSTANCE } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { expectedEvents, googleInstance, googleSimulator } from './google-workspace-support.js';

interface ConnectorStatus {
  instance: string;
  phase: string;
  http: { requests: number; throttled: number; throttleWaitMs: number };
  streams: Array<{ stream: string; lastError: { code: string } | null }>;
}

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function simulator(options: Parameters<typeof googleSimulator>[0]): Promise<GoogleWorkspaceSimulator> {
  const sim = await googleSimulator(options);
  cleanups.push(() => sim.close());
  return sim;
}

async function statuses(s: TestStack): Promise<Map<string, ConnectorStatus>> {
  const res = await s.api<{ items: ConnectorStatus[] }>('/v1/connectors');
  return new Map(res.body.items.map((i) => [i.instance, i]));
}

describe('Google Workspace: throttling slows only the instance that got it', () => {
  test('while one tenant answers every request with Google\'s quota refusal, the other is read completely; the first catches up once released', async () => {
    const throttled = await simulator({ seed: 'gw-throttled', activitiesPerDay: 120 });
    const steady = await simulator({ seed: 'gw-steady', activitiesPerDay: 120 });
    // A burst that lasts until the test ends it: 403 rateLimitExceeded on every Admin SDK and Drive call.
    throttled.throttleNext(Number.POSITIVE_INFINITY, { style: 'rateLimitExceeded' });
    // Short backoff ceilings for the throttled instance: it gives up a pass sooner and tries again (its own settings only).
    const quickRetry = { limits: { ...FAST_INSTANCE.limits, retryBaseDelayMs: 10, retryMaxDelayMs: 100 } };
    const s = await startTestStack({ google_workspace: { throttled: googleInstance(throttled, quickRetry), steady: googleInstance(steady) } });
    cleanups.push(() => s.stop());

    const wantSteady = expectedEvents(steady, 'steady').length;
    await waitFor(async () => (await s.countActivities('steady')) === wantSteady, { what: 'the steady tenant read completely' });
    const steadyUsers = (await s.api<{ items: unknown[] }>('/v1/accounts?instance=steady&kind=user&limit=1000')).body.items.length;
    assert.equal(steadyUsers, steady.directory.users.length, 'the steady tenant\'s directory is scanned too');

    // Meanwhile the throttled tenant got nothing through, and knows it was throttled.
    assert.equal(await s.countActivities('throttled'), 0);
    assert.ok(throttled.requests.throttled > 0, 'the throttled tenant refused requests');
    assert.equal(steady.requests.throttled, 0, 'the steady tenant never refused one');
    const during = await statuses(s);
    assert.ok(during.get('throttled')!.http.throttled > 0 && during.get('throttled')!.http.throttleWaitMs > 0, 'the throttled instance counted its waits');
    assert.deepEqual([during.get('steady')!.http.throttled, during.get('steady')!.http.throttleWaitMs], [0, 0], 'the steady instance never waited');

    throttled.stopThrottling();
    const wantThrottled = expectedEvents(throttled, 'throttled').length;
    await waitFor(async () => (await s.countActivities('throttled')) === wantThrottled, { what: 'the throttled tenant caught up' });
    assert.equal(await s.countActivities('steady'), wantSteady, 'nothing doubled for the steady tenant');
  });
});
