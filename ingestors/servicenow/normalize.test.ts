import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { eventId } from '../../schemas/event-id.js';
import { toJsonView } from '../../schemas/json-view.js';
import { assertGoldenJson } from '../../test/golden.js';
import { formatTime } from './fields.js';
import { normalizeServiceNowActivity } from './normalize-activity.js';
import { normalizeMembership, normalizeOAuthCredential, normalizeRoleAssignment, normalizeUser } from './normalize-accounts.js';
import { normalizeAttachment } from './normalize-files.js';
import { serviceNowErrorMessage } from './throttle.js';

const here = new URL('./testdata/', import.meta.url);
const ctx = { instance: 'prod', ingestedAt: Date.parse('2024-02-01T00:00:00Z') };
const snap = { instance: 'prod', observedAt: Date.parse('2024-02-01T00:00:00Z') };
const lines = (file: string) => readFileSync(new URL(`samples/${file}`, here), 'utf8').split('\n').filter((l) => l.trim() !== '');
const golden = (name: string) => new URL(`golden/${name}`, here).pathname;

function failsOn(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => isAppwardenError(err, 'AW_NORMALIZE_FAILED') && err.details.field === field);
}

describe('ServiceNow samples against their golden files', () => {
  const records = lines('table_api_records.jsonl');
  const responses = lines('api_responses.jsonl');

  test('sys_user sample (inactive and locked out) → user account', () => {
    const raw = JSON.parse(records[0]!);
    const event = normalizeUser(raw, snap, { zone: 'UTC' });
    assertGoldenJson(golden('01-sys_user.raw.json'), raw);
    assertGoldenJson(golden('01-sys_user.expected.json'), toJsonView(event));
    assert.equal(event.subject.id, raw.sys_id);
    assert.equal(event.subject.email, raw.email);
    assert.equal(event.status, 'suspended');
    assert.equal(event.created_at, Date.parse('2020-08-12T14:07:25Z'));
  });

  for (const [i, name] of [[1, '02-sys_audit-deleted'], [2, '03-sys_audit-deleted']] as const) {
    test(`${name}: a sys_audit deletion of a table outside the audited list → a change of category other, at its UTC time`, () => {
      const raw = JSON.parse(records[i]!);
      const event = normalizeServiceNowActivity(raw, { ...ctx, rawText: records[i] });
      assertGoldenJson(golden(`${name}.raw.json`), raw);
      assertGoldenJson(golden(`${name}.expected.json`), toJsonView(event));
      assert.equal(event.action_raw, 'test_table.DELETED');
      assert.equal(event.category, 'other', 'a table we do not audit gets no category by default');
      assert.equal(event.activity_id, 4, 'the change is still a deletion (OCSF Entity Management: Delete)');
      assert.equal(event.outcome, 'success');
      assert.equal(event.occurred_at, Date.parse(`${raw.sys_created_on.replace(' ', 'T')}Z`));
      assert.deepEqual(event.targets.map((t) => [t.type_raw, t.id]), [['test_table', raw.documentkey]]);
      assert.equal(event.event_id, eventId('servicenow', 'prod', `sys_audit:${raw.sys_id}`));
    });
  }

  test('04-sys_outbound_http_log: an outbound call of the instance', () => {
    const raw = JSON.parse(records[3]!);
    const event = normalizeServiceNowActivity(raw, { ...ctx, rawText: records[3] });
    assertGoldenJson(golden('04-sys_outbound_http_log.raw.json'), raw);
    assertGoldenJson(golden('04-sys_outbound_http_log.expected.json'), toJsonView(event));
    assert.deepEqual([event.action_raw, event.outcome, event.targets[0]?.id], ['outbound_http:POST', 'success', 'https://api.example.com/webhook']);
  });

  test('05-sys_attachment: the attachment sample → a file with the record it is attached to', () => {
    const raw = JSON.parse(responses[0]!).result;
    const event = normalizeAttachment(raw, snap, { zone: 'UTC', instanceUrl: 'https://instance.service-now.com' });
    assertGoldenJson(golden('05-sys_attachment.raw.json'), raw);
    assertGoldenJson(golden('05-sys_attachment.expected.json'), toJsonView(event));
    assert.equal(event.file.path, '/incident/d71f7935c0a8016700802b64c67c11c6/Issue_screenshot');
    assert.equal(event.file.size, 36597);
    assert.equal(event.file.owner?.name, 'John Smith');
  });

  test('06-rate-limit: the 429 body reads as the rate limit answer', () => {
    const body = JSON.parse(responses[1]!);
    assertGoldenJson(golden('06-rate-limit.raw.json'), body);
    assertGoldenJson(golden('06-rate-limit.expected.json'), serviceNowErrorMessage(body));
  });
});

