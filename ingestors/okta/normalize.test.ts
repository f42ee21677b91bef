import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { eventId } from '../../schemas/event-id.js';
import { toJsonView } from '../../schemas/json-view.js';
import { OCSF_CLASS } from '../../schemas/ocsf.js';
import { decode, encode } from '../../schemas/registry.js';
import { AUDIT_ACTIONS } from '../../schemas/vocabulary.js';
import { assertGoldenJson } from '../../test/golden.js';
import { KNOWN_OKTA_EVENT_TYPES, oktaEventMapping } from './event-types.js';
import {
  normalizeOktaGrant, normalizeOktaGroup, normalizeOktaMembership, normalizeOktaRoleAssignment, normalizeOktaUser,
} from './normalize-accounts.js';
import { normalizeOktaLogEvent } from './normalize-activity.js';

const here = new URL('./testdata/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');
const OBSERVED_AT = Date.parse('2024-01-02T03:04:05.006Z');
const ctx = { instance: 'default', ingestedAt: INGESTED_AT };
const accountCtx = { instance: 'default', observedAt: OBSERVED_AT };

function sampleLines(file: string): string[] {
  return readFileSync(new URL(`samples/${file}`, here), 'utf8').split('\n').filter((line) => line.trim() !== '');
}

function goldenPath(name: string): string {
  return new URL(`golden/${name}`, here).pathname;
}

function expectNormalizeFailure(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isAppwardenError(err, 'AW_NORMALIZE_FAILED'), `expected AW_NORMALIZE_FAILED, got ${String(err)}`);
    assert.equal(err.details.field, field);
    return true;
  });
}

describe('normalizeOktaLogEvent on the real samples', () => {
  const lines = sampleLines('system_log_events.jsonl');

  test('there are samples to test', () => {
    assert.ok(lines.length >= 9);
  });

  lines.forEach((line, i) => {
    const raw = JSON.parse(line);
    const name = `${String(i + 1).padStart(2, '0')}-${raw.eventType}`;

    test(`${name}: matches its golden file`, () => {
      const event = normalizeOktaLogEvent(raw, { ...ctx, rawText: line });
      assertGoldenJson(goldenPath(`${name}.raw.json`), raw);
      assertGoldenJson(goldenPath(`${name}.expected.json`), toJsonView(event));
    });

    test(`${name}: carries the raw record's own facts`, () => {
      const event = normalizeOktaLogEvent(raw, { ...ctx, rawText: line });
      assert.equal(event.actor.id, raw.actor.id);
      assert.equal(event.actor.name, raw.actor.displayName);
      assert.equal(event.actor.email, raw.actor.alternateId.includes('@') ? raw.actor.alternateId : null);
      assert.equal(event.action_raw, raw.eventType);
      const expectedOutcome = { SUCCESS: 'success', ALLOW: 'success', FAILURE: 'failure', DENY: 'failure' }[raw.outcome?.result as string] ?? 'unknown';
      assert.equal(event.outcome, expectedOutcome);
      assert.equal(event.source.ip, raw.client.ipAddress);
      assert.equal(event.occurred_at, Date.parse(raw.published));
      assert.equal(new Date(event.occurred_at).toISOString(), raw.published);
      assert.equal(event.ingested_at, INGESTED_AT);
      assert.equal(event.event_id, eventId('okta', 'default', raw.uuid));
      assert.equal(event.raw, line, 'raw is the received text, byte for byte');
      assert.equal(event.targets.length, Array.isArray(raw.target) ? raw.target.length : 0);
      assert.notEqual(event.action, 'other', `${raw.eventType} should be mapped explicitly`);
    });

    test(`${name}: encodes and decodes with the published schema`, () => {
      const event = normalizeOktaLogEvent(raw, { ...ctx, rawText: line });
      const decoded = decode(encode('audit-event', event));
      assert.equal(decoded.schema.id, 'audit-event.v1');
      assert.deepEqual(toJsonView(decoded.record as typeof event), toJsonView(event));
    });
  });
});

