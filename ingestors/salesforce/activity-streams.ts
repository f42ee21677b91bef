import type { ActivityStream, DataCapability, TimeWindow } from '../contract.js';
import { obj } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { soqlTime, type SalesforceApi } from './api.js';
import type { REAL_TIME_EVENT_OBJECTS } from './config.js';

/** An audit object read by SOQL over a time field, oldest first. */
interface SoqlStreamSpec {
  name: string;
  object: string;
  timeField: string;
  fields: readonly string[];
  capabilities: readonly DataCapability[];
  /** The user permission the query needs (its API name, as Setup and the simulator's `deny` name it). */
  permission: string;
}

const LOGIN_HISTORY: SoqlStreamSpec = {
  name: 'login_history', object: 'LoginHistory', timeField: 'LoginTime', capabilities: ['activities:logon'], permission: 'ManageUsers',
  fields: ['Id', 'UserId', 'LoginTime', 'LoginType', 'SourceIp', 'Status', 'Application', 'Browser', 'Platform', 'LoginUrl', 'ApiType', 'ApiVersion', 'TlsProtocol', 'CipherSuite', 'CountryIso', 'LoginGeoId', 'AuthenticationServiceId'],
};

const SETUP_AUDIT_TRAIL: SoqlStreamSpec = {
  name: 'setup_audit_trail', object: 'SetupAuditTrail', timeField: 'CreatedDate', capabilities: ['activities:admin'], permission: 'ViewSetup',
  fields: ['Id', 'Action', 'Section', 'Display', 'CreatedDate', 'CreatedById', 'CreatedBy.Username', 'CreatedBy.Name', 'DelegateUser', 'ResponsibleNamespacePrefix', 'CreatedByContext', 'CreatedByIssuer'],
};

const EVENT_FIELDS = ['EventIdentifier', 'EventDate', 'UserId', 'Username', 'SourceIp', 'SessionKey', 'LoginKey'];

/** The fields read of each Real-Time Event Monitoring stored event object (its field reference). */
const REAL_TIME_FIELDS: Record<(typeof REAL_TIME_EVENT_OBJECTS)[number], readonly string[]> = {
  LoginEvent: [...EVENT_FIELDS, 'LoginHistoryId', 'LoginType', 'Status', 'Application', 'Browser', 'Platform', 'LoginUrl', 'CountryIso', 'Country', 'City', 'TlsProtocol', 'CipherSuite', 'AuthServiceId', 'ApiType', 'HttpMethod', 'UserType'],
  LogoutEvent: [...EVENT_FIELDS, 'SessionLevel', 'SessionType'],
  ApiEvent: [...EVENT_FIELDS, 'Operation', 'QueriedEntities', 'RowsProcessed', 'Application', 'Client', 'ApiType', 'ApiVersion', 'Query'],
  ReportEvent: [...EVENT_FIELDS, 'Operation', 'ReportId', 'Name', 'RowsProcessed', 'ExportFileFormat', 'QueriedEntities'],
  LightningUriEvent: [...EVENT_FIELDS, 'Operation', 'PageUrl', 'RecordId', 'QueriedEntities', 'AppName', 'DeviceSessionId'],
  UriEvent: [...EVENT_FIELDS, 'Operation', 'RecordId', 'QueriedEntities', 'Name'],
  ListViewEvent: [...EVENT_FIELDS, 'ListViewId', 'Name', 'QueriedEntities', 'RowsProcessed', 'AppName'],
  FileEventStore: [...EVENT_FIELDS, 'FileAction', 'DocumentId', 'VersionId', 'FileName', 'FileType', 'ContentSize'],
};

function realTimeSpec(object: (typeof REAL_TIME_EVENT_OBJECTS)[number]): SoqlStreamSpec {
  const logon = object === 'LoginEvent' || object === 'LogoutEvent';
  return {
    name: `real_time/${object}`, object, timeField: 'EventDate', fields: REAL_TIME_FIELDS[object],
    capabilities: [logon ? 'activities:logon' : 'activities:user'], permission: 'ViewRealTimeEventMonitoringData',
  };
}

function soqlStream(api: SalesforceApi, spec: SoqlStreamSpec): ActivityStream {
  return {
    name: spec.name,
    capabilities: spec.capabilities,
    permission: spec.permission,
    read: (window: TimeWindow, signal: AbortSignal) => api.query(
      `SELECT ${spec.fields.join(', ')} FROM ${spec.object} WHERE ${spec.timeField} >= ${soqlTime(window.since)} AND ${spec.timeField} < ${soqlTime(window.until)} ORDER BY ${spec.timeField} ASC, ${spec.object === 'SetupAuditTrail' || spec.object === 'LoginHistory' ? 'Id' : 'EventIdentifier'} ASC`,
      signal,
    ),
    timeOf: (raw) => isoTime(obj(raw)?.[spec.timeField]),
  };
}

/** LoginHistory, SetupAuditTrail and the configured Real-Time Event Monitoring objects. */
export function soqlActivityStreams(api: SalesforceApi, realTime: ReadonlyArray<(typeof REAL_TIME_EVENT_OBJECTS)[number]>): ActivityStream[] {
  return [LOGIN_HISTORY, SETUP_AUDIT_TRAIL, ...realTime.map(realTimeSpec)].map((spec) => soqlStream(api, spec));
}