describe('ServiceNow activity rows', () => {
  const login = { sys_id: 'a'.repeat(32), name: 'login.failed', parm1: 'beth.anderson', parm2: '10.1.2.3', sys_created_on: '2024-03-10 01:30:00', queue: '', state: 'processed' };

  test('a time without a zone is read in the instance zone the context gives, and the raw row stays as sent', () => {
    const utc = normalizeServiceNowActivity(login, { ...ctx, stream: 'sysevent', timeZone: 'UTC' });
    const ny = normalizeServiceNowActivity(login, { ...ctx, stream: 'sysevent', timeZone: 'America/New_York' });
    assert.equal(normalizeServiceNowActivity(login, ctx).occurred_at, utc.occurred_at, 'no zone given: UTC');
    assert.deepEqual(JSON.parse(ny.raw), login, 'nothing added to the raw record');
    assert.equal(utc.occurred_at, Date.parse('2024-03-10T01:30:00Z'));
    assert.equal(ny.occurred_at, Date.parse('2024-03-10T06:30:00Z'), 'EST is UTC-5 before the DST change that night');
    assert.equal(formatTime(ny.occurred_at, 'America/New_York'), login.sys_created_on, 'and written back the same');
    assert.deepEqual([ny.action, ny.outcome, ny.actor.name, ny.source.ip, ny.category], ['login', 'failure', 'beth.anderson', '10.1.2.3', 'logon']);
  });

  test('sys_audit rows on users, groups, roles, tokens, ACLs and properties map to their actions', () => {
    const row = (tablename: string, fieldname: string, oldvalue: string, newvalue: string) =>
      normalizeServiceNowActivity({ sys_id: 'b'.repeat(32), tablename, fieldname, oldvalue, newvalue, documentkey: 'c'.repeat(32), user: 'admin', sys_created_on: '2024-01-01 00:00:00' }, ctx).action;
    assert.equal(row('sys_user', 'active', 'true', 'false'), 'user_deactivate');
    assert.equal(row('sys_user', 'locked_out', 'false', 'true'), 'account_lock');
    assert.equal(row('sys_user', 'enable_multifactor_authn', 'true', 'false'), 'mfa_factor_disable');
    assert.equal(row('sys_user', 'title', 'Analyst', 'Lead'), 'user_update');
    assert.equal(row('sys_user_has_role', 'role', '', 'abc'), 'privilege_grant');
    assert.equal(row('sys_user_grmember', 'DELETED', '', 'DELETED'), 'group_member_remove');
    assert.equal(row('oauth_credential', 'DELETED', '', 'DELETED'), 'token_revoke');
    assert.equal(row('sys_security_acl', 'condition', 'a', 'b'), 'policy_change');
    assert.equal(row('sys_properties', 'value', 'true', 'false'), 'settings_change');
    assert.equal(row('sys_user_delegate', 'delegate', '', 'u2'), 'impersonation_grant');
    assert.equal(row('incident', 'state', '1', '2'), 'other');
  });

  test('sysevent: impersonation names the impersonated user as the target, elevation is a privilege grant', () => {
    const start = normalizeServiceNowActivity({ ...login, name: 'impersonation.start', parm1: 'admin', parm2: 'beth.anderson' }, ctx);
    assert.deepEqual([start.action, start.category, start.actor.name, start.targets[0]?.id, start.source.ip], ['impersonate', 'admin', 'admin', 'beth.anderson', null]);
    const elevate = normalizeServiceNowActivity({ ...login, name: 'security.elevated_role.enabled', parm1: 'admin', parm2: '10.0.0.1' }, ctx);
    assert.deepEqual([elevate.action, elevate.outcome, elevate.targets[0]?.id, elevate.source.ip], ['privilege_grant', 'success', 'admin', '10.0.0.1']);
    const unknown = normalizeServiceNowActivity({ ...login, name: 'glide.heartbeat' }, ctx);
    assert.deepEqual([unknown.category, unknown.action, unknown.outcome], ['other', 'other', 'unknown']);
  });

  test('syslog_transaction: a user transaction, an attachment download a file download', () => {
    const base = { sys_id: 'd'.repeat(32), sys_created_on: '2024-01-01 00:00:00', sys_created_by: 'beth.anderson', remote_ip: '10.0.0.9', http_status: '200', session: 'S1' };
    const form = normalizeServiceNowActivity({ ...base, url: '/incident.do?sys_id=1', type: 'form' }, ctx);
    assert.deepEqual([form.category, form.action, form.action_raw, form.actor.id, form.source.ip, form.session_id], ['user', 'record_view', 'transaction:form', 'beth.anderson', '10.0.0.9', 'S1']);
    assert.equal(normalizeServiceNowActivity({ ...base, url: '/sys_attachment.do?sys_id=2' }, ctx).action, 'file_download');
  });

  test('malformed rows fail naming their field', () => {
    failsOn(() => normalizeServiceNowActivity({ ...login, sys_created_on: 'yesterday' }, ctx), 'sys_created_on');
    failsOn(() => normalizeServiceNowActivity({ ...login, sys_id: '' }, ctx), 'sys_id');
    failsOn(() => normalizeServiceNowActivity({ foo: 'bar' }, ctx), '(table)');
    failsOn(() => normalizeServiceNowActivity({ foo: 'bar' }, { ...ctx, stream: 'incident' }), '(table)');
    failsOn(() => normalizeServiceNowActivity('x', ctx), '(record)');
  });
});