describe('normalizeOktaLogEvent mapping', () => {
  const base = JSON.parse(sampleLines('system_log_events.jsonl')[0]!);

  test('every event type named in the Okta connector brief is mapped explicitly', () => {
    const required = [
      'user.session.start', 'user.session.end', 'user.authentication.sso', 'user.authentication.auth_via_mfa',
      'user.authentication.auth_via_IDP', 'user.authentication.verify', 'user.mfa.factor.activate',
      'user.mfa.factor.deactivate', 'user.mfa.factor.reset_all', 'user.mfa.okta_verify.deny_push',
      'policy.evaluate_sign_on', 'user.account.lock', 'user.account.unlock', 'user.account.update_password',
      'user.account.reset_password', 'user.account.privilege.grant', 'user.account.privilege.revoke',
      'user.lifecycle.create', 'user.lifecycle.activate', 'user.lifecycle.deactivate', 'user.lifecycle.suspend',
      'user.lifecycle.unsuspend', 'user.lifecycle.delete.initiated', 'group.user_membership.add',
      'group.user_membership.remove', 'group.lifecycle.create', 'group.lifecycle.delete', 'app.oauth2.as.authorize.code',
      'app.oauth2.as.consent.grant', 'app.oauth2.as.consent.revoke', 'app.oauth2.as.token.grant',
      'app.oauth2.as.token.grant.access_token', 'app.oauth2.as.token.grant.refresh_token', 'user.session.access_admin_app',
      'user.session.impersonation.initiate', 'user.session.impersonation.grant', 'system.org.rate_limit.warning',
      'system.org.rate_limit.violation', 'system.push.send_factor_verify_push', 'core.user.config.user_status.suspended',
    ];
    for (const type of required) assert.notEqual(oktaEventMapping(type).action, 'other', type);
  });

  test('the key mappings land on the right action and OCSF class/activity', () => {
    const cases: Array<[string, string, string, number, number]> = [
      ['user.session.start', 'logon', 'login', 3002, 1],
      ['user.session.end', 'logon', 'logout', 3002, 2],
      ['user.account.lock', 'user', 'account_lock', 3001, 9],
      ['user.account.unlock', 'user', 'account_unlock', 3001, 12],
      ['user.account.update_password', 'user', 'password_change', 3001, 3],
      ['user.account.reset_password', 'user', 'password_reset', 3001, 4],
      ['user.lifecycle.create', 'user', 'user_create', 3001, 1],
      ['user.lifecycle.suspend', 'user', 'user_suspend', 3001, 5],
      ['core.user.config.user_status.suspended', 'user', 'user_suspend', 3001, 5],
      ['user.mfa.factor.activate', 'user', 'mfa_factor_enable', 3001, 10],
      ['user.mfa.factor.deactivate', 'user', 'mfa_factor_disable', 3001, 11],
      ['group.user_membership.add', 'admin', 'group_member_add', 3006, 3],
      ['group.user_membership.remove', 'admin', 'group_member_remove', 3006, 4],
      ['group.lifecycle.create', 'admin', 'group_create', 3006, 6],
      ['group.lifecycle.delete', 'admin', 'group_delete', 3006, 5],
      ['user.account.privilege.grant', 'admin', 'privilege_grant', 3005, 1],
      ['user.account.privilege.revoke', 'admin', 'privilege_revoke', 3005, 2],
      ['app.oauth2.as.consent.grant', 'app', 'app_grant', 3005, 1],
      ['system.org.rate_limit.violation', 'admin', 'rate_limit', 6003, 99],
    ];
    for (const [type, category, action, classUid, activityId] of cases) {
      const event = normalizeOktaLogEvent({ ...base, eventType: type }, ctx);
      assert.deepEqual([event.category, event.action, event.class_uid, event.activity_id], [category, action, classUid, activityId], type);
    }
  });

  test('every mapped event type uses our documented vocabulary and encodes', () => {
    for (const type of KNOWN_OKTA_EVENT_TYPES) {
      const event = normalizeOktaLogEvent({ ...base, eventType: type }, ctx);
      assert.ok((AUDIT_ACTIONS as readonly string[]).includes(event.action), type);
      assert.ok(Object.values(OCSF_CLASS).includes(event.class_uid as never), type);
      encode('audit-event', event);
    }
  });

  test('an unknown event type still flows, as action other with a category from its prefix', () => {
    const cases: Array<[string, string]> = [
      ['user.session.something_new', 'logon'],
      ['user.lifecycle.something_new', 'user'],
      ['group.something_new', 'admin'],
      ['app.something_new', 'app'],
      ['security.something_new', 'security'],
      ['brand_new_family.something', 'other'],
    ];
    for (const [type, category] of cases) {
      const event = normalizeOktaLogEvent({ ...base, eventType: type }, ctx);
      assert.equal(event.action, 'other', type);
      assert.equal(event.category, category, type);
      assert.equal(event.action_raw, type);
    }
  });

  test('outcome: SUCCESS/ALLOW succeed, FAILURE/DENY fail, anything else is unknown, never assumed success', () => {
    const cases: Array<[unknown, string]> = [
      [{ result: 'SUCCESS' }, 'success'], [{ result: 'ALLOW' }, 'success'],
      [{ result: 'FAILURE', reason: 'INVALID_CREDENTIALS' }, 'failure'], [{ result: 'DENY' }, 'failure'],
      [{ result: 'CHALLENGE' }, 'unknown'], [{ result: 'UNKNOWN' }, 'unknown'], [{ result: 'SKIPPED' }, 'unknown'],
      [{}, 'unknown'], [null, 'unknown'], [undefined, 'unknown'],
    ];
    for (const [outcome, expected] of cases) {
      const event = normalizeOktaLogEvent({ ...base, outcome }, ctx);
      assert.equal(event.outcome, expected, JSON.stringify(outcome));
    }
    const failed = normalizeOktaLogEvent({ ...base, outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' } }, ctx);
    assert.equal(failed.outcome_reason, 'INVALID_CREDENTIALS');
  });

  test('actor types: User is a user, apps are services, SystemPrincipal is the system', () => {
    const cases: Array<[string, string]> = [['User', 'user'], ['PublicClientApp', 'service'], ['SystemPrincipal', 'system'], ['Thing', 'unknown']];
    for (const [type, expected] of cases) {
      const event = normalizeOktaLogEvent({ ...base, actor: { ...base.actor, type } }, ctx);
      assert.equal(event.actor.type, expected, type);
    }
    const noEmail = normalizeOktaLogEvent({ ...base, actor: { ...base.actor, alternateId: 'someid' } }, ctx);
    assert.equal(noEmail.actor.email, null, 'an alternateId that is not an email is not taken as one');
  });

  test('request_id falls back to the transaction id; session_id comes from the external session', () => {
    const event = normalizeOktaLogEvent({ ...base, debugContext: { debugData: {} } }, ctx);
    assert.equal(event.request_id, base.transaction.id);
    assert.equal(event.session_id, base.authenticationContext.externalSessionId);
  });

  test('without rawText, raw is the record as JSON; event ids depend on the instance', () => {
    const event = normalizeOktaLogEvent(base, ctx);
    assert.deepEqual(JSON.parse(event.raw), base);
    const other = normalizeOktaLogEvent(base, { ...ctx, instance: 'emea' });
    assert.notEqual(other.event_id, event.event_id);
    assert.equal(normalizeOktaLogEvent(base, ctx).event_id, event.event_id, 'the same record gets the same id');
  });
});

describe('normalizeOktaLogEvent on malformed records', () => {
  const base = JSON.parse(sampleLines('system_log_events.jsonl')[0]!);
  const without = (field: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== field));

  test('a value that is not an object names the record', () => {
    for (const raw of [null, 'text', 42, [base]]) expectNormalizeFailure(() => normalizeOktaLogEvent(raw, ctx), '(record)');
  });

  test('a missing or invalid uuid names uuid', () => {
    expectNormalizeFailure(() => normalizeOktaLogEvent(without('uuid'), ctx), 'uuid');
    expectNormalizeFailure(() => normalizeOktaLogEvent({ ...base, uuid: 12 }, ctx), 'uuid');
    expectNormalizeFailure(() => normalizeOktaLogEvent({ ...base, uuid: '' }, ctx), 'uuid');
  });

  test('a missing or unparseable published names published', () => {
    expectNormalizeFailure(() => normalizeOktaLogEvent(without('published'), ctx), 'published');
    expectNormalizeFailure(() => normalizeOktaLogEvent({ ...base, published: 'yesterday' }, ctx), 'published');
    expectNormalizeFailure(() => normalizeOktaLogEvent({ ...base, published: '2020-13-45T99:00:00Z' }, ctx), 'published');
    expectNormalizeFailure(() => normalizeOktaLogEvent({ ...base, published: 1588328422243 }, ctx), 'published');
  });

  test('a missing eventType names eventType', () => {
    expectNormalizeFailure(() => normalizeOktaLogEvent(without('eventType'), ctx), 'eventType');
    expectNormalizeFailure(() => normalizeOktaLogEvent({ ...base, eventType: null }, ctx), 'eventType');
  });

  test('missing optional parts (actor, client, target, outcome) still normalize', () => {
    const minimal = { uuid: 'u-1', published: '2024-05-01T00:00:00.000Z', eventType: 'user.session.start' };
    const event = normalizeOktaLogEvent(minimal, ctx);
    assert.equal(event.actor.type, 'unknown');
    assert.deepEqual(event.targets, []);
    assert.deepEqual(event.source, { ip: null, user_agent: null, country: null, city: null });
    assert.equal(event.outcome, 'unknown');
    encode('audit-event', event);
  });
});

describe('Okta account normalizers', () => {
  const userLine = sampleLines('users.jsonl')[0]!;
  const user = JSON.parse(userLine);

  test('the sample user matches its golden file', () => {
    const event = normalizeOktaUser(user, accountCtx);
    assertGoldenJson(goldenPath('user-01.raw.json'), user);
    assertGoldenJson(goldenPath('user-01.expected.json'), toJsonView(event));
  });

  test('the sample user carries its own facts', () => {
    const event = normalizeOktaUser(user, accountCtx);
    assert.equal(event.kind, 'user');
    assert.equal(event.subject.id, user.id);
    assert.equal(event.subject.email, user.profile.email);
    assert.equal(event.subject.name, 'John Smith');
    assert.equal(event.status, 'staged');
    assert.equal(event.status_raw, 'STAGED');
    assert.equal(event.created_at, Date.parse(user.created));
    assert.equal(event.last_login_at, null);
    assert.equal(event.observed_at, OBSERVED_AT);
    assert.deepEqual(decode(encode('account-event', event)).schema.id, 'account-event.v1');
  });

  test('Okta user statuses map to our vocabulary', () => {
    const cases: Array<[string | undefined, string]> = [
      ['ACTIVE', 'active'], ['SUSPENDED', 'suspended'], ['DEPROVISIONED', 'deprovisioned'], ['STAGED', 'staged'],
      ['PROVISIONED', 'staged'], ['LOCKED_OUT', 'locked'], ['PASSWORD_EXPIRED', 'password_expired'],
      ['RECOVERY', 'password_expired'], ['SOMETHING_NEW', 'unknown'], [undefined, 'unknown'],
    ];
    for (const [status, expected] of cases) assert.equal(normalizeOktaUser({ ...user, status }, accountCtx).status, expected, String(status));
  });

  // Okta publishes no sample of these objects beside users; the shapes below follow the Groups,
  // Roles and Grants API references (fields used: id, profile.name, type, label, clientId, scopeId).
  const group = { id: '00g1emaKYZTWRYYRRTSK', created: '2015-02-06T10:11:28.000Z', type: 'OKTA_GROUP', profile: { name: 'West Coast Users', description: 'All users West of The Rockies' } };
  const role = { id: 'IFIFAX2BIRGUSTQ', label: 'Application Administrator', type: 'APP_ADMIN', status: 'ACTIVE', created: '2019-02-06T16:17:40.000Z', assignmentType: 'USER' };
  const grant = { id: 'oag3ih1zrm1cBFOiq0h6', status: 'ACTIVE', created: '2017-10-30T22:06:53.000Z', issuer: 'https://example.okta.com/oauth2/ausain6z9zIedDCxB0h7', clientId: '0oabskvc6442nkvQO0h7', userId: user.id, scopeId: 'scpCmCCV1DpxVkCaye2X', source: 'END_USER', _embedded: { scope: { name: 'okta.users.read' } }, _links: { app: { title: 'Acme Portal' } } };

  test('a group, a membership, a role assignment and a grant', () => {
    const g = normalizeOktaGroup(group, accountCtx);
    assert.deepEqual([g.kind, g.subject.type, g.subject.id, g.subject.name, g.status], ['group', 'group', group.id, 'West Coast Users', null]);

    const membership = normalizeOktaMembership(group, user, accountCtx);
    assert.equal(membership.kind, 'membership');
    assert.equal(membership.subject.id, user.id);
    assert.deepEqual(membership.group, { id: group.id, name: 'West Coast Users' });

    const privilege = normalizeOktaRoleAssignment(user, role, accountCtx);
    assert.equal(privilege.kind, 'privilege');
    assert.deepEqual(privilege.privilege, { id: role.id, name: 'Application Administrator', type: 'APP_ADMIN' });

    const appGrant = normalizeOktaGrant(user, grant, accountCtx);
    assert.equal(appGrant.kind, 'app_grant');
    assert.deepEqual(appGrant.app, { id: grant.clientId, name: 'Acme Portal', scopes: ['okta.users.read'] });
    assert.equal(appGrant.deleted, false);
    assert.equal(normalizeOktaGrant(user, { ...grant, status: 'REVOKED' }, accountCtx).deleted, true);

    const events = [g, membership, privilege, appGrant];
    assert.equal(new Set(events.map((e) => e.record_id)).size, 4, 'each object has its own record id');
    for (const event of events) assert.deepEqual(toJsonView(decode(encode('account-event', event)).record as typeof event), toJsonView(event));
    assert.equal(normalizeOktaMembership(group, user, accountCtx).record_id, membership.record_id, 'record ids are deterministic');
  });

  test('missing ids name the field at fault', () => {
    expectNormalizeFailure(() => normalizeOktaUser({ ...user, id: undefined }, accountCtx), 'id');
    expectNormalizeFailure(() => normalizeOktaUser('nope', accountCtx), '(record)');
    expectNormalizeFailure(() => normalizeOktaGroup({ profile: {} }, accountCtx), 'id');
    expectNormalizeFailure(() => normalizeOktaMembership({}, user, accountCtx), 'group.id');
    expectNormalizeFailure(() => normalizeOktaMembership(group, {}, accountCtx), 'user.id');
    expectNormalizeFailure(() => normalizeOktaRoleAssignment(user, {}, accountCtx), 'role.id');
    expectNormalizeFailure(() => normalizeOktaGrant(user, null, accountCtx), 'grant');
  });
});
