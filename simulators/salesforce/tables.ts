/** The sObjects the simulator answers SOQL for: their rows now, their fields, and the permission reading them needs. */
import { activityEventRow, loginEventRow, loginHistoryRow, type OrgHistory } from './history.js';
import type { LogFiles } from './log-files.js';
import type { Org, Row } from './org.js';

export interface Table {
  rows(nowMs: number): Row[];
  fields: ReadonlySet<string>;
  /** Relationship name → the sObject type it points to (`Profile` → Profile). */
  relations: Record<string, string>;
  /** The user permission reading it needs (`deny(permission)` makes the query answer 403). */
  permission: string | null;
}

const PERMISSION_FIELDS = ['PermissionsModifyAllData', 'PermissionsViewAllData', 'PermissionsManageUsers', 'PermissionsAuthorApex', 'PermissionsCustomizeApplication', 'PermissionsManageProfilesPermissionsets', 'PermissionsManageSharing'];
const EVENT_FIELDS = ['EventIdentifier', 'EventDate', 'UserId', 'Username', 'SourceIp', 'SessionKey', 'LoginKey'];
const REAL_TIME: Record<string, string[]> = {
  LoginEvent: [...EVENT_FIELDS, 'LoginHistoryId', 'LoginType', 'Status', 'Application', 'Browser', 'Platform', 'LoginUrl', 'CountryIso', 'Country', 'City', 'TlsProtocol', 'CipherSuite', 'AuthServiceId', 'ApiType', 'HttpMethod', 'UserType'],
  LogoutEvent: [...EVENT_FIELDS, 'SessionLevel', 'SessionType'],
  ApiEvent: [...EVENT_FIELDS, 'Operation', 'QueriedEntities', 'RowsProcessed', 'Application', 'Client', 'ApiType', 'ApiVersion', 'Query'],
  ReportEvent: [...EVENT_FIELDS, 'Operation', 'ReportId', 'Name', 'RowsProcessed', 'ExportFileFormat', 'QueriedEntities'],
  LightningUriEvent: [...EVENT_FIELDS, 'Operation', 'PageUrl', 'RecordId', 'QueriedEntities', 'AppName', 'DeviceSessionId'],
  UriEvent: [...EVENT_FIELDS, 'Operation', 'RecordId', 'QueriedEntities', 'Name'],
  ListViewEvent: [...EVENT_FIELDS, 'ListViewId', 'Name', 'QueriedEntities', 'RowsProcessed', 'AppName'],
  FileEventStore: [...EVENT_FIELDS, 'FileAction', 'DocumentId', 'VersionId', 'FileName', 'FileType', 'ContentSize'],
};

/** What the tables read besides the org's generated state. */
export interface Extra {
  /** LoginHistory rows added by tests (well-formed or not), with the time they sort by and when they become visible. */
  logins: Array<{ row: Row; atMs: number; visibleAtMs: number }>;
  /** Users deleted from the org's listings. */
  removedUsers: Set<string>;
}

function table(fields: string[], permission: string | null, rows: (nowMs: number) => Row[], relations: Record<string, string> = {}): Table {
  return { rows, fields: new Set(fields), relations, permission };
}

