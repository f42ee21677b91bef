import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { OCSF_CLASS } from '../schemas/ocsf.js';
import { AUDIT_ACTIONS, AUDIT_CATEGORIES } from '../schemas/vocabulary.js';
import { BOX_CATALOGUE } from './box/catalogue.js';
import { BOX_EVENT_TABLE, boxEventMapping, boxOutcome } from './box/event-types.js';
import { DROPBOX_CATALOGUE } from './dropbox/catalogue.js';
import { dropboxTableMapping } from './dropbox/event-types.js';
import { CATALOGUE_FAMILIES } from './dropbox/event-types-catalogue.js';
import { googleEventMapping, isKnownGoogleEvent, KNOWN_GOOGLE_EVENTS, REPORTS_APPLICATIONS } from './google-workspace/event-types.js';
import { OFFICE365_CATALOGUE } from './office365/catalogue.js';
import { isKnownOperation, operationMapping } from './office365/operations.js';
import { OKTA_CATALOGUE } from './okta/catalogue.js';
import { OKTA_EVENT_TABLE, oktaEventMapping } from './okta/event-types.js';
import { catalogueCoverage, describeCoverage, type EventMapping, type EventTable } from './runtime/event-table.js';
import { AWS_CATALOGUE } from './aws/catalogue.js';
import { AWS_SERVICE_TABLES, awsEventMapping, awsUnknownEventType, knownAwsMapping } from './aws/event-types.js';
import { LOG_FILE_EVENT_TYPES, REAL_TIME_EVENT_OBJECT_NAMES, SETUP_AUDIT_TRAIL_ACTIONS } from './salesforce/catalogue.js';
import { LOG_FILE_TABLE, REAL_TIME_TABLE, SETUP_ACTION_TABLE, logFileMapping, realTimeMapping, setupActionMapping } from './salesforce/event-types.js';
import { serviceNowCatalogue, serviceNowCatalogueMapping, serviceNowUnknownEventType, syseventMapping, auditMapping, transactionMapping } from './servicenow/event-types.js';

const CLASSES = new Set<number>(Object.values(OCSF_CLASS));

/** Every catalogued type resolves to a specific action or to an `other` with its reason; prints the coverage. */
function checkCatalogue(name: string, catalogue: Iterable<string>, lookup: (type: string) => EventMapping | null, diagnostic: (line: string) => void): void {
  const coverage = catalogueCoverage(catalogue, lookup);
  diagnostic(describeCoverage(name, coverage));
  assert.deepEqual(coverage.unknown, [], `${name}: catalogued types the table does not know`);
  assert.deepEqual(coverage.undecided, [], `${name}: catalogued types mapped to other without a reason`);
  assert.ok(coverage.total > 0 && coverage.specific > coverage.total / 2, `${name}: most catalogued types map to a specific action`);
  for (const type of catalogue) {
    const found = lookup(type)!;
    assert.ok((AUDIT_ACTIONS as readonly string[]).includes(found.action), `${name} ${type}: action ${found.action}`);
    assert.ok((AUDIT_CATEGORIES as readonly string[]).includes(found.category), `${name} ${type}: category ${found.category}`);
    assert.ok(CLASSES.has(found.classUid), `${name} ${type}: class ${found.classUid}`);
  }
}

/** Each pattern rule of a table is deliberate: some catalogued type falls under it, and that type is not listed exactly. */
function checkRulesExercised(name: string, table: EventTable, catalogue: readonly string[], key: (type: string) => string = (t) => t): void {
  const exact = new Set(table.exactTypes);
  for (const rule of table.rules) {
    const hit = catalogue.some((type) => {
      const k = key(type);
      return !exact.has(k) && (rule.prefix === undefined || k.startsWith(rule.prefix)) && (rule.suffix === undefined || k.endsWith(rule.suffix)) && table.lookup(k) === rule.mapping;
    });
    assert.ok(hit, `${name} rule ${rule.prefix ?? ''}*${rule.suffix ?? ''} decides no catalogued type`);
  }
}

