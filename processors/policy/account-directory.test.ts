import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AccountEvent, AuditEvent } from '../../schemas/types.js';
import { AccountDirectory } from './account-directory.js';

const T0 = Date.parse('2024-03-01T00:00:00Z');

function account(kind: AccountEvent['kind'], recordId: string, rest: Partial<AccountEvent> = {}): AccountEvent {
  return {
    record_id: recordId, provider: 'okta', instance: 'main', observed_at: T0, kind,
    subject: { type: 'user', id: '00u1', email: 'Ana@Example.com', name: 'Ana Lima' },
    status: null, status_raw: null, created_at: null, last_login_at: null, group: null, privilege: null, app: null,
    deleted: false, attributes: {}, raw: '{}', ...rest,
  };
}

function event(actor: Partial<AuditEvent['actor']>, instance = 'main'): AuditEvent {
  return {
    event_id: 'e1', provider: 'okta', instance, occurred_at: T0, ingested_at: T0, category: 'logon', action: 'login',
    action_raw: 'user.session.start', outcome: 'success', outcome_reason: null, severity: null,
    actor: { id: null, email: null, name: null, type: 'user', ...actor }, targets: [],
    source: { ip: null, user_agent: null, country: null, city: null }, session_id: null, request_id: null,
    class_uid: 3002, activity_id: 1, attributes: {}, raw: '{}',
  };
}

const grant = (user: string, recordId: string, rest: Partial<AccountEvent> = {}) => account('app_grant', recordId, {
  subject: { type: 'user', id: user, email: null, name: null }, app: { id: '0oa-app', name: 'Acme', scopes: ['okta.users.manage'] }, ...rest,
});

describe('AccountDirectory', () => {
  test('answers the actor account by id or by email (any case), with group ids and names, per instance', () => {
    const d = new AccountDirectory();
    d.apply(account('user', 'u1', { status: 'active' }));
    d.apply(account('membership', 'm1', { group: { id: '00g1', name: 'Engineering' } }));
    d.apply(account('membership', 'm2', { group: { id: '00g2', name: null } }));
    d.apply(account('group', 'g2', { subject: { type: 'group', id: '00g2', email: null, name: 'Admins' } }));
    const expected = { status: 'active', groups: ['00g1', 'Engineering', '00g2', 'Admins'], deleted: false };
    assert.deepEqual(d.actorAccount(event({ id: '00u1' })), expected);
    assert.deepEqual(d.actorAccount(event({ email: 'ana@EXAMPLE.com' })), expected);
    assert.equal(d.actorAccount(event({ id: '00u1' }, 'other')), null, 'another instance knows nothing of her');
    assert.equal(d.actorAccount(event({ email: 'bo@example.com' })), null);

    d.apply(account('user', 'u1', { observed_at: T0 + 1000, status: 'suspended' }));
    d.apply(account('membership', 'm1', { observed_at: T0 + 1000, group: { id: '00g1', name: 'Engineering' }, deleted: true }));
    assert.deepEqual(d.actorAccount(event({ id: '00u1' })), { status: 'suspended', groups: ['00g2', 'Admins'], deleted: false });
  });

  test('an older observation of a record changes nothing (two readers may feed it in any order)', () => {
    const d = new AccountDirectory();
    assert.equal(d.apply(account('user', 'u1', { observed_at: T0 + 5000, status: 'suspended' })), true);
    assert.equal(d.apply(account('user', 'u1', { observed_at: T0, status: 'active' })), false);
    assert.equal(d.apply(account('user', 'u1', { observed_at: T0 + 5000, status: 'suspended' })), true, 'the same observation again is harmless');
    assert.equal(d.actorAccount(event({ id: '00u1' }))?.status, 'suspended');
  });

  test('counts the users who granted an app, once per user, without revoked grants, counting the grant under evaluation', () => {
    const d = new AccountDirectory();
    d.apply(grant('00u1', 'g1'));
    d.apply(grant('00u1', 'g1b'));
    d.apply(grant('00u2', 'g2'));
    assert.equal(d.grantUserCount(grant('00u1', 'g1')), 2);
    assert.equal(d.grantUserCount(grant('00u3', 'g3')), 3, 'a grant not yet in the directory counts itself');
    assert.equal(d.grantUserCount(grant('00u3', 'g3', { deleted: true })), 2);
    d.apply(grant('00u1', 'g1', { observed_at: T0 + 1, deleted: true }));
    assert.equal(d.grantUserCount(grant('00u2', 'g2')), 2, 'ana still has another grant of the app');
    d.apply(grant('00u1', 'g1b', { observed_at: T0 + 1, deleted: true }));
    assert.equal(d.grantUserCount(grant('00u2', 'g2')), 1);
    assert.equal(d.grantUserCount(grant('00u2', 'g2', { app: null })), null);
  });
});
