/**
 * The org's generated audit history, anchored to fixed hour slots (`AnchoredHistory`): LoginHistory
 * (and the matching LoginEvent), SetupAuditTrail, and user activity, which EventLogFile rows and the
 * Real-Time Event Monitoring objects render. A restarted simulator serves the same records.
 */
import { AnchoredHistory } from '../common/anchored-history.js';
import type { Prng } from '../common/prng.js';
import { PREFIX, salesforceId } from './ids.js';
import { salesforceTime, type Org, type Row } from './org.js';

export interface Login {
  atMs: number;
  user: Row;
  ip: string;
  status: string;
  loginType: string;
  application: string;
  browser: string;
  platform: string;
  id: string;
  eventIdentifier: string;
  requestId: string;
  sessionKey: string;
  loginKey: string;
}

/** One user action recorded by EventLogFile (its EVENT_TYPE) and, for some types, by a stored real-time event. */
export interface Activity {
  eventType: string;
  atMs: number;
  user: Row;
  ip: string;
  requestId: string;
  sessionKey: string;
  eventIdentifier: string;
  /** A document, report or record id the action touched. */
  entityId: string;
  status: 'S' | 'F';
  runTime: number;
}

const IPS = ['81.2.69.160', '89.160.20.112', '175.16.199.4', '216.160.83.56', '2.125.160.216', '67.43.156.12'];
const LOGIN_TYPES: Array<[string, string, number]> = [['Application', 'Browser', 6], ['Remote Access 2.0', 'Salesforce for iOS', 2], ['SAML Sfdc Initiated SSO', 'Browser', 2], ['Remote Access Client', 'Data Loader', 1]];
const FAILURES = ['Invalid Password', 'Failed: Computer activation required', 'Restricted IP'];
const ACTIVITY_TYPES: Array<[string, number]> = [
  ['URI', 5], ['LightningPageView', 5], ['API', 4], ['Report', 2], ['ReportExport', 1], ['ContentTransfer', 2], ['Logout', 2], ['KnowledgeArticleView', 1],
];
/** Real Setup Audit Trail actions, with their section and how the trail words them. */
const SETUP_ACTIONS: Array<[string, string, (who: string) => string]> = [
  ['frozeuser', 'Manage Users', (who) => `Froze user ${who}`],
  ['PermSetAssign', 'Manage Users', (who) => `Permission set Security Auditor: assigned to user ${who}`],
  ['changedprofileforuser', 'Manage Users', (who) => `Changed profile for user ${who} from Standard User to Marketing User`],
  ['resetpassword', 'Manage Users', (who) => `Reset password for ${who}`],
  ['insertConnectedApplication', 'Connected Apps', () => 'Created connected app Data Sync'],
  ['changedsessiontimeout', 'Session Settings', () => 'Changed session timeout from 2 hours to 8 hours'],
  ['createduser', 'Manage Users', (who) => `Created new user ${who}`],
];

function pickUser(org: Org, prng: Prng): Row {
  const active = org.users.filter((u) => u.IsActive === true);
  return active[prng.int(0, active.length)] ?? org.users[0]!;
}

export class OrgHistory {
  readonly logins: AnchoredHistory<Login>;
  readonly setup: AnchoredHistory<Row>;
  readonly activity: AnchoredHistory<Activity>;

  constructor(seed: string, org: Org, perDay: { logins: number; setup: number; activity: number }) {
    this.logins = new AnchoredHistory(`${seed}:logins`, perDay.logins, (prng, atMs) => {
      const [loginType, application] = prng.weighted(LOGIN_TYPES.map(([t, a, w]) => [[t, a] as const, w] as const));
      const failed = prng.chance(0.08);
      return {
        atMs, user: pickUser(org, prng), ip: prng.pick(IPS), status: failed ? prng.pick(FAILURES) : 'Success', loginType, application,
        browser: prng.pick(['Chrome 124', 'Firefox 125', 'Safari 17', 'Unknown']), platform: prng.pick(['Mac OSX', 'Windows 10', 'iOS', 'Linux']),
        id: salesforceId(PREFIX.LoginHistory, `${seed}:login:${atMs}:${prng.hex(8)}`), eventIdentifier: prng.uuid(), requestId: prng.chars(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-'),
        sessionKey: prng.chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), loginKey: prng.chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'),
      };
    });
    this.setup = new AnchoredHistory(`${seed}:setup`, perDay.setup, (prng, atMs) => {
      const [action, section, display] = prng.pick(SETUP_ACTIONS);
      const actor = org.users[0]!;
      const subject = pickUser(org, prng);
      const id = salesforceId(PREFIX.SetupAuditTrail, `${seed}:setup:${atMs}:${prng.hex(8)}`);
      return {
        attributes: { type: 'SetupAuditTrail', url: `/services/data/v62.0/sobjects/SetupAuditTrail/${id}` },
        Id: id, Action: action, Section: section, Display: display(String(subject.Username)), CreatedDate: salesforceTime(atMs),
        CreatedById: actor.Id, CreatedBy: actor, DelegateUser: null, ResponsibleNamespacePrefix: null, CreatedByContext: null, CreatedByIssuer: null,
      };
    });
    this.activity = new AnchoredHistory(`${seed}:activity`, perDay.activity, (prng, atMs) => ({
      eventType: prng.weighted(ACTIVITY_TYPES), atMs, user: pickUser(org, prng), ip: prng.pick(IPS),
      requestId: prng.chars(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-'),
      sessionKey: prng.chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), eventIdentifier: prng.uuid(),
      entityId: org.documents.length > 0 ? String(prng.pick(org.documents).Id) : salesforceId('00O', `${seed}:report:${prng.int(0, 20)}`),
      status: prng.chance(0.05) ? 'F' : 'S', runTime: prng.int(20, 900),
    }));
  }
}

