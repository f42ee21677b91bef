/**
 * The contract suite, governance cases: every action a connector declares (`action:<verb>`) is asked
 * for through the API with an admin's key (a signed command on the command topic), carried out by the governance executor
 * against the simulator, verified, and reverted through the API where the action has an inverse.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ActionVerb } from '../../ingestors/contract.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { ADMIN_HEADERS } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import type { ContractTenant } from './fixture.js';
import { contractProviders, instanceSettings, onFirstTest, requireFixture } from './support.js';

interface Step { status: string; message: string | null }
interface Detail { command: { command_id: string; status: string; action: string; message: string | null }; history: Step[] }
/** Statuses a command does not leave by itself: waiting longer for another is pointless. */
const STUCK = new Set(['failed', 'unsupported', 'dry_run']);

for (const { definition, fixture } of contractProviders()) {
  const provider = definition.id;
  const verbs = definition.capabilities.filter((c) => c.startsWith('action:')).map((c) => c.slice('action:'.length) as ActionVerb);

  // The actions act on different targets, so they may run side by side.
  describe(`contract (${provider}): every declared action through the governance executor`, { concurrency: true }, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    let tenant: ContractTenant;
    let s: TestStack;

    const ready = onFirstTest(async () => {
      tenant = await requireFixture(definition, fixture).start(`contract-${provider}-actions`);
      cleanups.push(() => tenant.close());
      s = await startTestStack({ [provider]: { main: instanceSettings(tenant) } });
      cleanups.push(() => s.stop());
    });
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    const post = async <T>(url: string, payload: object) => {
      const res = await s.app!.inject({ method: 'POST', url, payload, headers: ADMIN_HEADERS });
      return { status: res.statusCode, body: res.json() as T };
    };
    /** The command once the governance log shows it `wanted`, or stuck in a status it will not leave. */
    const settled = (id: string, wanted: string) => waitFor(async () => {
      const res = await s.app!.inject({ url: `/v1/governance/${id}`, headers: ADMIN_HEADERS });
      const detail = res.statusCode === 200 ? res.json() as Detail : null;
      return detail && (detail.command.status === wanted || STUCK.has(detail.command.status)) ? detail : null;
    }, { what: `command ${id} ${wanted}`, timeoutMs: 120_000 });

    test('the connector declares at least one action', () => assert.ok(verbs.length > 0));

    for (const verb of verbs) {
      test(`action:${verb} is carried out, verified, and reverted when it has an inverse`, async () => {
        await ready();
        const c = tenant.action(verb);
        assert.ok(c, `the ${provider} contract fixture gives a case for action:${verb}`);
        const asked = await post<{ command_id: string }>('/v1/governance', {
          provider, instance: 'main', action: verb, target: c.target, params: c.params ?? {},
        });
        assert.equal(asked.status, 202);
        const done = await settled(asked.body.command_id, 'succeeded');
        assert.equal(done.command.status, 'succeeded', `${verb}: ${done.command.message}`);
        // Carried out (running), verified by the executor (succeeded), and not a noop or a supersede.
        assert.deepEqual(done.history.map((h) => h.status), ['pending', 'running', 'succeeded']);
        assert.doesNotMatch(done.command.message ?? '', /already|superseded/);
        assert.ok(c.applied(), `the simulator shows the effect of ${verb}`);

        const revert = await post<{ command_id: string; code?: string }>(`/v1/governance/${asked.body.command_id}/revert`, {});
        if (!c.restored) {
          assert.equal(revert.status, 409, `${verb} has no inverse, as the fixture says`);
          assert.equal(revert.body.code, 'AW_GOVERNANCE_NOT_REVERSIBLE');
          return;
        }
        assert.equal(revert.status, 202, `${verb} has an inverse`);
        const undone = await settled(revert.body.command_id, 'succeeded');
        assert.equal(undone.command.status, 'succeeded', `revert of ${verb} (${undone.command.action}): ${undone.command.message}`);
        assert.equal((await settled(asked.body.command_id, 'reverted')).command.status, 'reverted');
        assert.ok(c.restored(), `the simulator is back as it was before ${verb}`);
      });
    }
  });
}
