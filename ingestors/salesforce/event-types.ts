import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction, AuditCategory } from '../../schemas/vocabulary.js';

/** How one Salesforce event type maps to our category, action and OCSF class/activity. */
export interface SalesforceEventMapping {
  category: AuditCategory;
  action: AuditAction;
  classUid: number;
  activityId: number;
}

function m(category: AuditCategory, action: AuditAction, classUid: number, activityId: number): SalesforceEventMapping {
  return { category, action, classUid, activityId };
}

const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const logout = m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF);
const apiCall = m('app', 'app_access', C.API_ACTIVITY, A.api.READ);
const pageView = m('user', 'other', C.WEB_RESOURCES_ACTIVITY, A.OTHER);
const fileView = m('file', 'file_view', C.FILE_HOSTING_ACTIVITY, A.fileHosting.PREVIEW);
const fileDownload = m('file', 'file_download', C.FILE_HOSTING_ACTIVITY, A.fileHosting.DOWNLOAD);
const fileUpload = m('file', 'file_upload', C.FILE_HOSTING_ACTIVITY, A.fileHosting.UPLOAD);

/**
 * EventLogFile event types (the `EventType` of a log file, `EVENT_TYPE` of its rows), from the
 * EventLogFile supported event types list. A type not listed still flows as user activity (`other`).
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile_supportedeventtypes.htm
 */
const LOG_FILE_TYPES: Record<string, SalesforceEventMapping> = {
  Login: login,
  LoginAs: m('logon', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON),
  Logout: logout,
  API: apiCall,
  RestApi: apiCall,
  ApexRestApi: apiCall,
  ApexSoap: apiCall,
  BulkApi: apiCall,
  BulkApi2: apiCall,
  ApiTotalUsage: apiCall,
  MetadataApiOperation: m('admin', 'settings_change', C.API_ACTIVITY, A.api.UPDATE),
  URI: pageView,
  LightningPageView: pageView,
  LightningInteraction: pageView,
  LightningPerformance: pageView,
  Report: m('user', 'other', C.API_ACTIVITY, A.api.READ),
  ReportExport: fileDownload,
  DocumentAttachmentDownloads: fileDownload,
  ContentTransfer: fileDownload,
  ContentDistribution: m('file', 'file_link_create', C.FILE_HOSTING_ACTIVITY, A.fileHosting.SHARE),
  ContentDocumentLink: m('file', 'file_share', C.FILE_HOSTING_ACTIVITY, A.fileHosting.SHARE),
  PermissionUpdate: m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  Sites: pageView,
  VisualforceRequest: pageView,
  ConcurrentLongRunningApexLimit: m('app', 'rate_limit', C.API_ACTIVITY, A.OTHER),
};

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

/** Real-Time Event Monitoring stored event objects, by sObject type. */
const REAL_TIME_TYPES: Record<string, SalesforceEventMapping> = {
  LoginEvent: login,
  LogoutEvent: logout,
  LoginAsEvent: m('logon', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON),
  ApiEvent: apiCall,
  ReportEvent: m('user', 'other', C.API_ACTIVITY, A.api.READ),
  LightningUriEvent: pageView,
  UriEvent: pageView,
  ListViewEvent: m('user', 'other', C.API_ACTIVITY, A.api.READ),
  FileEventStore: fileDownload,
};

// An EventLogFile type or event object the tables do not list: no category is guessed, and the
// runtime counts it (`salesforceUnknownEventType`). Only unknown types get this mapping.
const OTHER_ACTIVITY = m('other', 'other', C.BASE_EVENT, A.OTHER);

/**
 * The key `/v1/connectors` counts an unknown event under: its log file `EVENT_TYPE` or event object
 * (the part of `action_raw` before a `:`), for events the tables do not know. The full catalogue
 * (EventLogFile supported event types, Real-Time Event Monitoring objects) is not tabulated yet.
 */
export function salesforceUnknownEventType(event: { action_raw: string; category: string }): string | null {
  if (event.category !== 'other') return null;
  const colon = event.action_raw.indexOf(':');
  return colon < 0 ? event.action_raw : event.action_raw.slice(0, colon);
}

export function logFileMapping(eventType: string): SalesforceEventMapping {
  return LOG_FILE_TYPES[eventType] ?? OTHER_ACTIVITY;
}

export function realTimeMapping(objectType: string): SalesforceEventMapping {
  return REAL_TIME_TYPES[objectType] ?? OTHER_ACTIVITY;
}

/**
 * Setup Audit Trail `Action` values (the Setup Audit Trail's own names), by their words: the trail has
 * hundreds, so a handful of patterns sort them; the rest are settings changes.
 */
const SETUP_ACTIONS: Array<[RegExp, SalesforceEventMapping]> = [
  [/^(frozeuser|freeze)/i, m('user', 'user_suspend', C.ACCOUNT_CHANGE, A.accountChange.LOCK)],
  [/^(unfrozeuser|unfreeze)/i, m('user', 'user_unsuspend', C.ACCOUNT_CHANGE, A.accountChange.UNLOCK)],
  [/^deactivateduser/i, m('user', 'user_deactivate', C.ACCOUNT_CHANGE, A.accountChange.DISABLE)],
  [/^activateduser/i, m('user', 'user_activate', C.ACCOUNT_CHANGE, A.accountChange.ENABLE)],
  [/^(createduser|newuser)/i, m('user', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE)],
  [/^(resetpassword|passwordreset)/i, m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET)],
  [/^changedpassword/i, m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE)],
  [/^(changedprofile|profilechanged|permsetassign|assignedpermset)/i, m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES)],
  [/^(permsetunassign|unassignedpermset)/i, m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES)],
  [/^(loginasgranted|grantedloginaccess)/i, m('admin', 'impersonation_grant', C.ACCOUNT_CHANGE, A.OTHER)],
  [/^(suOrgAdminLogin|loginas)/i, m('logon', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON)],
  [/connectedapp|oauth/i, m('admin', 'app_grant', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE)],
  [/^(changeduser|useredited|changedemail|changedusername)/i, m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER)],
];

export function setupActionMapping(action: string): SalesforceEventMapping {
  for (const [pattern, mapping] of SETUP_ACTIONS) if (pattern.test(action)) return mapping;
  return m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE);
}
