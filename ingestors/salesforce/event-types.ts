import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import { deliberateOther as why, EventTable, mapping as m, type EventMapping, type PatternRule } from '../runtime/event-table.js';
import { REAL_TIME_EVENT_PAIRS, SALESFORCE_CATALOGUE_SOURCES } from './catalogue.js';

/** How one Salesforce event type maps to our category, action and OCSF class/activity. */
export type SalesforceEventMapping = EventMapping;

const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const logout = m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF);
const impersonate = m('logon', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON);
const apiCall = m('app', 'app_access', C.API_ACTIVITY, A.api.READ);
const recordView = m('user', 'record_view', C.WEB_RESOURCES_ACTIVITY, A.webResources.READ);
const fileView = m('file', 'file_view', C.FILE_HOSTING_ACTIVITY, A.fileHosting.PREVIEW);
const fileDownload = m('file', 'file_download', C.FILE_HOSTING_ACTIVITY, A.fileHosting.DOWNLOAD);
const fileUpload = m('file', 'file_upload', C.FILE_HOSTING_ACTIVITY, A.fileHosting.UPLOAD);
const dataExport = m('user', 'data_export', C.WEB_RESOURCES_ACTIVITY, A.webResources.EXPORT);
const settings = m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE);
const policy = m('admin', 'policy_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE);
const grant = m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES);
const revoke = m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES);
const threat = m('security', 'threat_detected', C.DETECTION_FINDING, A.finding.CREATE);
const rateLimit = m('app', 'rate_limit', C.API_ACTIVITY, A.OTHER);
const evaluate = m('security', 'policy_evaluate', C.BASE_EVENT, A.OTHER);
const platform = (reason: string) => why('app', C.API_ACTIVITY, A.OTHER, reason);
const APEX = 'code the org runs (Apex, flows, workflow, callouts): performance and errors, not a user\'s action';
const BROWSER = 'a browser or page report (performance, errors, blocked content): not a user\'s action';

/**
 * EventLogFile event types (`LOG_FILE_EVENT_TYPES`), each mapped: sign-ins, API calls, what users
 * read (pages, records, reports, searches), file and report downloads, sharing, setup changes; the
 * platform's own execution and performance logs are deliberately `other`.
 */
const LOG_FILE_TYPES: Record<string, EventMapping> = {
  Login: login,
  LoginAs: impersonate,
  Logout: logout,
  API: apiCall, RestApi: apiCall, ApexRestApi: apiCall, ApexSoap: apiCall, BulkApi: apiCall, BulkApi2: apiCall, ApiTotalUsage: apiCall,
  URI: recordView, LightningPageView: recordView, LightningInteraction: recordView, VisualforceRequest: recordView, Sites: recordView,
  AuraRequest: recordView, Console: recordView, Report: recordView, AsyncReportRun: recordView, MultiBlockReport: recordView,
  Dashboard: recordView, Search: recordView, SearchClick: recordView, KnowledgeArticleView: recordView, WaveInteraction: recordView,
  WaveChange: recordView,
  ReportExport: fileDownload, DocumentAttachmentDownloads: fileDownload, ContentTransfer: fileDownload, WaveDownload: fileDownload,
  ContentDistribution: m('file', 'file_link_create', C.FILE_HOSTING_ACTIVITY, A.fileHosting.SHARE),
  ContentDocumentLink: m('file', 'file_share', C.FILE_HOSTING_ACTIVITY, A.fileHosting.SHARE),
  MetadataApiOperation: m('admin', 'settings_change', C.API_ACTIVITY, A.api.UPDATE),
  ChangeSetOperation: settings, PackageInstall: settings, Sandbox: settings, PlatformEncryption: settings,
  PermissionUpdate: grant,
  TransactionSecurity: evaluate,
  ConcurrentLongRunningApexLimit: rateLimit,
  ApexCallout: platform(APEX), ApexExecution: platform(APEX), ApexTrigger: platform(APEX), ApexUnexpectedException: platform(APEX),
  ContinuationCalloutSummary: platform(APEX), ExternalCrossOrgCallout: platform(APEX), ExternalCustomApexCallout: platform(APEX),
  ExternalODataCallout: platform(APEX), FlowExecution: platform(APEX), QueuedExecution: platform(APEX), TimeBasedWorkflow: platform(APEX),
  NamedCredential: platform(APEX),
  DatabaseSave: platform('a record saved by whatever code ran: which record and how is in the row, not a user action we name'),
  CorsViolation: platform(BROWSER), CspViolation: platform(BROWSER), HostnameRedirects: platform(BROWSER),
  InsecureExternalAssets: platform(BROWSER), LightningError: platform(BROWSER), LightningLogger: platform(BROWSER),
  LightningPerformance: platform(BROWSER), WavePerformance: platform(BROWSER),
  GroupMembership: why('user', C.GROUP_MANAGEMENT, A.OTHER, 'the groups a user belonged to when signing in: a snapshot, not a change'),
  OneCommerceUsage: platform('usage metering of Commerce: not a user\'s action'),
};

