import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../core/errors.js';
import { actionTable, connectorCapabilities, normalizeItem, type ActionHandler, type ConnectorDefinition, type SnapshotKinds } from './contract.js';
import { activityNormalizers, checkDefinition, CONNECTORS } from './registry.js';

const handler: ActionHandler = { run: async () => ({ status: 'applied' }) };

describe('connector registry', () => {
  test('every connector declares exactly the actions it has handlers for, and no action by hand', () => {
    for (const definition of CONNECTORS.values()) {
      const actions = definition.capabilities.filter((c) => c.startsWith('action:'));
      assert.deepEqual(actions.sort(), (definition.actions?.verbs ?? []).map((v) => `action:${v}`).sort(), definition.id);
      assert.ok(actions.length > 0, `${definition.id} has governance actions`);
    }
  });

  test('a definition that declares an action without a handler, or has a handler it does not declare, is refused', () => {
    const base = [...CONNECTORS.values()][0]!;
    const actions = actionTable(() => ({ suspend_user: handler }), { suspend_user: true });
    const declaredOnly: ConnectorDefinition = { ...base, capabilities: ['accounts', 'action:suspend_user', 'action:revoke_sessions'], actions };
    const handledOnly: ConnectorDefinition = { ...base, capabilities: ['accounts'], actions };
    assert.throws(() => checkDefinition(declaredOnly), /action:|revoke_sessions/);
    assert.throws(() => checkDefinition(handledOnly), /suspend_user/);
    checkDefinition({ ...base, capabilities: connectorCapabilities(['accounts'], actions), actions });
  });

  test('an action table builds exactly its verbs, and refuses a factory whose handlers differ at run time', () => {
    const table = actionTable((withExtra: boolean) => (withExtra ? { suspend_user: handler, revoke_sessions: handler } : { suspend_user: handler }) as { suspend_user: ActionHandler }, { suspend_user: true });
    assert.deepEqual(Object.keys(table.build(false)), ['suspend_user']);
    assert.throws(() => table.build(true), /differ from the declared verbs/);
  });

  test('appwarden normalize gets the same normalizer as the activity pollers, for every connector', () => {
    const normalizers = activityNormalizers();
    assert.deepEqual(Object.keys(normalizers).sort(), [...CONNECTORS.keys()].sort());
    for (const definition of CONNECTORS.values()) assert.equal(normalizers[definition.id], definition.normalizeActivity);
  });
});

describe('snapshot item kinds', () => {
  const kinds = {
    user: (raw) => ({ raw } as never),
  } satisfies SnapshotKinds;

  test('an item is normalized by the normalizer of its kind', () => {
    assert.deepEqual(normalizeItem({ name: 'accounts', kinds }, { kind: 'user', raw: 1 }, { instance: 'x', observedAt: 0 }), { raw: 1 });
  });

  test('an undeclared kind is a normalize failure naming the kind and the stream (its dead letter reason)', () => {
    for (const kind of ['robot', 'toString', '__proto__']) {
      assert.throws(() => normalizeItem({ name: 'accounts', kinds }, { kind, raw: {} }, { instance: 'x', observedAt: 0 }), (err: unknown) =>
        isAppwardenError(err, 'AW_NORMALIZE_FAILED') && err.details.field === 'kind' && err.message.includes(JSON.stringify(kind)) && err.message.includes('accounts'));
    }
  });
});
