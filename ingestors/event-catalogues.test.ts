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
import { catalogueCoverage, describeCoverage, type EventMapping } from './runtime/event-table.js';

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
    ];
    for (const [what, found, action, category] of cases) assert.deepEqual([found.action, found.category], [action, category], what);
  });

  test('an unknown type is never given a category by default', () => {
    assert.equal(oktaEventMapping('brand.new.family').category, 'other');
    assert.equal(googleEventMapping('brand_new_application', 'x').category, 'other');
    assert.equal(operationMapping('SomethingNew', 'BrandNewWorkload', 999).category, 'other');
    assert.equal(dropboxTableMapping('brand_new_type'), null);
    assert.equal(boxEventMapping('BRAND_NEW_TYPE').category, 'other');
    assert.equal(boxEventMapping('SHIELD_BRAND_NEW').category, 'security');
  });

  test("the built-in policies' inline test events carry the action their provider's table gives their type", () => {
    const tables: Record<string, (type: string) => string[]> = {
      box: (type) => (BOX_EVENT_TABLE.known(type) ? [boxEventMapping(type).action] : []),
      okta: (type) => (OKTA_EVENT_TABLE.known(type) ? [oktaEventMapping(type).action] : []),
      dropbox: (type) => { const found = dropboxTableMapping(type); return found ? [found.action] : []; },
      // The same name in several applications (login_success in login and saml): any of them.
      google_workspace: (name) => REPORTS_APPLICATIONS.filter((a) => isKnownGoogleEvent(a, name)).map((a) => googleEventMapping(a, name).action),
    };
    const folder = new URL('../policies/', import.meta.url);
    let checked = 0;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml'))) {
      const policy = parse(readFileSync(new URL(file, folder), 'utf8'), { merge: true }) as { tests?: Array<{ name: string; events: Array<Record<string, any>> }> };
      for (const t of policy.tests ?? []) {
        for (const item of t.events) {
          const event = (item.event ?? item) as { provider?: string; action?: string; action_raw?: string; outcome?: string };
          const actions = event.provider && event.action_raw ? tables[event.provider]?.(event.action_raw) : undefined;
          if (!actions || actions.length === 0) continue;
          checked++;
          assert.ok(actions.includes(event.action!), `${file} "${t.name}": ${event.provider} ${event.action_raw} maps to ${actions.join(' or ')}, not ${event.action}`);
          if (event.provider === 'box') assert.equal(event.outcome, boxOutcome(event.action_raw!, boxEventMapping(event.action_raw!)), `${file} "${t.name}": outcome of box ${event.action_raw}`);
        }
      }
    }
    assert.ok(checked >= 15, `policy test events checked against the tables: ${checked}`);
  });
});