export const LOG_FILE_TABLE = new EventTable(SALESFORCE_CATALOGUE_SOURCES, LOG_FILE_TYPES);

/** ContentTransfer rows say what moved in `TRANSACTION_TYPE`. */
export function contentTransferMapping(transactionType: string | null): SalesforceEventMapping {
  switch (transactionType?.toLowerCase()) {
    case 'upload':
      return fileUpload;
    case 'preview':
    case 'vf_preview':
      return fileView;
    default:
      return fileDownload;
  }
}

/** Real-Time Event Monitoring objects by their stored name; the platform events map alike (below). */
const REAL_TIME_STORED: Record<string, EventMapping> = {
  LoginEvent: login,
  LogoutEvent: logout,
  LoginAsEvent: impersonate,
  ApiEvent: apiCall,
  ReportEvent: recordView,
  ListViewEvent: recordView,
  LightningUriEvent: recordView,
  UriEvent: recordView,
  FileEventStore: fileDownload,
  BulkApiResultEventStore: dataExport,
  PermissionSetEventStore: grant,
  ApiAnomalyEventStore: threat,
  CredentialStuffingEventStore: threat,
  GuestUserAnomalyEventStore: threat,
  LoginAnomalyEventStore: threat,
  ReportAnomalyEventStore: threat,
  SessionHijackingEventStore: threat,
  IdentityVerificationEvent: m('logon', 'mfa_verify', C.AUTHENTICATION, A.OTHER),
  IdentityProviderEventStore: m('logon', 'sso', C.AUTHENTICATION, A.authentication.LOGON),
};

/** Platform events with no stored object. */
const REAL_TIME_STREAM_ONLY: Record<string, EventMapping> = {
  ConcurLongRunApexErrEvent: rateLimit,
  MobileEmailEvent: m('user', 'mail_send', C.EMAIL_ACTIVITY, A.email.SEND),
  MobileEnforcedPolicyEvent: evaluate,
  MobileScreenshotEvent: why('user', C.BASE_EVENT, A.OTHER, 'a screenshot taken in the mobile app: no action of ours names it'),
  MobileTelephonyEvent: why('user', C.BASE_EVENT, A.OTHER, 'a call or text placed from the mobile app: no action of ours names it'),
};

const REAL_TIME_TYPES: Record<string, EventMapping> = {
  ...REAL_TIME_STORED,
  ...REAL_TIME_STREAM_ONLY,
  ...Object.fromEntries(REAL_TIME_EVENT_PAIRS.flatMap(([event, store]) => (event !== null && store !== null ? [[event, REAL_TIME_STORED[store]!]] : []))),
};

export const REAL_TIME_TABLE = new EventTable(SALESFORCE_CATALOGUE_SOURCES, REAL_TIME_TYPES);

// An EventLogFile type or event object the tables do not list: no category is guessed, and the
// runtime counts it (`salesforceUnknownEventType`). Only unknown types get this mapping.
const OTHER_ACTIVITY = m('other', 'other', C.BASE_EVENT, A.OTHER);

export function logFileMapping(eventType: string): SalesforceEventMapping {
  return LOG_FILE_TABLE.lookup(eventType) ?? OTHER_ACTIVITY;
}

/**
 * A stored event's mapping, refined by the fields that say what was done: a report event's
 * `Operation` (an export is a download), a file event's `FileAction`, a permission-set event's
 * `EventSource`/`Operation` (unassigned is a revocation).
 */