/** A LoginHistory row as SOQL returns it. */
export function loginHistoryRow(l: Login): Row {
  return {
    attributes: { type: 'LoginHistory', url: `/services/data/v62.0/sobjects/LoginHistory/${l.id}` },
    Id: l.id, UserId: l.user.Id, LoginTime: salesforceTime(l.atMs), LoginType: l.loginType, SourceIp: l.ip, Status: l.status,
    Application: l.application, Browser: l.browser, Platform: l.platform, LoginUrl: 'login.salesforce.com', ApiType: 'N/A', ApiVersion: 'N/A',
    TlsProtocol: 'TLS 1.3', CipherSuite: 'TLS_AES_256_GCM_SHA384', CountryIso: 'GB', LoginGeoId: null, AuthenticationServiceId: null,
  };
}

const STORED_EVENTS: Record<string, string> = { Logout: 'LogoutEvent', API: 'ApiEvent', Report: 'ReportEvent', ReportExport: 'ReportEvent', LightningPageView: 'LightningUriEvent' };

/** The stored real-time event of a login (LoginEvent). */
export function loginEventRow(l: Login): Row {
  return {
    attributes: { type: 'LoginEvent', url: `/services/data/v62.0/sobjects/LoginEvent/${l.eventIdentifier}` },
    EventIdentifier: l.eventIdentifier, EventDate: new Date(l.atMs).toISOString(), UserId: l.user.Id, Username: l.user.Username, SourceIp: l.ip,
    SessionKey: l.sessionKey, LoginKey: l.loginKey, LoginHistoryId: l.id, LoginType: l.loginType, Status: l.status, Application: l.application,
    Browser: l.browser, Platform: l.platform, LoginUrl: 'login.salesforce.com', CountryIso: 'GB', Country: 'United Kingdom', City: 'London',
    TlsProtocol: 'TLS 1.3', CipherSuite: 'TLS_AES_256_GCM_SHA384', AuthServiceId: null, ApiType: 'N/A', HttpMethod: 'POST', UserType: 'Standard',
  };
}

/** The stored real-time event of an activity, for the types Real-Time Event Monitoring stores; else null. */
export function activityEventRow(a: Activity): Row | null {
  const type = STORED_EVENTS[a.eventType];
  if (!type) return null;
  const base: Row = {
    attributes: { type, url: `/services/data/v62.0/sobjects/${type}/${a.eventIdentifier}` },
    EventIdentifier: a.eventIdentifier, EventDate: new Date(a.atMs).toISOString(), UserId: a.user.Id, Username: a.user.Username,
    SourceIp: a.ip, SessionKey: a.sessionKey, LoginKey: null,
  };
  if (type === 'LogoutEvent') return { ...base, SessionLevel: 'STANDARD', SessionType: 'UI' };
  if (type === 'ApiEvent') return { ...base, Operation: 'Query', QueriedEntities: 'Account', RowsProcessed: 25, Application: 'Data Loader', Client: 'DataLoaderBulkUI/', ApiType: 'REST', ApiVersion: 62, Query: 'SELECT Id FROM Account' };
  if (type === 'ReportEvent') return { ...base, Operation: a.eventType === 'ReportExport' ? 'ReportExported' : 'ReportRunFromLightning', ReportId: a.entityId, Name: 'Pipeline by stage', RowsProcessed: 120, ExportFileFormat: a.eventType === 'ReportExport' ? 'CSV' : null, QueriedEntities: 'Opportunity' };
  return { ...base, Operation: 'Read', PageUrl: `/lightning/r/Account/${a.entityId}/view`, RecordId: a.entityId, QueriedEntities: 'Account', AppName: 'Sales', DeviceSessionId: a.requestId };
}
