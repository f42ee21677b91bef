/**
 * Salesforce's event catalogues, as data, read on 2026-12-07: the EventLogFile supported event types
 * (the `EventType` of a log file, `EVENT_TYPE` of its rows), the Real-Time Event Monitoring objects
 * (platform events and the objects that store them), and Setup Audit Trail `Action` values. Salesforce
 * publishes no list of the trail's actions: those below are the names real trail exports show.
 */
import type { CatalogueSource } from '../runtime/event-table.js';

export const SALESFORCE_CATALOGUE_SOURCES: readonly CatalogueSource[] = [
  { url: 'https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile_supportedeventtypes.htm', read: '2026-12-07' },
  { url: 'https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_events_objects_monitoring.htm', read: '2026-12-07' },
  { url: 'https://help.salesforce.com/s/articleView?id=sf.admin_monitorsetup.htm', read: '2026-12-07' },
];

/** EventLogFile supported event types. */
export const LOG_FILE_EVENT_TYPES: readonly string[] = [
  'ApexCallout', 'ApexExecution', 'ApexRestApi', 'ApexSoap', 'ApexTrigger', 'ApexUnexpectedException', 'API', 'ApiTotalUsage',
  'AsyncReportRun', 'AuraRequest', 'BulkApi', 'BulkApi2', 'ChangeSetOperation', 'ConcurrentLongRunningApexLimit', 'Console',
  'ContentDistribution', 'ContentDocumentLink', 'ContentTransfer', 'ContinuationCalloutSummary', 'CorsViolation', 'CspViolation',
  'Dashboard', 'DatabaseSave', 'DocumentAttachmentDownloads', 'ExternalCrossOrgCallout', 'ExternalCustomApexCallout',
  'ExternalODataCallout', 'FlowExecution', 'GroupMembership', 'HostnameRedirects', 'InsecureExternalAssets', 'KnowledgeArticleView',
  'LightningError', 'LightningInteraction', 'LightningLogger', 'LightningPageView', 'LightningPerformance', 'Login', 'LoginAs', 'Logout',
  'MetadataApiOperation', 'MultiBlockReport', 'NamedCredential', 'OneCommerceUsage', 'PackageInstall', 'PermissionUpdate',
  'PlatformEncryption', 'QueuedExecution', 'Report', 'ReportExport', 'RestApi', 'Sandbox', 'Search', 'SearchClick', 'Sites',
  'TimeBasedWorkflow', 'TransactionSecurity', 'URI', 'VisualforceRequest', 'WaveChange', 'WaveDownload', 'WaveInteraction',
  'WavePerformance',
];

/**
 * Real-Time Event Monitoring: each platform event and the object that stores it (the connector polls
 * the stored objects; a streamed or exported platform event carries the event's name).
 */
export const REAL_TIME_EVENT_PAIRS: ReadonlyArray<readonly [platformEvent: string | null, storage: string | null]> = [
  ['ApiAnomalyEvent', 'ApiAnomalyEventStore'],
  ['ApiEventStream', 'ApiEvent'],
  ['BulkApiResultEvent', 'BulkApiResultEventStore'],
  ['ConcurLongRunApexErrEvent', null],
  ['CredentialStuffingEvent', 'CredentialStuffingEventStore'],
  ['FileEvent', 'FileEventStore'],
  ['GuestUserAnomalyEvent', 'GuestUserAnomalyEventStore'],
  [null, 'IdentityProviderEventStore'],
  [null, 'IdentityVerificationEvent'],
  ['LightningUriEventStream', 'LightningUriEvent'],
  ['ListViewEventStream', 'ListViewEvent'],
  ['LoginAnomalyEvent', 'LoginAnomalyEventStore'],
  ['LoginAsEventStream', 'LoginAsEvent'],
  ['LoginEventStream', 'LoginEvent'],
  ['LogoutEventStream', 'LogoutEvent'],
  ['MobileEmailEvent', null],
  ['MobileEnforcedPolicyEvent', null],
  ['MobileScreenshotEvent', null],
  ['MobileTelephonyEvent', null],
  ['PermissionSetEvent', 'PermissionSetEventStore'],
  ['ReportAnomalyEvent', 'ReportAnomalyEventStore'],
  ['ReportEventStream', 'ReportEvent'],
  ['SessionHijackingEvent', 'SessionHijackingEventStore'],
  ['UriEventStream', 'UriEvent'],
];

export const REAL_TIME_EVENT_OBJECT_NAMES: readonly string[] = REAL_TIME_EVENT_PAIRS.flatMap(([event, store]) => [event, store].filter((n): n is string => n !== null));

/** Setup Audit Trail `Action` values seen in real trail exports. */
export const SETUP_AUDIT_TRAIL_ACTIONS: readonly string[] = [
  'createduser', 'changedemail', 'changedUsername', 'changedUserEmailVerifiedStatusUnverified', 'changedpassword', 'resetpassword',
  'frozeuser', 'unfrozeuser', 'deactivateduser', 'activateduser', 'PermSetAssign', 'PermSetUnassign', 'PermSetGroupAssign',
  'PermSetGroupUnassign', 'PermSetEnableUserPerm', 'PermSetDisableUserPerm', 'changedprofileforuser', 'changedprofileforuserstdtostd',
  'changedroleforuser', 'suOrgAdminLogin', 'suOrgAdminLogout', 'grantedloginaccess', 'insertConnectedApplication',
  'updateConnectedApplication', 'deleteConnectedApplication', 'changedsessiontimeout', 'changedPasswordPolicy',
  'networkAccessIpRangeCreated', 'createdcustomfield', 'changedcustomfield',
];
