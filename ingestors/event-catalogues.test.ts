import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OCSF_CLASS } from '../schemas/ocsf.js';
import { AUDIT_ACTIONS, AUDIT_CATEGORIES } from '../schemas/vocabulary.js';
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
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

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

  test('Google Workspace: every listed event; every Reports application has a category', (t) => {
    const keys = KNOWN_GOOGLE_EVENTS.map(([application, name]) => `${application}/${name}`);
    checkCatalogue('google_workspace', keys, (key) => {
      const [application, name] = key.split('/') as [string, string];
      return isKnownGoogleEvent(application, name) ? googleEventMapping(application, name) : null;
    }, (l) => t.diagnostic(l));
    assert.ok(REPORTS_APPLICATIONS.length >= 34, 'the applications of the Reports API discovery document');
    for (const application of REPORTS_APPLICATIONS) assert.notEqual(googleEventMapping(application, 'not_a_documented_event').category, undefined);
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
      ['google chrome unsafe_site_visit', googleEventMapping('chrome', 'unsafe_site_visit'), 'threat_detected', 'security'],
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

  test('the built-in policies\' inline events of Salesforce, ServiceNow and AWS carry the action their tables give', () => {
    const folder = new URL('../policies/', import.meta.url);
    const attrs = (e: Record<string, any>): Record<string, string> => e.attributes ?? {};
    const resolve: Record<string, (e: Record<string, any>) => EventMapping | null> = {
      aws: (e) => knownAwsMapping(attrs(e).event_source ?? '', e.action_raw),
      salesforce: (e) => {
        const [type, operation] = String(e.action_raw).split(':') as [string, string | undefined];
        return LOG_FILE_TABLE.lookup(type) ?? (REAL_TIME_TABLE.known(type) ? realTimeMapping(type, { operation: operation ?? null }) : setupActionMapping(type));
      },
      servicenow: (e) => {
        const a = attrs(e);
        if (a.table === 'sysevent') return syseventMapping(e.action_raw);
        if (a.table === 'sys_audit') return auditMapping(a.tablename!, a.fieldname!, a.oldvalue ?? null, a.newvalue ?? null);
        if (a.table === 'syslog_transaction') return transactionMapping(a.url!);
        return null;
      },
    };
    let checked = 0;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml'))) {
      const policy = parse(readFileSync(new URL(file, folder), 'utf8'), { merge: true }) as { tests?: Array<{ name: string; events: Array<Record<string, any>> }> };
      for (const t of policy.tests ?? []) {
        for (const entry of t.events) {
          const e = (entry.repeat !== undefined ? entry.event : entry) as Record<string, any>;
          const resolver = resolve[e.provider as string];
          if (!resolver || e.action === undefined || e.action_raw === undefined) continue;
          const found = resolver(e);
          const where = `${file} "${t.name}": ${e.provider} ${e.action_raw}`;
          assert.ok(found, `${where}: no table knows it (give the attributes that say its kind)`);
          assert.equal(found.action, e.action, where);
          if (e.category !== undefined) assert.equal(found.category, e.category, where);
          checked++;
        }
      }
    }
    assert.ok(checked >= 15, `inline events of these providers checked: ${checked}`);
  });
});
