import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction } from '../../schemas/vocabulary.js';
import { deliberateOther as why, mapping as m, type EventMapping } from '../runtime/event-table.js';

const F = A.fileHosting;
const W = A.webResources;
const E = A.entityManagement;
const file = (action: AuditAction, activityId: number) => m('file', action, C.FILE_HOSTING_ACTIVITY, activityId);
const mail = (action: AuditAction, classUid: number, activityId: number) => m('user', action, classUid, activityId);
const message = (action: AuditAction, activityId: number) => m('user', action, C.WEB_RESOURCES_ACTIVITY, activityId);
const settings = (activityId: number = E.UPDATE) => m('admin', 'settings_change', C.ENTITY_MANAGEMENT, activityId);
const policy = (activityId: number = E.UPDATE) => m('admin', 'policy_change', C.ENTITY_MANAGEMENT, activityId);
const grant = m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES);
const revoke = m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES);
const exportData = m('admin', 'data_export', C.WEB_RESOURCES_ACTIVITY, W.EXPORT);
const threat = m('security', 'threat_detected', C.DETECTION_FINDING, A.finding.CREATE);
const dlp = m('security', 'dlp_match', C.DATA_SECURITY_FINDING, A.finding.CREATE);
const tokenCreate = m('app', 'token_create', C.ENTITY_MANAGEMENT, E.CREATE);
const tokenRevoke = m('app', 'token_revoke', C.ENTITY_MANAGEMENT, E.DELETE);
const list = why('file', C.WEB_RESOURCES_ACTIVITY, A.OTHER, 'a SharePoint list, column or content type: structured data, not a file');
const label = why('file', C.FILE_HOSTING_ACTIVITY, A.OTHER, 'a sensitivity or retention label applied, changed or removed: classification, no access change');
const forms = why('user', C.WEB_RESOURCES_ACTIVITY, A.OTHER, 'Microsoft Forms authoring and responses: not in our vocabulary');
const analytics = why('admin', C.WEB_RESOURCES_ACTIVITY, A.OTHER, 'Workplace Analytics queries and settings');
const quarantine = why('security', C.EMAIL_ACTIVITY, A.OTHER, 'a quarantined message handled by an admin or user: the detection is its own event');

/**
 * Operations of the catalogue (`OFFICE365_CATALOGUE`) beyond the core ones of `operations.ts`,
 * keyed by `operationKey` (lower case, no trailing period).
 */
