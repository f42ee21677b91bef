import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startOktaSimulator, type OktaSimulator } from '../../simulators/okta/index.js';
import { simulatorInstance } from '../support/simulators.js';
import type { startTestStack, TestStack } from '../support/appwarden.js';
import { ADMIN_HEADERS, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { RECHECK_OFTEN, missingOf, permissionStack, publishes, SLOW, status, stream } from './permissions-support.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
const stack = (connectors: Parameters<typeof startTestStack>[0]): Promise<TestStack> => permissionStack(cleanups, connectors);

test('Okta: a governance action refused (403 on its first call) → the action shown missing, the streams go on; granted → the next action succeeds and the entry goes', async () => {
  const sim = await startOktaSimulator({ log: testLog, seed: 'perm-action', users: 8, eventsPerDay: 300, days: 1 });
  cleanups.push(() => sim.close());
  const s = await stack({ okta: { main: simulatorInstance('okta', sim, RECHECK_OFTEN) } });
  const app = s.app!;
  const suspend = async (user: ReturnType<typeof activeUsers>[number]) => {
    const res = await app.inject({
      method: 'POST', url: '/v1/governance', headers: ADMIN_HEADERS,
      payload: { provider: 'okta', instance: 'main', action: 'suspend_user', target: { type: 'user', id: user.profile.login } },
    });
    assert.equal(res.statusCode, 202, res.body);
    const id = (res.json() as { command_id: string }).command_id;
    return waitFor(async () => {
      const detail = await app.inject({ method: 'GET', url: `/v1/governance/${id}`, headers: ADMIN_HEADERS });
      const status = detail.statusCode === 200 ? (detail.json() as { command: { status: string } }).command.status : null;
      return status === 'succeeded' || status === 'failed' ? status : null;
    }, { what: `command ${id} done` });
  };
  const [first, second] = activeUsers(sim);
  await publishes(s, 'system_log');

  sim.deny('okta.users.manage');
  assert.equal(await suspend(first!), 'failed');
  const refused = await status(s);
  assert.match(missingOf(refused, 'action:suspend_user')!.reason, /403/);
  assert.equal(missingOf(refused, 'action:unsuspend_user'), undefined, 'only the refused action is shown missing');
  const polledAt = stream(refused, 'system_log').lastSuccessAt;
  await waitFor(async () => stream(await status(s), 'system_log').lastSuccessAt !== polledAt, { what: 'the System Log polled meanwhile', ...SLOW });

  sim.allow('okta.users.manage');
  assert.equal(await suspend(second!), 'succeeded');
  assert.equal(missingOf(await status(s), 'action:suspend_user'), undefined);
});

function activeUsers(sim: OktaSimulator) {
  return sim.state.users.slice(1).filter((u) => u.status === 'ACTIVE');
}
