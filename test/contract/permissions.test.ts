/**
 * The contract suite, permission and deletion cases: the same cases for every registered connector,
 * against its simulator, through the whole of Appwarden. One stack per provider, one instance, whose
 * accounts are rescanned every second and whose permissions are checked again every second.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Capability } from '../../ingestors/contract.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { FAST_INSTANCE } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import type { ContractTenant } from './fixture.js';
import { connectorStatus, contractProviders, instanceSettings, onFirstTest, requireFixture } from './support.js';

// A loaded machine makes a scan take seconds; these waits allow for it.
const SLOW = { timeoutMs: 150_000 };
const SCHEDULE = { ...FAST_INSTANCE.schedule, accountsEveryMs: 1000, permissionsRecheckMs: 1000 };

interface Account { subject: { id: string | null }; deleted: boolean }
interface Missing { capability: string; reason: string; permission?: string }

for (const { definition, fixture } of contractProviders()) {
  const provider = definition.id;
  describe(`contract (${provider}): permissions and deletions`, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    let tenant: ContractTenant;
    let s: TestStack;

    const ready = onFirstTest(async () => {
      tenant = await requireFixture(definition, fixture).start(`contract-${provider}-permissions`);
      cleanups.push(() => tenant.close());
      s = await startTestStack({ [provider]: { main: instanceSettings(tenant, { schedule: SCHEDULE }) } });
      cleanups.push(() => s.stop());
    });
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    /** The instance's streams as declared, each with the permission it needs and the capabilities it serves. */
    const streams = () => {
      const c = s.connections.get(provider, 'main');
      return [...c.activityStreams, ...c.snapshotStreams, ...(c.changeStreams ?? [])];
    };
    const accountsStream = () => {
      const found = streams().find((x) => x.capabilities.includes('accounts'));
      assert.ok(found, `${provider} declares a stream that serves accounts`);
      return found;
    };
    const missing = async (): Promise<Missing[]> => (await connectorStatus(s, provider, 'main')).credentials?.missing ?? [];
    const streamStatus = async (name: string) => {
      const found = (await connectorStatus(s, provider, 'main')).streams.find((x) => x.stream === name);
      assert.ok(found, `the status lists the stream ${name}`);
      return found;
    };
    /** Waits until the stream completes a run that started after `since`. */
    const succeedsAfter = (name: string, since: number) => waitFor(async () => {
      const st = await streamStatus(name);
      return st.lastSuccessAt !== null && Date.parse(st.lastSuccessAt) > since && st.lastRunStartedAt !== null && Date.parse(st.lastRunStartedAt) > since;
    }, { what: `${name} completing a run started after ${new Date(since).toISOString()}`, ...SLOW });
    const accounts = async (query: string): Promise<Account[]> => {
      const res = await s.api<{ items: Account[] }>(`/v1/accounts?provider=${provider}&instance=main&kind=user&limit=1000&${query}`);
      assert.equal(res.status, 200);
      return res.body.items;
    };

    test('a missing permission is shown for the capabilities it serves only; the other streams keep running; granted again, the instance recovers by itself', async () => {
      await ready();
      const accountsPermission = accountsStream().permission;
      const denied = streams().find((x) => x.permission !== accountsPermission);
      assert.ok(denied, `${provider} declares a stream needing another permission than the accounts scan's`);
      const permission = denied.permission;
      const served = new Set<Capability>(streams().filter((x) => x.permission === permission).flatMap((x) => x.capabilities));
      const affected = streams().filter((x) => x.permission === permission).map((x) => x.name);
      await succeedsAfter(accountsStream().name, 0);

      tenant.deny(permission);
      const deniedAt = Date.now();
      const shown = await waitFor(async () => {
        const now = await missing();
        return [...served].every((capability) => now.some((m) => m.capability === capability)) ? now : null;
      }, { what: `${[...served].join(', ')} shown missing`, ...SLOW });
      for (const m of shown) {
        assert.ok(m.permission === permission || m.reason.includes(permission), `${m.capability} is missing for ${permission}, as it says: ${m.reason}`);
        const declared = streams().find((x) => x.capabilities.includes(m.capability as Capability));
        assert.ok(!declared || declared.permission === permission || m.capability.startsWith('action:'), `${m.capability} is served by a stream that needs another permission`);
      }
      for (const name of affected) {
        await waitFor(async () => (await streamStatus(name)).state === 'missing_permission', { what: `${name} waiting for the permission`, ...SLOW });
      }
      // The accounts scan needs another permission: it completes while the permission is missing.
      await succeedsAfter(accountsStream().name, deniedAt);
      assert.equal((await connectorStatus(s, provider, 'main')).phase, 'running');

      tenant.allow(permission);
      const allowedAt = Date.now();
      for (const name of affected) await succeedsAfter(name, allowedAt);
      await waitFor(async () => (await missing()).length === 0, { what: 'nothing shown missing any more', ...SLOW });
    });

    test('a user gone since the last complete scan becomes a deletion; a scan that failed deletes nothing', async () => {
      await ready();
      const stream = accountsStream();
      await succeedsAfter(stream.name, 0);
      // At least the tenant's users (a connector may also list the outside collaborators its file scan met).
      const stored = await waitFor(async () => {
        const now = await accounts('');
        return now.length >= tenant.users() ? now : null;
      }, { what: 'every user stored by a complete scan', ...SLOW });

      // A scan that lacks the permission is refused (the stream waits for the permission), or completes
      // with the part it could not read marked skipped: either way it may delete nothing of that part.
      const refusedOrPartial = (since: number) => async () => {
        const st = await streamStatus(stream.name);
        const ranSince = st.lastRunStartedAt !== null && Date.parse(st.lastRunStartedAt) > since;
        const completedSince = ranSince && st.lastSuccessAt !== null && Date.parse(st.lastSuccessAt) > since;
        // A connector whose permission check covers the scan holds the stream until the check passes.
        const heldOrRetried = st.state === 'missing_permission' && (ranSince || Date.now() - since > 5 * SCHEDULE.permissionsRecheckMs);
        return completedSince || heldOrRetried;
      };
      tenant.deny(stream.permission);
      await waitFor(refusedOrPartial(Date.now()), { what: 'an accounts scan without the permission', ...SLOW });
      const removed = tenant.removeUser();
      await waitFor(refusedOrPartial(Date.now()), { what: 'an accounts scan without the permission after the user left', ...SLOW });
      const kept = await accounts(`subject_id=${encodeURIComponent(removed)}&include_deleted=true`);
      assert.ok(kept.length > 0 && kept.every((a) => !a.deleted), `the user ${removed} is still an account after a failed scan`);

      tenant.allow(stream.permission);
      const gone = await waitFor(async () => {
        const rows = await accounts(`subject_id=${encodeURIComponent(removed)}&include_deleted=true`);
        return rows.length > 0 && rows.every((a) => a.deleted) ? rows : null;
      }, { what: `the user ${removed} deleted by the next complete scan`, ...SLOW });
      assert.ok(gone.length > 0);
      assert.ok(!(await accounts(`subject_id=${encodeURIComponent(removed)}`)).length, '/v1/accounts leaves a deleted account out unless asked');
      const left = new Set((await accounts('')).map((a) => a.subject.id));
      assert.deepEqual(stored.map((a) => a.subject.id).filter((id) => id !== removed && !left.has(id)), [], 'every other user is still an account');
    });
  });
}