export const CATALOGUE_OPERATIONS: Record<string, EventMapping> = {
  // Exchange mailbox: the first questions of a business-email-compromise investigation
  mailitemsaccessed: mail('mail_access', C.WEB_RESOURCES_ACTIVITY, W.READ),
  messagebind: mail('mail_access', C.WEB_RESOURCES_ACTIVITY, W.READ),
  send: mail('mail_send', C.EMAIL_ACTIVITY, A.email.SEND),
  sendas: mail('mail_send', C.EMAIL_ACTIVITY, A.email.SEND),
  sendonbehalf: mail('mail_send', C.EMAIL_ACTIVITY, A.email.SEND),
  softdelete: mail('mail_delete', C.WEB_RESOURCES_ACTIVITY, W.DELETE),
  harddelete: mail('mail_delete', C.WEB_RESOURCES_ACTIVITY, W.DELETE),
  movetodeleteditems: mail('mail_delete', C.WEB_RESOURCES_ACTIVITY, W.DELETE),
  move: mail('mail_move', C.WEB_RESOURCES_ACTIVITY, W.UPDATE),
  copy: mail('mail_move', C.WEB_RESOURCES_ACTIVITY, W.CREATE),
  create: why('user', C.WEB_RESOURCES_ACTIVITY, W.CREATE, 'a calendar, contact, note or task item created (creating mail is not audited)'),
  update: why('user', C.WEB_RESOURCES_ACTIVITY, W.UPDATE, "a message's properties changed (read flag, category)"),
  applyrecordlabel: label,
  updatecalendardelegation: grant,
  addfolderpermissions: grant,
  updatefolderpermissions: grant,
  removefolderpermissions: revoke,

  // SharePoint and OneDrive files, folders, sync
  filecopied: file('file_copy', F.COPY),
  foldercopied: file('file_copy', F.COPY),
  filerestored: file('file_restore', F.RESTORE),
  folderrestored: file('file_restore', F.RESTORE),
  foldercreated: file('file_upload', F.UPLOAD),
  foldermodified: file('file_edit', F.UPDATE),
  folderrecycled: file('file_delete', F.DELETE),
  folderdeletedfirststagerecyclebin: file('file_delete', F.DELETE),
  folderdeletedsecondstagerecyclebin: file('file_delete', F.DELETE),
  fileversionsallminorsrecycled: file('file_edit', F.UPDATE),
  fileversionsallrecycled: file('file_edit', F.UPDATE),
  fileversionrecycled: file('file_edit', F.UPDATE),
  recorddelete: file('file_delete', F.DELETE),
  filecheckedin: file('file_edit', F.UPDATE),
  filecheckedout: file('file_edit', F.LOCK),
  filecheckoutdiscarded: file('file_edit', F.UNLOCK),
  filesyncuploadedpartial: file('file_upload', F.UPLOAD),
  compliancesettingchanged: label,
  lockrecord: label,
  unlockrecord: label,
  documentsensitivitymismatchdetected: dlp,
  searchqueryperformed: why('file', C.WEB_RESOURCES_ACTIVITY, W.SEARCH, 'a search: no file read'),
  pageviewed: why('file', C.WEB_RESOURCES_ACTIVITY, W.READ, 'a site page viewed, not a file'),
  pageviewedextended: why('file', C.WEB_RESOURCES_ACTIVITY, W.READ, 'a site page viewed, not a file'),
  clientviewsignaled: why('file', C.WEB_RESOURCES_ACTIVITY, W.READ, 'a site page view signalled by the client, not a file'),
  pageprefetched: why('file', C.WEB_RESOURCES_ACTIVITY, W.READ, 'a page prefetched by the client: not a view'),
  securelinkused: file('file_view', F.OPEN),
  sharinginvitationupdated: file('file_share', F.SHARE),
  sharinginvitationblocked: file('file_share', F.SHARE),
  accessrequestaccepted: file('file_share', F.SHARE),
  accessrequestcreated: why('file', C.FILE_HOSTING_ACTIVITY, A.OTHER, 'a request for access: the grant is its own event'),
  accessrequestdenied: why('file', C.FILE_HOSTING_ACTIVITY, A.OTHER, 'a request for access refused: nothing shared'),
  accessrequestupdated: why('file', C.FILE_HOSTING_ACTIVITY, A.OTHER, 'a request for access updated: nothing shared yet'),
  managedsyncclientallowed: m('admin', 'device_enroll', C.ENTITY_MANAGEMENT, E.ENROLL),
  unmanagedsyncclientblocked: m('logon', 'policy_evaluate', C.AUTHENTICATION, A.OTHER),

  // Site permissions and administration
  sitecollectionadminadded: grant,
  sitecollectionadminremoved: revoke,
  geoadminadded: grant,
  geoadmindeleted: revoke,
  siteadminchangerequest: why('admin', C.USER_ACCESS_MANAGEMENT, A.OTHER, 'a request to become site admin: the grant is its own event'),
  removedfromgroup: file('file_unshare', F.UNSHARE),
  groupadded: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
  groupremoved: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
  groupupdated: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  permissionleveladded: settings(E.CREATE),
  permissionlevelmodified: settings(),
  permissionlevelremoved: settings(E.DELETE),
  permissionlevelsinheritancebroken: file('file_share', F.SHARE),
  sharinginheritancebroken: file('file_share', F.SHARE),
  sharinginheritancereset: file('file_unshare', F.UNSHARE),
  sitepermissionsmodified: file('file_share', F.SHARE),
  webrequestaccessmodified: settings(),
  webmemberscansharemodified: policy(),
  sharingpolicychanged: policy(),
  deviceaccesspolicychanged: policy(),
  networkaccesspolicychanged: policy(),
  allowgroupcreationset: settings(),
  sitedeleted: file('file_delete', F.DELETE),
  sitecollectioncreated: settings(E.CREATE),
  siterenamed: settings(),
  ...Object.fromEntries([
    'alloweddatalocationadded', 'alloweddatalocationdeleted', 'exemptuseragentset', 'customizeexemptusers', 'sitegeomovecancelled',
    'sitegeomovecompleted', 'sitegeomovescheduled', 'sendtoconnectionadded', 'sendtoconnectionremoved', 'hubsiteorphanhubdeleted',
    'previewmodeenabledset', 'legacyworkflowenabledset', 'officeondemandset', 'peopleresultsscopeset', 'newsfeedenabledset',
    'hubsitejoined', 'hubsiteunjoined', 'hubsiteregistered', 'hubsiteunregistered', 'sitecollectionquotamodified', 'hostsiteset',
    'geoquotaallocated', 'segmentsadded', 'segmentschanged', 'segmentsremoved',
  ].map((op) => [op, settings()])),
  ...Object.fromEntries([
    'listcreated', 'listcolumncreated', 'listcontenttypecreated', 'listitemcreated', 'sitecolumncreated', 'sitecontenttypecreated',
    'listdeleted', 'listcolumndeleted', 'listcontenttypedeleted', 'listitemdeleted', 'sitecolumndeleted', 'sitecontenttypedeleted',
    'listitemrecycled', 'listrestored', 'listitemrestored', 'listupdated', 'listcolumnupdated', 'listcontenttypeupdated',
    'listitemupdated', 'sitecolumnupdated', 'sitecontenttypeupdated',
  ].map((op) => [op, list])),

  // Entra ID: users, applications, directory
  userloggedoff: m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
  'set license properties': m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER),
  'add delegation entry': m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'set delegation entry': m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'remove delegation entry': m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  'remove service principal': m('app', 'settings_change', C.ENTITY_MANAGEMENT, E.DELETE),
  'add service principal credentials': tokenCreate,
  'remove service principal credentials': tokenRevoke,
  'set company contact information': settings(),
  'add domain to company': settings(E.CREATE),
  'remove domain from company': settings(E.DELETE),
  'update domain': settings(),
  'verify domain': settings(),
  'verify email verified domain': settings(),
  'set company information': settings(),
  'set domain authentication': settings(),
  'set federation settings on domain': settings(),
  'set dirsyncenabled flag': settings(),
  'set password policy': policy(),
  'add partner to company': grant,
  'remove partner from company': revoke,

  // Teams
  messagesent: message('message_post', W.CREATE),
  messagecreated: message('message_post', W.CREATE),
  messageeditedhaslink: message('message_edit', W.UPDATE),
  messageupdated: message('message_edit', W.UPDATE),
  messagedeleted: message('message_delete', W.DELETE),
  messageread: why('user', C.WEB_RESOURCES_ACTIVITY, W.READ, 'a chat message read: no verb of ours for reading messages'),
  messageviewed: why('user', C.WEB_RESOURCES_ACTIVITY, W.READ, 'a message viewed: no verb of ours for reading messages'),
  messageslisted: why('user', C.WEB_RESOURCES_ACTIVITY, W.READ, 'messages listed by an app (Graph)'),
  chatretrieved: why('user', C.WEB_RESOURCES_ACTIVITY, W.READ, 'a chat read by an app (Graph)'),
  chatcreated: message('message_post', W.CREATE),
  messagesexported: exportData,
  meetingparticipantdetail: m('user', 'meeting_join', C.WEB_RESOURCES_ACTIVITY, W.READ),
  meetingdetail: why('user', C.WEB_RESOURCES_ACTIVITY, A.OTHER, "a meeting's summary after it ended: the joins are MeetingParticipantDetail"),
  teamssessionstarted: m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON),
  teamcreated: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
  teamdeleted: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
  teamsettingchanged: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  channeladded: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  channeldeleted: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  channelsettingchanged: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  memberadded: m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
  memberremoved: m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER),
  memberrolechanged: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  appinstalled: m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  botaddedtoteam: m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  connectoradded: m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  tabadded: m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  appuninstalled: m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  botremovedfromteam: m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  connectorremoved: m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  tabremoved: m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  appupgraded: m('app', 'settings_change', C.ENTITY_MANAGEMENT, E.UPDATE),
  teamsadminaction: settings(),

  // Defender for Office 365, DLP, alerts, communication compliance
  timaildata: m('security', 'threat_detected', C.EMAIL_ACTIVITY, A.email.SCAN),
  atpdetection: threat,
  tiurlclickdata: m('security', 'url_click', C.WEB_RESOURCE_ACCESS_ACTIVITY, A.webResourceAccess.ACCESS_GRANT),
  alerttriggered: threat,
  alertentitygenerated: why('security', C.DETECTION_FINDING, A.finding.UPDATE, 'an entity added to an alert already reported by AlertTriggered'),
  dlprulematch: dlp,
  supervisionrulematch: dlp,
  dlpruleundo: why('security', C.DATA_SECURITY_FINDING, A.finding.CLOSE, 'a DLP match overridden or undone: the match was reported'),
  dlpinfo: why('security', C.DATA_SECURITY_FINDING, A.OTHER, 'DLP processing information (false positives, overrides)'),
  supervisoryreviewtag: why('security', C.DATA_SECURITY_FINDING, A.finding.UPDATE, 'a reviewer tagged a message a policy matched'),
  supervisionpolicycreated: policy(E.CREATE),
  supervisionpolicyupdated: policy(),
  supervisionpolicydeleted: policy(E.DELETE),
  ...Object.fromEntries(['quarantinedelete', 'quarantinepreview', 'quarantinerelease', 'quarantineviewheader', 'quarantinereleaserequest'].map((op) => [op, quarantine])),
  quarantineexport: exportData,

  // Purview: retention, labels, disposition, exports
  ...Object.fromEntries([
    'newretentioncompliancerule', 'newretentioncompliancepolicy', 'newadaptivescope', 'newcompliancetag', 'removeadaptivescope',
    'removeretentioncompliancerule', 'removecompliancetag', 'removeretentioncompliancepolicy', 'setrestrictiveretentionui',
    'setadaptivescope', 'setretentioncompliancerule', 'setcompliancetag', 'setretentioncompliancepolicy',
  ].map((op) => [op, policy()])),
  applicableadaptivescopechange: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'a scope query re-run by the system: who is in scope changed'),
  ...Object.fromEntries([
    'sitesensitivitylabelapplied', 'sitesensitivitylabelremoved', 'filesensitivitylabelapplied', 'sensitivitylabelapplied',
    'filesensitivitylabelchanged', 'sensitivitylabelupdated', 'sitesensitivitylabelchanged', 'filesensitivitylabelremoved',
    'sensitivitylabelremoved', 'approvedisposal', 'extendretention', 'relabelitem', 'addreviewer',
  ].map((op) => [op, label])),
  labelcontentexploreraccesseditem: m('admin', 'admin_access', C.WEB_RESOURCES_ACTIVITY, W.READ),
  datasharecreated: exportData,
  generatecopyoflakedata: exportData,
  downloadcopyoflakedata: exportData,
  datasharedeleted: why('admin', C.WEB_RESOURCES_ACTIVITY, W.DELETE, 'a data share removed: no data leaves'),
  ...Object.fromEntries([
    'updatedorganizationbriefingsettings', 'updateduserbriefingsettings', 'updatedorganizationmyanalyticssettings',
    'updatedusermyanalyticssettings', 'updateusagereportsprivacysetting',
  ].map((op) => [op, settings()])),

  // Yammer (Viva Engage)
  softdeletesettingsupdated: policy(),
  networksecurityconfigurationupdated: policy(),
  networkconfigurationupdated: settings(),
  processprofilefields: settings(),
  supervisoradmintoggled: grant,
  filecreated: file('file_upload', F.UPLOAD),
  fileshared: file('file_share', F.SHARE),
  filevisited: file('file_view', F.OPEN),
  fileupdatedescription: file('file_edit', F.UPDATE),
  fileupdatename: file('file_rename', F.RENAME),
  groupcreation: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
  groupdeletion: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
  dataexport: exportData,
  communityaccessfailure: why('user', C.WEB_RESOURCES_ACTIVITY, W.READ, 'a community could not be opened'),
  fileaccessfailure: file('file_view', F.OPEN),
  messageaccessfailure: why('user', C.WEB_RESOURCES_ACTIVITY, W.READ, 'a message could not be opened'),
  networkusersuspended: m('user', 'user_suspend', C.ACCOUNT_CHANGE, A.accountChange.DISABLE),
  usersuspension: m('user', 'user_suspend', C.ACCOUNT_CHANGE, A.accountChange.DISABLE),

  // Workplace Analytics and Forms
  downloadedreport: exportData,
  ...Object.fromEntries([
    'accessedodatalink', 'canceledquery', 'meetingexclusioncreated', 'deletedresult', 'executedquery', 'updateddataaccesssetting',
    'updatedprivacysetting', 'uploadedorgdata', 'viewedexplore',
  ].map((op) => [op, analytics])),
  exportform: exportData,
  ...Object.fromEntries([
    'createcomment', 'createform', 'editform', 'moveform', 'deleteform', 'viewform', 'previewform', 'allowshareformforcopy',
    'disallowshareformforcopy', 'addformcoauthor', 'removeformcoauthor', 'viewruntimeform', 'createresponse', 'updateresponse',
    'deleteallresponses', 'deleteresponse', 'viewresponses', 'viewresponse', 'getsummarylink', 'deletesummarylink',
    'updatephishingstatus', 'updateuserphishingstatus', 'proinvitation', 'updateformsetting', 'updateusersetting', 'listforms',
    'submitresponse', 'allowanonymousresponse', 'disallowanonymousresponse', 'enablespecificresponse', 'disablespecificresponse',
    'addspecificresponder', 'removespecificresponder', 'disablecollaboration', 'enableworkorschoolcollaboration',
    'enablesameorgcollaboration', 'enablespecificcollaboaration', 'connecttoexcelworkbook', 'collectioncreated', 'collectionupdated',
    'collectionharddeleted', 'collectionsoftdeleted', 'collectionrenamed', 'movedformintocollection', 'movedformoutofcollection',
  ].map((op) => [op, forms])),
};