export function orgTables(org: Org, history: OrgHistory, logFiles: LogFiles, extra: Extra, historyStartMs: () => number): Map<string, Table> {
  const users = () => org.users.filter((u) => !extra.removedUsers.has(String(u.Id)));
  const logins = (nowMs: number) => history.logins.between(historyStartMs(), nowMs);
  const activities = (nowMs: number) => history.activity.between(historyStartMs(), nowMs);
  const tables = new Map<string, Table>([
    ['User', table(['Id', 'Username', 'Email', 'Name', 'IsActive', 'UserType', 'ProfileId', 'Profile.Name', 'UserRoleId', 'LastLoginDate', 'LastPasswordChangeDate', 'CreatedDate'], null, users, { Profile: 'Profile' })],
    ['UserLogin', table(['Id', 'UserId', 'IsFrozen', 'IsPasswordLocked'], 'ViewSetup', () => org.userLogins.filter((l) => !extra.removedUsers.has(String(l.UserId))))],
    ['Profile', table(['Id', 'Name'], 'ViewSetup', () => org.profiles)],
    ['PermissionSet', table(['Id', 'Name', 'Label', 'IsOwnedByProfile', 'ProfileId', 'Profile.Name', ...PERMISSION_FIELDS], 'ViewSetup', () => org.permissionSets, { Profile: 'Profile' })],
    ['PermissionSetAssignment', table(['Id', 'AssigneeId', 'PermissionSetId'], 'ViewSetup', () => org.assignments.filter((a) => !extra.removedUsers.has(String(a.AssigneeId))))],
    ['Group', table(['Id', 'Name', 'DeveloperName', 'Type', 'Email', 'CreatedDate'], 'ViewSetup', () => org.groups)],
    ['GroupMember', table(['Id', 'GroupId', 'UserOrGroupId'], 'ViewSetup', () => org.members.filter((m) => !extra.removedUsers.has(String(m.UserOrGroupId))))],
    ['OauthToken', table(['Id', 'AppName', 'AppMenuItemId', 'UserId', 'User.Username', 'LastUsedDate', 'UseCount', 'CreatedDate'], 'ManageUsers', () => org.oauthTokens, { User: 'User' })],
    ['ContentDocument', table(['Id', 'Title', 'FileExtension', 'FileType', 'ContentSize', 'OwnerId', 'Owner.Name', 'Owner.Email', 'CreatedDate', 'LastModifiedDate', 'LatestPublishedVersionId'], 'ViewAllData', () => org.documents, { Owner: 'User' })],
    ['ContentDocumentLink', table(['Id', 'ContentDocumentId', 'LinkedEntityId', 'ShareType', 'Visibility'], 'ViewAllData', () => org.links)],
    ['ContentDistribution', table(['Id', 'ContentDocumentId', 'Name', 'DistributionPublicUrl', 'PreferencesAllowViewInBrowser', 'PreferencesPasswordRequired', 'ExpiryDate', 'CreatedDate', 'LastModifiedDate'], 'ViewAllData', () => org.distributions)],
    ['LoginHistory', table(['Id', 'UserId', 'LoginTime', 'LoginType', 'SourceIp', 'Status', 'Application', 'Browser', 'Platform', 'LoginUrl', 'ApiType', 'ApiVersion', 'TlsProtocol', 'CipherSuite', 'CountryIso', 'LoginGeoId', 'AuthenticationServiceId'], 'ManageUsers',
      (nowMs) => [...logins(nowMs).map(loginHistoryRow), ...extra.logins.filter((l) => l.visibleAtMs <= nowMs).map((l) => ({ ...l.row, '@sortTime': l.atMs }))])],
    ['SetupAuditTrail', table(['Id', 'Action', 'Section', 'Display', 'CreatedDate', 'CreatedById', 'CreatedBy.Username', 'CreatedBy.Name', 'DelegateUser', 'ResponsibleNamespacePrefix', 'CreatedByContext', 'CreatedByIssuer'], 'ViewSetup',
      (nowMs) => history.setup.between(historyStartMs(), nowMs), { CreatedBy: 'User' })],
    ['EventLogFile', table(['Id', 'EventType', 'LogDate', 'Interval', 'Sequence', 'LogFileLength', 'LogFileFieldNames', 'LogFileContentType', 'ApiVersion', 'CreatedDate', 'LogFile'], 'ViewEventLogFiles',
      (nowMs) => logFiles.visible(historyStartMs(), nowMs).map((f) => f.row))],
  ]);
  for (const [object, fields] of Object.entries(REAL_TIME)) {
    tables.set(object, table(fields, 'ViewRealTimeEventMonitoringData', (nowMs) => {
      if (object === 'LoginEvent') return logins(nowMs).map(loginEventRow);
      return activities(nowMs).map(activityEventRow).filter((r): r is Row => r !== null && (r.attributes as Row).type === object);
    }));
  }
  return tables;
}
