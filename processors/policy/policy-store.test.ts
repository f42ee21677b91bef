import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { createKafkaBus } from '../../core/kafka.js';
import { freshName, testBrokers } from '../../test/support/fresh.js';
import { testLog } from '../../test/support/stack.js';
import { waitFor } from '../../test/support/wait-for.js';
import { PolicyStore, type PolicyLimits } from './policy-store.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function store(bus: ConstructorParameters<typeof PolicyStore>[0]['bus'], limits: Partial<PolicyLimits> = {}): Promise<PolicyStore> {
  const s = new PolicyStore({ bus, log: testLog, limits });
  await s.start();
  cleanups.push(() => s.stop());
  return s;
}

const doc = (title: string) => ({
  id: 'vip-logins', name: 'VIP sign-ins', kind: 'activity', severity: 'low',
  detection: { vip: { 'actor.email': ['ceo@example.com'], action: 'login' }, condition: 'vip' },
  alert: { title },
});

describe('policy store (real Kafka)', () => {
  test('keeps every version, rolls back and deletes as new versions, and another process sees the same history', async () => {
    const bus = createKafkaBus({ brokers: testBrokers(), clientId: freshName('store-test'), prefix: freshName('aw'), partitions: 1, replicationFactor: 1, log: testLog });
    cleanups.push(() => bus.disconnect());
    await bus.ensureTopics();
    const api = await store(bus);
    let changes = 0;
    api.onChange(() => changes++);

    const v1 = await api.put(doc('first'), { by: 'user:ana' });
    assert.ok(v1.ok);
    assert.equal(v1.version, 1);
    assert.equal(v1.compiled.version, 1);
    const text = '# VIP sign-ins, second take\n' + JSON.stringify(doc('second'), null, 2);
    const v2 = await api.put(text);
    assert.ok(v2.ok && v2.version === 2);
    assert.equal(api.get('vip-logins')?.text, text, 'the text is kept as written, comments included');
    assert.deepEqual(api.list().map((p) => [p.id, p.version]), [['vip-logins', 2]]);
    assert.equal(api.compiled()[0]?.policy.alert.title, 'second');

    const refused = await api.put({ ...doc('x'), severity: 'urgent' });
    assert.equal(refused.ok, false);
    assert.deepEqual(refused.ok ? null : refused.problems.map((p) => [p.path.join('.'), p.line]), [['severity', undefined]]);
    const two = await api.put('- ' + JSON.stringify(doc('a')) + '\n- ' + JSON.stringify({ ...doc('b'), id: 'other' }), { file: 'two.yaml' });
    assert.equal(two.ok, false);
    assert.match(two.ok ? '' : two.problems[0]!.message, /a put holds one policy, this text holds 2/);

    const checked = api.validate(doc('third'));
    assert.equal(checked.compiled?.version, 3, 'validate numbers it as the next version');
    assert.deepEqual(api.versions('vip-logins').map((v) => v.version), [1, 2], 'validate stores nothing');

    const back = await api.rollback('vip-logins', 1, { by: 'user:lead' });
    assert.ok(back.ok && back.version === 3);
    assert.equal(back.policy.rolled_back_from, 1);
    assert.equal(back.policy.by, 'user:lead');
    assert.deepEqual(back.policy.document, doc('first'));
    await assert.rejects(api.rollback('vip-logins', 9), (err) => isAppwardenError(err, 'AW_NOT_FOUND'));

    const removed = await api.delete('vip-logins');
    assert.equal(removed.version, 4);
    assert.deepEqual(api.list(), []);
    assert.deepEqual(api.removedIds(), ['vip-logins']);
    assert.deepEqual(api.compiled(), []);
    await assert.rejects(api.delete('vip-logins'), (err) => isAppwardenError(err, 'AW_NOT_FOUND'));
    await assert.rejects(api.delete('Not An Id'), (err) => isAppwardenError(err, 'AW_BAD_REQUEST'));
    assert.equal(changes, 4, 'one change per accepted version');

    // Another process (an API replica, a policy processor) reads the same history from the topic.
    const other = await store(bus);
    assert.deepEqual(other.versions('vip-logins').map((v) => [v.version, v.deleted, v.rolled_back_from, v.by]),
      [[1, false, null, 'user:ana'], [2, false, null, null], [3, false, 1, 'user:lead'], [4, true, null, null]]);
    assert.deepEqual(other.removedIds(), ['vip-logins']);
    const again = await other.rollback('vip-logins', 2);
    assert.ok(again.ok && again.version === 5);
    await waitFor(() => api.get('vip-logins')?.version === 5, { what: 'the first store following the second one\'s write' });
    assert.equal(api.compiled()[0]?.policy.alert.title, 'second');
    assert.equal(api.get('vip-logins')?.text, text);
  });

  test('bounds: a policy beyond policies.maxPolicies is refused; versions beyond policies.maxVersions are dropped, oldest first', async () => {
    const bus = createKafkaBus({ brokers: testBrokers(), clientId: freshName('store-test'), prefix: freshName('aw'), partitions: 1, replicationFactor: 1, log: testLog });
    cleanups.push(() => bus.disconnect());
    await bus.ensureTopics();
    const api = await store(bus, { maxPolicies: 2, maxVersions: 3 });
    for (let i = 1; i <= 5; i++) assert.ok((await api.put(doc(`take ${i}`))).ok);
    assert.deepEqual(api.versions('vip-logins').map((v) => v.version), [3, 4, 5]);
    assert.ok((await api.put({ ...doc('other'), id: 'second-policy' })).ok);
    const third = await api.put({ ...doc('third'), id: 'third-policy' });
    assert.deepEqual(third.ok ? null : third.problems.map((p) => p.message), [
      'the store already holds 2 policies, its limit (policies.maxPolicies); delete one before adding third-policy',
    ]);
    // A new version of a policy it holds is not one more policy.
    assert.ok((await api.put(doc('take 6'))).ok);
    // Another process reading the topic sees the same bounded history.
    const other = await store(bus, { maxPolicies: 2, maxVersions: 3 });
    assert.deepEqual(other.versions('vip-logins').map((v) => v.version), [4, 5, 6]);
  });
});