describe('event-type tables against the vendors\' catalogues', () => {
  test('Okta: every type of the Event Types catalogue', (t) => {
    checkCatalogue('okta', OKTA_CATALOGUE, (type) => OKTA_EVENT_TABLE.lookup(type), (l) => t.diagnostic(l));
    // Each family rule is deliberate: some catalogued type falls under it.
    for (const rule of OKTA_EVENT_TABLE.rules) {
      assert.ok(OKTA_CATALOGUE.some((type) => (rule.prefix === undefined || type.startsWith(rule.prefix)) && (rule.suffix === undefined || type.endsWith(rule.suffix))),
        `okta rule ${rule.prefix ?? ''}*${rule.suffix ?? ''} matches no catalogued type`);
    }
  });

  test('Office 365: every operation of the audit log activities catalogue', (t) => {
    checkCatalogue('office365', Object.values(OFFICE365_CATALOGUE).flat(), (op) => (isKnownOperation(op) ? operationMapping(op, null, null) : null), (l) => t.diagnostic(l));
  });

  test('Dropbox: every team-log event type', (t) => {
    const all = Object.values(DROPBOX_CATALOGUE).flat();
    checkCatalogue('dropbox', all, dropboxTableMapping, (l) => t.diagnostic(l));
    for (const [prefix] of CATALOGUE_FAMILIES) assert.ok(all.some((type) => type.startsWith(prefix)), `dropbox family ${prefix}* matches no catalogued type`);
  });

  test('Box: every event type of the enterprise and user event catalogues', (t) => {
    checkCatalogue('box', BOX_CATALOGUE, (type) => BOX_EVENT_TABLE.lookup(type), (l) => t.diagnostic(l));
    for (const rule of BOX_EVENT_TABLE.rules) {
      assert.ok(BOX_CATALOGUE.some((type) => type.startsWith(rule.prefix ?? '')), `box rule ${rule.prefix}* matches no catalogued type`);
    }
    // Listed exactly means catalogued: no type from memory.
    for (const type of BOX_EVENT_TABLE.exactTypes) assert.ok(BOX_CATALOGUE.includes(type), `box ${type} is not in Box's catalogue`);
  });

  test('Google Workspace: every listed event; every Reports application has a category', (t) => {
    const keys = KNOWN_GOOGLE_EVENTS.map(([application, name]) => `${application}/${name}`);
    checkCatalogue('google_workspace', keys, (key) => {
      const [application, name] = key.split('/') as [string, string];
      return isKnownGoogleEvent(application, name) ? googleEventMapping(application, name) : null;
    }, (l) => t.diagnostic(l));
    assert.equal(REPORTS_APPLICATIONS.length, 41, 'the applications of the Reports API discovery document (its applicationName pattern)');
    for (const application of REPORTS_APPLICATIONS) assert.notEqual(googleEventMapping(application, 'not_a_documented_event').category, undefined);
    // Every application mapped name by name is one the API lists.
    for (const [application] of KNOWN_GOOGLE_EVENTS) assert.ok(REPORTS_APPLICATIONS.includes(application), `google ${application} is not a Reports API application`);
    // A sharing change a parent folder passed down means what the change itself means.
    const param = (values: Record<string, string>) => (k: string) => values[k] ?? null;
    assert.equal(googleEventMapping('drive', 'change_user_access_hierarchy_reconciled', param({ new_value: 'none' })).action, 'file_unshare');
    assert.equal(googleEventMapping('drive', 'change_document_visibility_hierarchy_reconciled', param({ visibility: 'people_with_link' })).action, 'file_link_create');
  });

  test('Salesforce: every EventLogFile event type, Real-Time Event Monitoring object and Setup Audit Trail action', (t) => {
    checkCatalogue('salesforce EventLogFile', LOG_FILE_EVENT_TYPES, (type) => LOG_FILE_TABLE.lookup(type), (l) => t.diagnostic(l));
    checkCatalogue('salesforce Real-Time Event Monitoring', REAL_TIME_EVENT_OBJECT_NAMES, (type) => REAL_TIME_TABLE.lookup(type), (l) => t.diagnostic(l));
    checkCatalogue('salesforce Setup Audit Trail', SETUP_AUDIT_TRAIL_ACTIONS, (action) => SETUP_ACTION_TABLE.lookup(action.toLowerCase()), (l) => t.diagnostic(l));
    checkRulesExercised('salesforce Setup Audit Trail', SETUP_ACTION_TABLE, SETUP_AUDIT_TRAIL_ACTIONS, (a) => a.toLowerCase());
  });

  test('ServiceNow: every sysevent read, every audited table\'s insert, update, deletion and telling fields, the transaction log', (t) => {
    checkCatalogue('servicenow', serviceNowCatalogue(), serviceNowCatalogueMapping, (l) => t.diagnostic(l));
  });

  test('AWS: every catalogued event name of each event source, by its service\'s table or its verb', (t) => {
    const keys = Object.entries(AWS_CATALOGUE).flatMap(([source, names]) => names.map((name) => `${source}/${name}`));
    checkCatalogue('aws', keys, (key) => {
      const [source, name] = key.split('/') as [string, string];
      return knownAwsMapping(source, name);
    }, (l) => t.diagnostic(l));
    for (const [source, table] of AWS_SERVICE_TABLES) {
      assert.ok(AWS_CATALOGUE[source], `aws ${source}: a table for a service the catalogue does not list`);
      checkRulesExercised(`aws ${source}`, table, AWS_CATALOGUE[source]!);
      for (const type of table.exactTypes) assert.ok(AWS_CATALOGUE[source]!.includes(type), `aws ${source}: ${type} is mapped but not catalogued`);
    }
  });

  test('the types an investigation starts from map to their action, not to other', () => {
    const cases: Array<[string, EventMapping, string, string]> = [
      ['okta system.api_token.create', oktaEventMapping('system.api_token.create'), 'token_create', 'app'],
      ['okta system.api_token.revoke', oktaEventMapping('system.api_token.revoke'), 'token_revoke', 'app'],
      ['okta security.threat.detected', oktaEventMapping('security.threat.detected'), 'threat_detected', 'security'],
      ['okta policy.lifecycle.update', oktaEventMapping('policy.lifecycle.update'), 'policy_change', 'admin'],
      ['okta device.enrollment.create', oktaEventMapping('device.enrollment.create'), 'device_enroll', 'admin'],
      ['o365 MailItemsAccessed', operationMapping('MailItemsAccessed', 'Exchange', 50), 'mail_access', 'user'],
      ['o365 HardDelete', operationMapping('HardDelete', 'Exchange', 2), 'mail_delete', 'user'],
      ['o365 SoftDelete', operationMapping('SoftDelete', 'Exchange', 2), 'mail_delete', 'user'],
      ['o365 SendAs', operationMapping('SendAs', 'Exchange', 2), 'mail_send', 'user'],
      ['o365 MessageSent', operationMapping('MessageSent', 'MicrosoftTeams', 25), 'message_post', 'user'],
      ['o365 MeetingParticipantDetail', operationMapping('MeetingParticipantDetail', 'MicrosoftTeams', 25), 'meeting_join', 'user'],
      ['o365 AtpDetection', operationMapping('AtpDetection', 'ThreatIntelligence', 47), 'threat_detected', 'security'],
      ['o365 TIUrlClickData', operationMapping('TIUrlClickData', 'ThreatIntelligence', 41), 'url_click', 'security'],
      ['o365 DlpRuleMatch', operationMapping('DlpRuleMatch', 'Exchange', 13), 'dlp_match', 'security'],
      ['google chat message_posted', googleEventMapping('chat', 'message_posted'), 'message_post', 'user'],
      ['google meet call_ended', googleEventMapping('meet', 'call_ended'), 'meeting_leave', 'user'],
      ['google calendar create_event', googleEventMapping('calendar', 'create_event'), 'meeting_create', 'user'],
      ['google rules rule_match', googleEventMapping('rules', 'rule_match'), 'dlp_match', 'security'],
      ['google chrome UNSAFE_SITE_VISIT', googleEventMapping('chrome', 'UNSAFE_SITE_VISIT'), 'threat_detected', 'security'],
      ['google login email_forwarding_out_of_domain', googleEventMapping('login', 'email_forwarding_out_of_domain'), 'mail_forward_set', 'user'],
      ['google gcp IMPORT_SSH_PUBLIC_KEY', googleEventMapping('gcp', 'IMPORT_SSH_PUBLIC_KEY'), 'token_create', 'admin'],
      ['google drive sync_item_content', googleEventMapping('drive', 'sync_item_content'), 'file_download', 'file'],
      ['box ADMIN_LOGIN', boxEventMapping('ADMIN_LOGIN'), 'impersonate', 'admin'],
      ['box ACCESS_GRANTED', boxEventMapping('ACCESS_GRANTED'), 'impersonation_grant', 'user'],
      ['box DISABLE_MULTI_FACTOR_AUTH', boxEventMapping('DISABLE_MULTI_FACTOR_AUTH'), 'mfa_factor_disable', 'user'],
      ['box SHIELD_DOWNLOAD_BLOCKED', boxEventMapping('SHIELD_DOWNLOAD_BLOCKED'), 'file_download', 'file'],
      ['box CONTENT_WORKFLOW_ABNORMAL_DOWNLOAD_ACTIVITY', boxEventMapping('CONTENT_WORKFLOW_ABNORMAL_DOWNLOAD_ACTIVITY'), 'threat_detected', 'security'],
      ['box APPLICATION_PUBLIC_KEY_ADDED', boxEventMapping('APPLICATION_PUBLIC_KEY_ADDED'), 'token_create', 'app'],
      ['dropbox admin_alerting_triggered_alert', dropboxTableMapping('admin_alerting_triggered_alert')!, 'threat_detected', 'security'],
      ['salesforce ReportExport', logFileMapping('ReportExport'), 'file_download', 'file'],
      ['salesforce LoginAs', logFileMapping('LoginAs'), 'impersonate', 'logon'],
      ['salesforce URI', logFileMapping('URI'), 'record_view', 'user'],
      ['salesforce SessionHijackingEventStore', realTimeMapping('SessionHijackingEventStore'), 'threat_detected', 'security'],
      ['salesforce CredentialStuffingEvent', realTimeMapping('CredentialStuffingEvent'), 'threat_detected', 'security'],
      ['salesforce ReportEvent ReportExported', realTimeMapping('ReportEvent', { operation: 'ReportExported' }), 'file_download', 'file'],
      ['salesforce BulkApiResultEventStore', realTimeMapping('BulkApiResultEventStore'), 'data_export', 'user'],
      ['salesforce PermSetAssign', setupActionMapping('PermSetAssign'), 'privilege_grant', 'admin'],
      ['salesforce frozeuser', setupActionMapping('frozeuser'), 'user_suspend', 'user'],
      ['servicenow login.failed', syseventMapping('login.failed'), 'login', 'logon'],
      ['servicenow impersonation.start', syseventMapping('impersonation.start'), 'impersonate', 'admin'],
      ['servicenow security.elevated_role.enabled', syseventMapping('security.elevated_role.enabled'), 'privilege_grant', 'admin'],
      ['servicenow sys_user_has_role insert', auditMapping('sys_user_has_role', 'role', null, 'r1'), 'privilege_grant', 'admin'],
      ['servicenow sys_user.enable_multifactor_authn=false', auditMapping('sys_user', 'enable_multifactor_authn', 'true', 'false'), 'mfa_factor_disable', 'user'],
      ['aws ConsoleLogin', awsEventMapping('signin.amazonaws.com', 'ConsoleLogin'), 'login', 'logon'],
      ['aws AssumeRoleWithSAML', awsEventMapping('sts.amazonaws.com', 'AssumeRoleWithSAML'), 'sso', 'logon'],
      ['aws CreateAccessKey', awsEventMapping('iam.amazonaws.com', 'CreateAccessKey'), 'token_create', 'user'],
      ['aws AttachRolePolicy', awsEventMapping('iam.amazonaws.com', 'AttachRolePolicy'), 'privilege_grant', 'admin'],
      ['aws DeleteRolePolicy', awsEventMapping('iam.amazonaws.com', 'DeleteRolePolicy'), 'privilege_revoke', 'admin'],
      ['aws DeactivateMFADevice', awsEventMapping('iam.amazonaws.com', 'DeactivateMFADevice'), 'mfa_factor_disable', 'user'],
      ['aws StopLogging', awsEventMapping('cloudtrail.amazonaws.com', 'StopLogging'), 'settings_change', 'admin'],
      ['aws DeleteTrail', awsEventMapping('cloudtrail.amazonaws.com', 'DeleteTrail'), 'settings_change', 'admin'],
      ['aws PutBucketPolicy', awsEventMapping('s3.amazonaws.com', 'PutBucketPolicy'), 'policy_change', 'admin'],
      ['aws PutBucketAcl', awsEventMapping('s3.amazonaws.com', 'PutBucketAcl'), 'policy_change', 'admin'],
      ['aws GetObject', awsEventMapping('s3.amazonaws.com', 'GetObject'), 'file_download', 'file'],
      ['aws DeleteObject', awsEventMapping('s3.amazonaws.com', 'DeleteObject'), 'file_delete', 'file'],
      ['aws AuthorizeSecurityGroupIngress', awsEventMapping('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress'), 'policy_change', 'admin'],
      ['aws DisableKey', awsEventMapping('kms.amazonaws.com', 'DisableKey'), 'settings_change', 'admin'],
      ['aws ScheduleKeyDeletion', awsEventMapping('kms.amazonaws.com', 'ScheduleKeyDeletion'), 'settings_change', 'admin'],
      ['aws LeaveOrganization', awsEventMapping('organizations.amazonaws.com', 'LeaveOrganization'), 'settings_change', 'admin'],
      ['aws StopConfigurationRecorder', awsEventMapping('config.amazonaws.com', 'StopConfigurationRecorder'), 'settings_change', 'admin'],
      ['aws GuardDuty DeleteDetector', awsEventMapping('guardduty.amazonaws.com', 'DeleteDetector'), 'settings_change', 'admin'],
      ['aws AddPermission (lambda)', awsEventMapping('lambda.amazonaws.com', 'AddPermission20150331v2'), 'policy_change', 'admin'],
      ['aws ModifyDBSnapshotAttribute', awsEventMapping('rds.amazonaws.com', 'ModifyDBSnapshotAttribute'), 'policy_change', 'admin'],
      ['aws StartSession (ssm)', awsEventMapping('ssm.amazonaws.com', 'StartSession'), 'admin_access', 'admin'],
    ];
    for (const [what, found, action, category] of cases) assert.deepEqual([found.action, found.category], [action, category], what);
  });

  test('an unknown type is never given a category by default', () => {
    assert.equal(oktaEventMapping('brand.new.family').category, 'other');
    assert.equal(googleEventMapping('brand_new_application', 'x').category, 'other');
    assert.equal(operationMapping('SomethingNew', 'BrandNewWorkload', 999).category, 'other');
    assert.equal(dropboxTableMapping('brand_new_type'), null);
    assert.equal(logFileMapping('BrandNewLogType').category, 'other');
    assert.equal(realTimeMapping('BrandNewEventStore').category, 'other');
    assert.equal(syseventMapping('brand.new.event').category, 'other');
    assert.equal(auditMapping('incident', 'state', '1', '2').category, 'other');
    assert.equal(awsEventMapping('iam.amazonaws.com', 'FrobnicateUser').category, 'other');
    assert.equal(boxEventMapping('BRAND_NEW_TYPE').category, 'other');
    assert.equal(boxEventMapping('SHIELD_BRAND_NEW').category, 'security');
  });

  test('AWS: the same name means what its service says; unknown names are counted with their source', () => {
    assert.equal(awsEventMapping('iam.amazonaws.com', 'CreateUser').action, 'user_create');
    assert.deepEqual([awsEventMapping('transfer.amazonaws.com', 'CreateUser').action, awsEventMapping('transfer.amazonaws.com', 'CreateUser').reason !== undefined], ['other', true], 'another service\'s CreateUser is a call mapped by its verb');
    assert.equal(awsEventMapping('organizations.amazonaws.com', 'AttachPolicy').action, 'policy_change', 'a service control policy, not a grant to one principal');
    const unknown = { action_raw: 'FrobnicateWidget', attributes: { event_source: 'widgets.amazonaws.com' } };
    assert.equal(awsUnknownEventType(unknown), 'widgets.amazonaws.com:FrobnicateWidget');
    assert.equal(awsUnknownEventType({ action_raw: 'ListWidgets', attributes: { event_source: 'widgets.amazonaws.com' } }), null);
  });

  test('ServiceNow: unknown sysevents and unaudited tables are counted; read tables are not', () => {
    assert.equal(serviceNowUnknownEventType({ action_raw: 'glide.heartbeat', attributes: { table: 'sysevent' } }), 'sysevent:glide.heartbeat');
    assert.equal(serviceNowUnknownEventType({ action_raw: 'login', attributes: { table: 'sysevent' } }), null);
    assert.equal(serviceNowUnknownEventType({ action_raw: 'incident.state', attributes: { table: 'sys_audit', tablename: 'incident' } }), 'sys_audit:incident');
    assert.equal(serviceNowUnknownEventType({ action_raw: 'sys_user.active', attributes: { table: 'sys_audit', tablename: 'sys_user' } }), null);
    assert.equal(serviceNowUnknownEventType({ action_raw: 'transaction:form', attributes: { table: 'syslog_transaction' } }), null);
  });

  test("the built-in policies' inline test events carry the action (and category) their provider's table gives", () => {
    const attrs = (e: Record<string, any>): Record<string, string> => e.attributes ?? {};
    const one = (found: EventMapping | null): EventMapping[] => (found ? [found] : []);
    // Providers whose events need their attributes to be looked up: an event no table knows is a mistake in the test.
    const byAttributes: Record<string, (e: Record<string, any>) => EventMapping[]> = {
      aws: (e) => one(knownAwsMapping(attrs(e).event_source ?? '', e.action_raw)),
      salesforce: (e) => {
        const [type, operation] = String(e.action_raw).split(':') as [string, string | undefined];
        return one(LOG_FILE_TABLE.lookup(type) ?? (REAL_TIME_TABLE.known(type) ? realTimeMapping(type, { operation: operation ?? null }) : setupActionMapping(type)));
      },
      servicenow: (e) => {
        const a = attrs(e);
        if (a.table === 'sysevent') return [syseventMapping(e.action_raw)];
        if (a.table === 'sys_audit') return [auditMapping(a.tablename!, a.fieldname!, a.oldvalue ?? null, a.newvalue ?? null)];
        if (a.table === 'syslog_transaction') return [transactionMapping(a.url!)];
        return [];
      },
    };
    // Providers looked up by type alone: a type the table does not know is left to the other tests.
    const byType: Record<string, (type: string) => EventMapping[]> = {
      box: (type) => (BOX_EVENT_TABLE.known(type) ? [boxEventMapping(type)] : []),
      okta: (type) => (OKTA_EVENT_TABLE.known(type) ? [oktaEventMapping(type)] : []),
      dropbox: (type) => one(dropboxTableMapping(type)),
      // The same name in several applications (login_success in login and saml): any of them.
      google_workspace: (name) => REPORTS_APPLICATIONS.filter((a) => isKnownGoogleEvent(a, name)).map((a) => googleEventMapping(a, name)),
    };
    const folder = new URL('../policies/', import.meta.url);
    let checked = 0;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml'))) {
      const policy = parse(readFileSync(new URL(file, folder), 'utf8'), { merge: true }) as { tests?: Array<{ name: string; events: Array<Record<string, any>> }> };
      for (const t of policy.tests ?? []) {
        for (const entry of t.events) {
          const e = (entry.repeat !== undefined ? entry.event : entry) as Record<string, any>;
          if (e.action === undefined || e.action_raw === undefined) continue;
          const where = `${file} "${t.name}": ${e.provider} ${e.action_raw}`;
          const provider = e.provider as string;
          const found = byAttributes[provider]?.(e) ?? byType[provider]?.(e.action_raw) ?? [];
          if (byAttributes[provider]) assert.ok(found.length > 0, `${where}: no table knows it (give the attributes that say its kind)`);
          if (found.length === 0) continue;
          checked++;
          assert.ok(found.some((m) => m.action === e.action), `${where} maps to ${found.map((m) => m.action).join(' or ')}, not ${e.action}`);
          if (e.category !== undefined && byAttributes[provider]) assert.equal(found[0]!.category, e.category, where);
          if (provider === 'box') assert.equal(e.outcome, boxOutcome(e.action_raw, boxEventMapping(e.action_raw)), `${where}: outcome`);
        }
      }
    }
    assert.ok(checked >= 30, `policy test events checked against the tables: ${checked}`);
  });
});