export function realTimeMapping(objectType: string, detail: { operation?: string | null; fileAction?: string | null } = {}): SalesforceEventMapping {
  const base = REAL_TIME_TABLE.lookup(objectType);
  if (base === null) return OTHER_ACTIVITY;
  const operation = detail.operation?.toLowerCase() ?? '';
  if ((objectType === 'ReportEvent' || objectType === 'ReportEventStream') && operation.includes('export')) return fileDownload;
  if ((objectType === 'PermissionSetEventStore' || objectType === 'PermissionSetEvent') && operation.startsWith('unassign')) return revoke;
  if (objectType === 'FileEventStore' || objectType === 'FileEvent') {
    const action = detail.fileAction?.toLowerCase() ?? '';
    if (action.includes('upload')) return fileUpload;
    if (action.includes('preview')) return fileView;
  }
  return base;
}

/**
 * The key `/v1/connectors` counts an unknown event under: its log file `EVENT_TYPE` or event object
 * (the part of `action_raw` before a `:`), for events the tables do not know.
 */
export function salesforceUnknownEventType(event: { action_raw: string; category: string }): string | null {
  if (event.category !== 'other') return null;
  const colon = event.action_raw.indexOf(':');
  return colon < 0 ? event.action_raw : event.action_raw.slice(0, colon);
}

const userChange = (action: 'user_suspend' | 'user_unsuspend' | 'user_activate' | 'user_deactivate' | 'user_create' | 'user_update', activityId: number) =>
  m('user', action, C.ACCOUNT_CHANGE, activityId);

/**
 * Setup Audit Trail `Action` values, lower-cased, by their leading words (most specific first); each
 * rule decides some catalogued action (`SETUP_AUDIT_TRAIL_ACTIONS`). The trail records setup changes
 * only, so an action no rule names is a settings change: the last rule.
 */
const SETUP_RULES: PatternRule[] = [
  { prefix: 'frozeuser', mapping: userChange('user_suspend', A.accountChange.LOCK) },
  { prefix: 'unfrozeuser', mapping: userChange('user_unsuspend', A.accountChange.UNLOCK) },
  { prefix: 'deactivateduser', mapping: userChange('user_deactivate', A.accountChange.DISABLE) },
  { prefix: 'activateduser', mapping: userChange('user_activate', A.accountChange.ENABLE) },
  { prefix: 'createduser', mapping: userChange('user_create', A.accountChange.CREATE) },
  { prefix: 'resetpassword', mapping: m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET) },
  { prefix: 'changedpasswordpolicy', mapping: policy },
  { prefix: 'changedpassword', mapping: m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE) },
  { prefix: 'changedprofile', mapping: grant },
  { prefix: 'permsetgroupassign', mapping: grant },
  { prefix: 'permsetgroupunassign', mapping: revoke },
  { prefix: 'permsetassign', mapping: grant },
  { prefix: 'permsetunassign', mapping: revoke },
  { prefix: 'permsetenable', mapping: grant },
  { prefix: 'permsetdisable', mapping: revoke },
  { prefix: 'grantedloginaccess', mapping: m('admin', 'impersonation_grant', C.ACCOUNT_CHANGE, A.OTHER) },
  { prefix: 'suorgadminlogin', mapping: impersonate },
  { prefix: 'suorgadminlogout', mapping: logout },
  { prefix: 'insert', suffix: 'connectedapplication', mapping: m('admin', 'app_grant', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE) },
  { prefix: 'delete', suffix: 'connectedapplication', mapping: m('admin', 'app_revoke', C.ENTITY_MANAGEMENT, A.entityManagement.DELETE) },
  { prefix: 'changedrolefor', mapping: userChange('user_update', A.OTHER) },
  { prefix: 'changeduser', mapping: userChange('user_update', A.OTHER) },
  { prefix: 'changedemail', mapping: userChange('user_update', A.OTHER) },
  { prefix: 'changedsession', mapping: policy },
  { prefix: 'networkaccess', mapping: policy },
  { prefix: '', mapping: settings },
];

export const SETUP_ACTION_TABLE = new EventTable(SALESFORCE_CATALOGUE_SOURCES, {}, SETUP_RULES);

export function setupActionMapping(action: string): SalesforceEventMapping {
  return SETUP_ACTION_TABLE.lookup(action.toLowerCase())!;
}
