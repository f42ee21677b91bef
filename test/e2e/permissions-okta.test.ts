import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startOktaSimulator } from '../../simulators/okta/index.js';
import { simulatorInstance } from '../support/simulators.js';
import type { startTestStack, TestStack } from '../support/appwarden.js';
import { testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { RECHECK_OFTEN, missingOf, notMissing, permissionStack, publishes, SLOW, status, stream } from './permissions-support.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
const stack = (connectors: Parameters<typeof startTestStack>[0]): Promise<TestStack> => permissionStack(cleanups, connectors);

test('Okta: the System Log refused (403 E0000006 on the probe) → activities shown missing, accounts still scanned; granted → polled', async () => {
  const sim = await startOktaSimulator({ log: testLog, seed: 'perm', users: 8, eventsPerDay: 300, days: 1, denyPermissions: ['okta.logs.read'] });
  cleanups.push(() => sim.close());
  const s = await stack({ okta: { main: simulatorInstance('okta', sim, RECHECK_OFTEN) } });

  const refused = await waitFor(async () => {
    const st = await status(s);
    return stream(st, 'accounts').lastSuccessAt !== null && missingOf(st, 'activities:logon') ? st : null;
  }, { what: 'the accounts scanned while the logs are refused', ...SLOW });
  assert.match(missingOf(refused, 'activities:logon')!.reason, /okta\.logs\.read/);
  assert.equal(stream(refused, 'system_log').state, 'missing_permission');
  assert.equal(stream(refused, 'system_log').published, 0);
  assert.equal(refused.phase, 'running');
  assert.equal(missingOf(refused, 'accounts'), undefined);

  sim.allow('okta.logs.read');
  await publishes(s, 'system_log');
  // The missing entry goes once the pass that was refused before completes.
  await notMissing(s, 'activities:logon');
});
