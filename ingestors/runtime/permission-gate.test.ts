import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppwardenError } from '../../core/errors.js';
import type { CredentialCheck } from '../contract.js';
import { isPermissionRefusal, PermissionGate } from './permission-gate.js';

const LOGS = { capabilities: ['activities:logon', 'activities:user'] as const, permission: 'okta.logs.read' };
const ACCOUNTS = { capabilities: ['accounts', 'groups'] as const, permission: 'okta.users.read' };
const refusal = new AppwardenError('AW_PROVIDER_AUTH_FAILED', 'GET /api/v1/logs answered 403', { details: { status: 403 } });
const check = (missing: CredentialCheck['missing'] = []): CredentialCheck => ({ ok: true, permissions: [], missing });

describe('PermissionGate', () => {
  test('a stream runs unless every capability it serves is missing', () => {
    const gate = new PermissionGate();
    gate.checked(check([{ capability: 'groups', reason: 'missing permission: okta.groups.read' }]));
    assert.equal(gate.mayRun('accounts', ACCOUNTS), true, 'accounts still serves users');
    gate.checked(check([{ capability: 'activities:logon', reason: 'x' }, { capability: 'activities:user', reason: 'x' }]));
    assert.equal(gate.mayRun('system_log', LOGS), false);
  });

  test('a 403 parks the stream and lists its capabilities with the permission; a check lets it try again; a success clears it', () => {
    const gate = new PermissionGate();
    gate.checked(check());
    gate.refused('system_log', LOGS, refusal);
    assert.equal(gate.mayRun('system_log', LOGS), false);
    assert.equal(gate.mayRun('accounts', ACCOUNTS), true);
    const listed = gate.credentials()!.missing;
    assert.deepEqual(listed.map((m) => [m.capability, m.permission]), [['activities:logon', 'okta.logs.read'], ['activities:user', 'okta.logs.read']]);
    assert.match(listed[0]!.reason, /^missing permission: okta\.logs\.read \(HTTP 403 on system_log: GET \/api\/v1\/logs answered 403\)$/);

    gate.checked(check());
    assert.equal(gate.mayRun('system_log', LOGS), true, 'the next check lets it try');
    assert.equal(gate.credentials()!.missing.length, 2, 'still listed until a pass succeeds');
    assert.equal(gate.succeeded('system_log'), true);
    assert.deepEqual(gate.credentials()!.missing, []);
  });

  test('a capability the check already lists missing is listed once', () => {
    const gate = new PermissionGate();
    gate.checked(check([{ capability: 'activities:logon', reason: 'missing permission: okta.logs.read (HTTP 403)' }]));
    gate.refused('system_log', LOGS, refusal);
    assert.deepEqual(gate.credentials()!.missing.map((m) => m.capability), ['activities:logon', 'activities:user']);
  });

  test('the check reports what was lost and what came back', () => {
    const gate = new PermissionGate();
    assert.deepEqual(gate.checked(check([{ capability: 'groups', reason: 'x' }])), { lost: ['groups'], regained: [] });
    assert.deepEqual(gate.checked(check()), { lost: [], regained: ['groups'] });
  });

  test('only a 403 is a refusal, also as the cause of another error; a throttle answered with 403 is not', () => {
    assert.equal(isPermissionRefusal(refusal), true);
    assert.equal(isPermissionRefusal(new AppwardenError('AW_PROVIDER_UNAVAILABLE', 'wrapped', { cause: refusal })), true);
    assert.equal(isPermissionRefusal(new AppwardenError('AW_PROVIDER_AUTH_FAILED', '401', { details: { status: 401 } })), false);
    assert.equal(isPermissionRefusal(new AppwardenError('AW_PROVIDER_THROTTLED', 'AF429', { details: { status: 403, waitMs: 1000 } })), false);
    assert.equal(isPermissionRefusal(new Error('boom')), false);
  });
});
