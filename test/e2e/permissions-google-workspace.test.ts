import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SCOPES } from '../../ingestors/google-workspace/scopes.js';
import { googleInstance, googleSimulator } from './google-workspace-support.js';
import type { startTestStack, TestStack } from '../support/appwarden.js';
import { waitFor } from '../support/wait-for.js';
import { RECHECK_OFTEN, missingOf, permissionStack, publishes, SLOW, status, stream } from './permissions-support.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
const stack = (connectors: Parameters<typeof startTestStack>[0]): Promise<TestStack> => permissionStack(cleanups, connectors);

test('Google Workspace: Drive refused (403 insufficientPermissions) → files shown missing, accounts and activities still read; granted → files scanned', async () => {
  const sim = await googleSimulator({ seed: 'perm' });
  cleanups.push(() => sim.close());
  sim.deny(SCOPES.drive);
  const s = await stack({ google_workspace: { main: googleInstance(sim, { applications: ['login'], ...RECHECK_OFTEN }) } });

  const refused = await waitFor(async () => {
    const st = await status(s);
    return stream(st, 'accounts').lastSuccessAt !== null && stream(st, 'reports/login').published > 0 ? st : null;
  }, { what: 'accounts and activities read while Drive is refused', ...SLOW });
  assert.match(missingOf(refused, 'files:periodic')!.reason, /auth\/drive/);
  assert.ok(missingOf(refused, 'files:realtime'));
  assert.equal(stream(refused, 'files').state, 'missing_permission');
  assert.equal(stream(refused, 'files').published, 0);

  sim.allow(SCOPES.drive);
  await publishes(s, 'files');
  await waitFor(async () => {
    const st = await status(s);
    return missingOf(st, 'files:periodic') === undefined && missingOf(st, 'files:realtime') === undefined;
  }, { what: 'the missing entries gone', ...SLOW });
});
