import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { eventId } from '../../schemas/event-id.js';
import { toJsonView } from '../../schemas/json-view.js';
import { OCSF_CLASS } from '../../schemas/ocsf.js';
import { decode, encode } from '../../schemas/registry.js';
import type { AuditEvent } from '../../schemas/types.js';
import { AUDIT_ACTIONS } from '../../schemas/vocabulary.js';
import { assertGoldenJson } from '../../test/golden.js';
import { normalizeOffice365Activity } from './normalize-activity.js';
import { KNOWN_OPERATIONS, operationMapping } from './operations.js';

const here = new URL('./testdata/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');
const ctx = { instance: 'default', ingestedAt: INGESTED_AT };

function sampleLines(file: string): string[] {
  return readFileSync(new URL(`samples/${file}`, here), 'utf8').split('\n').filter((line) => line.trim() !== '');
}

function goldenPath(name: string): string {
  return new URL(`golden/${name}`, here).pathname;
}

/** A file-name-safe form of an operation name: `Add member to role.` → `add-member-to-role`. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function expectNormalizeFailure(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isAppwardenError(err, 'AW_NORMALIZE_FAILED'), `expected AW_NORMALIZE_FAILED, got ${String(err)}`);
    assert.equal(err.details.field, field);
    return true;
  });
}

function roundTrip(event: AuditEvent): void {
  assert.deepEqual(toJsonView(decode(encode('audit-event', event)).record as AuditEvent), toJsonView(event));
}

const managementLines = sampleLines('management_activity_records.jsonl');
const graphLines = sampleLines('graph_auditlogs.jsonl');

describe('Office 365 Management Activity API samples', () => {
  test('there are samples of every workload to test', () => {
    const workloads = new Set(managementLines.map((l) => JSON.parse(l).Workload));
    assert.deepEqual([...workloads].sort(), ['AzureActiveDirectory', 'Exchange', 'OneDrive', 'SecurityComplianceCenter', 'SharePoint']);
  });

  managementLines.forEach((line, i) => {
    const raw = JSON.parse(line);
    const name = `management-${String(i + 1).padStart(2, '0')}-${slug(raw.Operation)}`;

    test(`${name}: matches its golden file and encodes`, () => {
      const event = normalizeOffice365Activity(raw, { ...ctx, rawText: line });
      assertGoldenJson(goldenPath(`${name}.raw.json`), raw);
      assertGoldenJson(goldenPath(`${name}.expected.json`), toJsonView(event));
      roundTrip(event);
    });

    test(`${name}: carries the record's own facts`, () => {
      const event = normalizeOffice365Activity(raw, { ...ctx, rawText: line });
      assert.equal(event.event_id, eventId('office365', 'default', raw.Id));
      assert.equal(event.action_raw, raw.Operation);
      // CreationTime has no zone: it is UTC.
      assert.equal(event.occurred_at, Date.parse(`${raw.CreationTime}Z`));
      assert.equal(event.raw, line);
      assert.equal(event.attributes.workload, raw.Workload);
      const ip = typeof raw.ClientIP === 'string' && raw.ClientIP !== '<null>' ? raw.ClientIP.replace(/:\d+$/, '') : raw.ActorIpAddress ?? null;
      assert.equal(event.source.ip, ip);
    });
  });

  const byOperation = (operation: string) => {
    const line = managementLines.find((l) => JSON.parse(l).Operation === operation)!;
    return normalizeOffice365Activity(JSON.parse(line), { ...ctx, rawText: line });
  };

  test('a sign-in: logon/login, success from ResultStatus, the port stripped from ClientIP, the resource as target', () => {
    const event = byOperation('UserLoggedIn');
    assert.deepEqual([event.category, event.action, event.outcome, event.class_uid, event.activity_id], ['logon', 'login', 'success', 3002, 1]);
    assert.equal(event.source.ip, '1.2.3.4');
    assert.match(event.source.user_agent ?? '', /Edge\/18/);
    assert.equal(event.actor.id, '3d0e7ff9-261e-440f-a2f8-9e1ec4072f3e', "the user's object id (Actor Type 0)");
    assert.deepEqual(event.targets.map((t) => [t.type, t.id]), [['app', '5f09333a-842c-47da-a157-57da27fcbca5']]);
  });

  test('a failed sign-in is a failure although its ResultStatus says Success; the reason is LogonError', () => {
    const event = byOperation('UserLoginFailed');
    assert.equal(event.outcome, 'failure');
    assert.equal(event.outcome_reason, 'AuthenticationFailedSasError');
    assert.equal(event.attributes.error_number, '500121');
    assert.equal(event.session_id, 'b3a9b2b4-57c9-406b-9a2d-106b7f612248');
  });

  test('Add member to role.: a privilege grant whose targets are the user and the role', () => {
    const event = byOperation('Add member to role.');
    assert.deepEqual([event.category, event.action, event.outcome], ['admin', 'privilege_grant', 'success']);
    assert.equal(event.actor.id, '576409b5-84f3-4791-8e3c-c9677e3bd898');
    assert.deepEqual(event.targets.map((t) => [t.type, t.id, t.name, t.email]), [
      ['user', '46522b15-1bf5-4bed-8a6c-4edc58c05b23', null, 'john.doe@example.com'],
      ['role', '54fc7176-29ef-4b41-808f-3cdeb8010649', 'Global Administrator', null],
    ]);
    assert.equal(event.attributes.role_template_id, 'ad1cbca4-efcc-4149-b4a2-aeb40412fe48');
  });

  test('Consent to application.: an app grant by the user to the service principal, with its scopes', () => {
    const event = byOperation('Consent to application.');
    assert.deepEqual([event.category, event.action], ['app', 'app_grant']);
    assert.equal(event.actor.email, 'john.doe@example.com');
    assert.deepEqual(event.targets[0], { type: 'app', type_raw: 'ServicePrincipal', id: '33333333-3333-3333-3333-333333333333', name: 'APPNAME', email: null });
    assert.equal(event.attributes.consent_scopes, 'openid profile email offline_access');
  });

  test('New-InboxRule with ForwardTo and RedirectTo is mail forwarding, with the addresses', () => {
    const event = byOperation('New-InboxRule');
    assert.equal(event.action, 'mail_forward_set');
    assert.equal(event.attributes.forward_to, 'bob@example.org');
    assert.equal(event.attributes.redirect_to, 'joe@example.org');
    assert.equal(event.targets[0]!.name, 'RULE_NAME');
    const plain = normalizeOffice365Activity({ ...JSON.parse(managementLines.find((l) => l.includes('New-InboxRule'))!), Parameters: [{ Name: 'Name', Value: 'tidy' }, { Name: 'MoveToFolder', Value: 'Old' }] }, ctx);
    assert.equal(plain.action, 'mail_rule_change', 'a rule that forwards nothing is a rule change');
  });

  test('Set-Mailbox with a forwarding address is mail forwarding; clearing it is not', () => {
    const base = JSON.parse(managementLines.find((l) => l.includes('New-InboxRule'))!);
    const forward = normalizeOffice365Activity({ ...base, Operation: 'Set-Mailbox', Parameters: [{ Name: 'Identity', Value: 'ann@contoso.example' }, { Name: 'ForwardingSmtpAddress', Value: 'smtp:x@mail.example' }] }, ctx);
    assert.equal(forward.action, 'mail_forward_set');
    assert.equal(forward.attributes.forwarding_smtp_address, 'smtp:x@mail.example');
    assert.deepEqual(forward.targets.map((t) => [t.type, t.email]), [['user', 'ann@contoso.example']]);
    const cleared = normalizeOffice365Activity({ ...base, Operation: 'Set-Mailbox', Parameters: [{ Name: 'Identity', Value: 'ann@contoso.example' }, { Name: 'ForwardingSmtpAddress', Value: '' }] }, ctx);
    assert.equal(cleared.action, 'settings_change');
  });

  test('file records: the file is the target, a guest actor is read from urn:spo:guest, outcome is unknown (SharePoint does not say)', () => {
    const download = byOperation('FileDownloaded');
    assert.deepEqual([download.category, download.action, download.outcome], ['file', 'file_download', 'unknown']);
    assert.equal(download.actor.email, 'john.doe@example.com');
    assert.deepEqual(download.targets[0], { type: 'file', type_raw: 'File', id: 'https://example.com/1.zip', name: '1.zip', email: null });
    const share = byOperation('AddedToSecureLink');
    assert.equal(share.action, 'file_share');
    assert.deepEqual(share.targets.map((t) => t.type), ['file', 'user']);
    assert.equal(byOperation('FileMalwareDetected').action, 'malware_detected');
    assert.equal(byOperation('FileMalwareDetected').actor.type, 'service', 'UserType 5 is an application');
  });

  test('an alert keeps its severity; the security center is the system', () => {
    const event = byOperation('AlertTriggered');
    assert.equal(event.severity, 'informational');
    assert.equal(event.actor.type, 'system');
    assert.deepEqual([event.category, event.action, event.class_uid], ['security', 'threat_detected', 2004]);
  });
});

describe('Microsoft Graph audit log samples (the other shape, through the same normalizer)', () => {
  graphLines.forEach((line, i) => {
    const raw = JSON.parse(line);
    const name = `graph-${String(i + 1).padStart(2, '0')}-${slug(raw.activityDisplayName ?? 'sign-in')}`;

    test(`${name}: matches its golden file and encodes`, () => {
      const event = normalizeOffice365Activity(raw, { ...ctx, rawText: line });
      assertGoldenJson(goldenPath(`${name}.raw.json`), raw);
      assertGoldenJson(goldenPath(`${name}.expected.json`), toJsonView(event));
      roundTrip(event);
      assert.equal(event.event_id, eventId('office365', 'default', raw.id));
      assert.equal(event.raw, line);
    });
  });

  test('a sign-in: errorCode 0 is success, with the location, the app and the resource', () => {
    const event = normalizeOffice365Activity(JSON.parse(graphLines[0]!), ctx);
    assert.deepEqual([event.category, event.action, event.action_raw, event.outcome, event.outcome_reason], ['logon', 'login', 'signIn', 'success', null]);
    assert.deepEqual(event.source, { ip: '192.0.2.1', user_agent: null, country: 'US', city: 'Redmond' });
    assert.equal(event.occurred_at, Date.parse('2023-12-01T16:03:35Z'));
    assert.deepEqual(event.targets.map((t) => t.name), ['Graph explorer', 'Microsoft Graph']);
    const failed = normalizeOffice365Activity({ ...JSON.parse(graphLines[0]!), status: { errorCode: 50126, failureReason: 'Invalid username or password.' } }, ctx);
    assert.deepEqual([failed.outcome, failed.outcome_reason], ['failure', 'Invalid username or password.']);
  });

  test('directory audits: group membership by a user, user updates by an app, with 7-digit fractions and offsets read right', () => {
    const [, add, update, remove] = graphLines.map((l) => normalizeOffice365Activity(JSON.parse(l), ctx));
    assert.deepEqual([add!.action, add!.actor.type, add!.actor.email, add!.source.ip], ['group_member_add', 'user', 'test@test.test', '127.0.0.1']);
    assert.equal(add!.occurred_at, Date.parse('2018-01-09T21:20:02.721Z'));
    assert.deepEqual(add!.targets.map((t) => [t.type, t.email]), [['group', null], ['user', 'bob@contoso.com']]);
    assert.deepEqual([update!.action, update!.actor.type, update!.actor.name], ['user_update', 'service', 'testValue1']);
    assert.equal(update!.occurred_at, Date.parse('2025-11-12T13:59:29.848Z'));
    assert.equal(remove!.action, 'group_member_remove');
    assert.deepEqual(remove!.targets.map((t) => t.type), ['device', 'group']);
  });
});

describe('operation mapping', () => {
  const base = JSON.parse(managementLines[2]!);

  test('the operations named in the Office 365 brief are mapped explicitly, with both spellings', () => {
    const cases: Array<[string, string, string]> = [
      ['UserLoggedIn', 'logon', 'login'], ['UserLoginFailed', 'logon', 'login'],
      ['FileAccessed', 'file', 'file_view'], ['FileDownloaded', 'file', 'file_download'], ['FileModified', 'file', 'file_edit'],
      ['FileDeleted', 'file', 'file_delete'], ['FileRenamed', 'file', 'file_rename'], ['SharingSet', 'file', 'file_share'],
      ['AnonymousLinkCreated', 'file', 'file_link_create'], ['Add member to role.', 'admin', 'privilege_grant'],
      ['Add member to role', 'admin', 'privilege_grant'], ['Set-Mailbox', 'admin', 'settings_change'], ['New-InboxRule', 'user', 'mail_rule_change'],
      ['Consent to application.', 'app', 'app_grant'], ['Disable account.', 'user', 'user_suspend'], ['Add member to group.', 'admin', 'group_member_add'],
      ['Update StsRefreshTokenValidFrom Timestamp.', 'user', 'session_revoke'], ['Remove delegated permission grant.', 'app', 'app_revoke'],
    ];
    for (const [operation, category, action] of cases) {
      const mapping = operationMapping(operation, null, null);
      assert.deepEqual([mapping.category, mapping.action], [category, action], operation);
    }
  });

  test('every mapped operation uses our documented vocabulary and OCSF classes, and encodes', () => {
    for (const key of KNOWN_OPERATIONS) {
      const event = normalizeOffice365Activity({ ...base, Operation: key }, ctx);
      assert.ok((AUDIT_ACTIONS as readonly string[]).includes(event.action), key);
      assert.ok(Object.values(OCSF_CLASS).includes(event.class_uid as never), key);
      encode('audit-event', event);
    }
  });

  test('an unknown operation still flows, as action other with a category from its workload', () => {
    const cases: Array<[string, number, string]> = [
      ['AzureActiveDirectory', 15, 'logon'], ['AzureActiveDirectory', 8, 'admin'], ['SharePoint', 6, 'file'], ['OneDrive', 6, 'file'],
      ['Exchange', 1, 'admin'], ['Exchange', 2, 'user'], ['MicrosoftTeams', 25, 'user'], ['SecurityComplianceCenter', 40, 'security'], ['ThreatIntelligence', 28, 'security'], ['BrandNewWorkload', 999, 'other'],
    ];
    for (const [workload, recordType, category] of cases) {
      const event = normalizeOffice365Activity({ ...base, Operation: 'SomethingNew', Workload: workload, RecordType: recordType }, ctx);
      assert.deepEqual([event.action, event.category, event.action_raw], ['other', category, 'SomethingNew'], `${workload} ${recordType}`);
    }
  });

  test('outcome: Succeeded/Success/True succeed, Failed/False fail, anything else is unknown, never assumed success', () => {
    const cases: Array<[unknown, string]> = [['Succeeded', 'success'], ['Success', 'success'], ['True', 'success'], ['Failed', 'failure'], ['failed', 'failure'], ['False', 'failure'], ['PartiallySucceeded', 'unknown'], [undefined, 'unknown']];
    for (const [ResultStatus, expected] of cases) assert.equal(normalizeOffice365Activity({ ...base, ResultStatus }, ctx).outcome, expected, String(ResultStatus));
  });

  test('event ids depend on the instance and the record Id only', () => {
    const event = normalizeOffice365Activity(base, ctx);
    assert.equal(normalizeOffice365Activity(base, { ...ctx, instance: 'emea' }).event_id === event.event_id, false);
    assert.equal(normalizeOffice365Activity({ ...base, Operation: 'Other' }, ctx).event_id, event.event_id);
  });
});

describe('malformed records', () => {
  const base = JSON.parse(managementLines[0]!);
  const without = (field: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== field));

  test('a value that is not an object, or an object of neither shape, names the record', () => {
    for (const raw of [null, 'text', 42, [base], { hello: 'world' }]) expectNormalizeFailure(() => normalizeOffice365Activity(raw, ctx), '(record)');
  });

  test('a missing Id, Operation or CreationTime is named', () => {
    expectNormalizeFailure(() => normalizeOffice365Activity(without('Id'), ctx), 'Id');
    expectNormalizeFailure(() => normalizeOffice365Activity(without('Operation'), ctx), 'Operation');
    expectNormalizeFailure(() => normalizeOffice365Activity(without('CreationTime'), ctx), 'CreationTime');
    expectNormalizeFailure(() => normalizeOffice365Activity({ ...base, CreationTime: 'yesterday' }, ctx), 'CreationTime');
    expectNormalizeFailure(() => normalizeOffice365Activity({ ...base, CreationTime: '2024-02-31T10:00:00' }, ctx), 'CreationTime');
  });

  test('Graph records name their own fields', () => {
    const signIn = JSON.parse(graphLines[0]!);
    expectNormalizeFailure(() => normalizeOffice365Activity({ ...signIn, id: undefined }, ctx), 'id');
    expectNormalizeFailure(() => normalizeOffice365Activity({ ...signIn, createdDateTime: 'soon' }, ctx), 'createdDateTime');
    const audit = JSON.parse(graphLines[1]!);
    expectNormalizeFailure(() => normalizeOffice365Activity({ ...audit, activityDateTime: 12 }, ctx), 'activityDateTime');
  });

  test('a record with only the required fields still normalizes', () => {
    const event = normalizeOffice365Activity({ Id: 'x-1', Operation: 'FileAccessed', CreationTime: '2024-05-01T00:00:00' }, ctx);
    assert.deepEqual([event.category, event.action, event.outcome, event.actor.type], ['file', 'file_view', 'unknown', 'unknown']);
    assert.deepEqual(event.source, { ip: null, user_agent: null, country: null, city: null });
    encode('audit-event', event);
  });
});
