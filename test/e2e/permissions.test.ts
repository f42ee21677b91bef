import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SCOPES } from '../../ingestors/google-workspace/scopes.js';
import { startOffice365Simulator } from '../../simulators/office365/index.js';
import { startOktaSimulator } from '../../simulators/okta/index.js';
import { oktaInstance, startTestStack, type TestStack } from '../support/appwarden.js';
import { office365Instance } from '../support/office365.js';
import { testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { googleInstance, googleSimulator } from './google-workspace-support.js';

interface StreamStatus { stream: string; kind: string; state: string; published: number; lastSuccessAt: string | null }
interface ConnectorStatus {
  provider: string; instance: string; phase: string;
  credentials: { ok: boolean; missing: Array<{ capability: string; reason: string; permission?: string }> } | null;
  streams: StreamStatus[];
}

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function stack(...args: Parameters<typeof startTestStack>): Promise<TestStack> {
  const s = await startTestStack(...args);
  cleanups.push(() => s.stop());
  return s;
}

async function status(s: TestStack): Promise<ConnectorStatus> {
  const items = (await s.api<{ items: ConnectorStatus[] }>('/v1/connectors')).body.items;
  assert.equal(items.length, 1);
  return items[0]!;
}

const stream = (st: ConnectorStatus, name: string) => st.streams.find((s) => s.stream === name)!;
const missingOf = (st: ConnectorStatus, capability: string) => st.credentials?.missing.find((m) => m.capability === capability);

/** Waits until `stream` has published events, and returns how many. */
async function publishes(s: TestStack, name: string, after = 0): Promise<number> {
  return waitFor(async () => {
    const published = stream(await status(s), name).published;
    return published > after ? published : 0;
  }, { what: `${name} publishing` });
}

describe('a missing permission stops only the capabilities that need it, and its grant resumes them without a restart', () => {
  test('Okta: the System Log refused (403 E0000006 on the probe) → activities shown missing, accounts still scanned; granted → polled', async () => {
    const sim = await startOktaSimulator({ log: testLog, seed: 'perm', users: 8, eventsPerDay: 300, days: 1, denyPermissions: ['okta.logs.read'] });
    cleanups.push(() => sim.close());
    const s = await stack({ okta: { main: oktaInstance(sim) } });

    const refused = await waitFor(async () => {
      const st = await status(s);
      return stream(st, 'accounts').lastSuccessAt !== null && missingOf(st, 'activities:logon') ? st : null;
    }, { what: 'the accounts scanned while the logs are refused' });
    assert.match(missingOf(refused, 'activities:logon')!.reason, /okta\.logs\.read/);
    assert.equal(stream(refused, 'system_log').state, 'missing_permission');
    assert.equal(stream(refused, 'system_log').published, 0);
    assert.equal(refused.phase, 'running');
    assert.equal(missingOf(refused, 'accounts'), undefined);

    sim.allow('okta.logs.read');
    await publishes(s, 'system_log');
    // The missing entry goes once the pass that was refused before completes.
    await waitFor(async () => missingOf(await status(s), 'activities:logon') === undefined, { what: 'the missing entry gone' });
  });

  test('Office 365: ActivityFeed.Read withdrawn at run time (403 AF10001 on a real call) → activities shown missing, accounts still scanned; granted again → polled', async () => {
    const sim = await startOffice365Simulator({ log: testLog, seed: 'perm', users: 6, groups: 2, sites: 1, itemsPerDrive: 3, days: 1, eventsPerDay: 200 });
    cleanups.push(() => sim.close());
    // Accounts every second: the test sees them go on while the audit feed is refused.
    const s = await stack({ office365: { main: office365Instance(sim, { contentTypes: ['Audit.AzureActiveDirectory'], schedule: { accountsEveryMs: 1000, activitiesEveryMs: 300, filesEveryMs: 3_600_000, changesEveryMs: 300, permissionsRecheckMs: 1000 } }) } });
    await publishes(s, 'management/Audit.AzureActiveDirectory');

    sim.deny('ActivityFeed.Read');
    const refused = await waitFor(async () => {
      const st = await status(s);
      return missingOf(st, 'activities:logon') ? st : null;
    }, { what: 'activities shown missing' });
    const missing = missingOf(refused, 'activities:logon')!;
    assert.equal(missing.permission, 'ActivityFeed.Read');
    assert.match(missing.reason, /403/);
    // The other streams keep running: a new account scan completes while the feed is refused.
    const scannedAt = stream(refused, 'accounts').lastSuccessAt;
    await waitFor(async () => {
      const st = await status(s);
      return stream(st, 'accounts').lastSuccessAt !== scannedAt && missingOf(st, 'activities:logon') !== undefined;
    }, { what: 'an account scan while the feed is refused' });

    const before = stream(await status(s), 'management/Audit.AzureActiveDirectory').published;
    sim.addBlob([sim.makeRecord('UserLoggedIn')], { contentType: 'Audit.AzureActiveDirectory' });
    sim.allow('ActivityFeed.Read');
    await publishes(s, 'management/Audit.AzureActiveDirectory', before);
    await waitFor(async () => missingOf(await status(s), 'activities:logon') === undefined, { what: 'the missing entry gone' });
  });

  test('Google Workspace: Drive refused (403 insufficientPermissions) → files shown missing, accounts and activities still read; granted → files scanned', async () => {
    const sim = await googleSimulator({ seed: 'perm' });
    cleanups.push(() => sim.close());
    sim.deny(SCOPES.drive);
    const s = await stack({ google_workspace: { main: googleInstance(sim, { applications: ['login'] }) } });

    const refused = await waitFor(async () => {
      const st = await status(s);
      return stream(st, 'accounts').lastSuccessAt !== null && stream(st, 'reports/login').published > 0 ? st : null;
    }, { what: 'accounts and activities read while Drive is refused' });
    assert.match(missingOf(refused, 'files:periodic')!.reason, /auth\/drive/);
    assert.ok(missingOf(refused, 'files:realtime'));
    assert.equal(stream(refused, 'files').state, 'missing_permission');
    assert.equal(stream(refused, 'files').published, 0);

    sim.allow(SCOPES.drive);
    await publishes(s, 'files');
    await waitFor(async () => {
      const st = await status(s);
      return missingOf(st, 'files:periodic') === undefined && missingOf(st, 'files:realtime') === undefined;
    }, { what: 'the missing entries gone' });
  });
});
