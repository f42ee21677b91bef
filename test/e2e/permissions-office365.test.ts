import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startOffice365Simulator } from '../../simulators/office365/index.js';
import { simulatorInstance } from '../support/simulators.js';
import type { startTestStack, TestStack } from '../support/appwarden.js';
import { testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { missingOf, notMissing, permissionStack, publishes, SLOW, status, stream } from './permissions-support.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
const stack = (connectors: Parameters<typeof startTestStack>[0]): Promise<TestStack> => permissionStack(cleanups, connectors);

test('Office 365: ActivityFeed.Read withdrawn at run time (403 AF10001 on a real call) → activities shown missing, accounts still scanned; granted again → polled', async () => {
  const sim = await startOffice365Simulator({ log: testLog, seed: 'perm', users: 6, groups: 2, sites: 1, itemsPerDrive: 3, days: 1, eventsPerDay: 200 });
  cleanups.push(() => sim.close());
  // Accounts every two seconds: the test sees them go on while the audit feed is refused.
  const s = await stack({ office365: { main: simulatorInstance('office365', sim, { contentTypes: ['Audit.AzureActiveDirectory'], schedule: { accountsEveryMs: 2000, activitiesEveryMs: 300, filesEveryMs: 3_600_000, changesEveryMs: 300, permissionsRecheckMs: 1000 } }) } });
  await publishes(s, 'management/Audit.AzureActiveDirectory');

  sim.deny('ActivityFeed.Read');
  const refused = await waitFor(async () => {
    const st = await status(s);
    return missingOf(st, 'activities:logon') ? st : null;
  }, { what: 'activities shown missing', ...SLOW });
  const missing = missingOf(refused, 'activities:logon')!;
  assert.equal(missing.permission, 'ActivityFeed.Read');
  assert.match(missing.reason, /403/);
  // The other streams keep running: a new account scan completes while the feed is refused.
  const scannedAt = stream(refused, 'accounts').lastSuccessAt;
  await waitFor(async () => {
    const st = await status(s);
    return stream(st, 'accounts').lastSuccessAt !== scannedAt && missingOf(st, 'activities:logon') !== undefined;
  }, { what: 'an account scan while the feed is refused', ...SLOW });

  const before = stream(await status(s), 'management/Audit.AzureActiveDirectory').published;
  sim.addBlob([sim.makeRecord('UserLoggedIn')], { contentType: 'Audit.AzureActiveDirectory' });
  sim.allow('ActivityFeed.Read');
  await publishes(s, 'management/Audit.AzureActiveDirectory', before);
  await notMissing(s, 'activities:logon');
});