describe('ServiceNow relation rows read with sysparm_display_value=all', () => {
  const pair = (value: string, display_value = value) => ({ display_value, value });
  test('a role assignment, a membership and a token carry the referenced names', () => {
    const role = normalizeRoleAssignment({ sys_id: pair('r1'), user: pair('u1', 'Beth Anderson'), role: pair('ro1', 'admin'), inherited: pair('false'), sys_created_on: pair('2024-01-01 10:00:00') }, snap, { zone: 'Asia/Tokyo' });
    assert.deepEqual([role.subject.id, role.subject.name, role.privilege?.name, role.created_at], ['u1', 'Beth Anderson', 'admin', Date.parse('2024-01-01T01:00:00Z')]);
    const member = normalizeMembership({ sys_id: pair('m1'), user: pair('u1', 'Beth Anderson'), group: pair('g1', 'Network') }, snap, { zone: 'UTC' });
    assert.deepEqual([member.group?.id, member.group?.name, member.subject.id], ['g1', 'Network', 'u1']);
    const token = normalizeOAuthCredential({ sys_id: pair('t1'), user: pair('u1', 'Beth'), peer: pair('e1', 'Slack'), scope: pair('useraccount'), type: pair('refresh_token') }, snap, { zone: 'UTC' });
    assert.deepEqual([token.app?.id, token.app?.name, token.app?.scopes, token.attributes.token_id], ['e1', 'Slack', ['useraccount'], 't1']);
    failsOn(() => normalizeMembership({ sys_id: pair('m1'), user: pair('u1') }, snap, { zone: 'UTC' }), 'group');
  });
});
