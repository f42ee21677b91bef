/**
 * Office 365 operations as Microsoft documents them (the `Operation` of a Management Activity API
 * record). Data, not code. Sources, read 2026-12-07:
 * - Microsoft Purview "Audit log activities"
 *   (https://learn.microsoft.com/purview/audit-log-activities; MicrosoftDocs/microsoft-365-docs,
 *   microsoft-365/compliance/audit-log-activities.md): every table whose operations it lists.
 * - Teams, Defender for Office 365 (threat intelligence) and DLP operations, and Entra sign-ins, from
 *   the Management Activity API schema (https://learn.microsoft.com/office/office-365-management-api/office-365-management-activity-api-schema)
 *   and "Search the audit log for events in Microsoft Teams" (https://learn.microsoft.com/microsoftteams/audit-log-events).
 * Power BI, Power Automate, Power Apps and Stream operations live on their products' pages and are
 * not catalogued here: their workloads map to their category (see `byWorkload`).
 */
export const OFFICE365_CATALOGUE_SOURCE = { url: 'https://learn.microsoft.com/purview/audit-log-activities', read: '2026-12-07' } as const;

export const OFFICE365_CATALOGUE: Readonly<Record<string, readonly string[]>> = {
  fileAndPage: [
    'FileAccessed', 'FileAccessedExtended', 'ComplianceSettingChanged', 'LockRecord', 'UnlockRecord', 'FileCheckedIn', 'FileCheckedOut',
    'FileCopied', 'FileDeleted', 'FileDeletedFirstStageRecycleBin', 'FileDeletedSecondStageRecycleBin', 'RecordDelete',
    'DocumentSensitivityMismatchDetected', 'FileMalwareDetected', 'FileCheckOutDiscarded', 'FileDownloaded', 'FileModified',
    'FileModifiedExtended', 'FileMoved', 'FilePreviewed', 'SearchQueryPerformed', 'FileRecycled', 'FolderRecycled',
    'FileVersionsAllMinorsRecycled', 'FileVersionsAllRecycled', 'FileVersionRecycled', 'FileRenamed', 'FileRestored', 'FileUploaded',
    'PageViewed', 'PageViewedExtended', 'ClientViewSignaled', 'PagePrefetched',
  ],
  folder: [
    'FolderCopied', 'FolderCreated', 'FolderDeleted', 'FolderDeletedFirstStageRecycleBin', 'FolderDeletedSecondStageRecycleBin',
    'FolderModified', 'FolderMoved', 'FolderRenamed', 'FolderRestored',
  ],
  sharePointList: [
    'ListCreated', 'ListColumnCreated', 'ListContentTypeCreated', 'ListItemCreated', 'SiteColumnCreated', 'SiteContentTypeCreated',
    'ListDeleted', 'ListColumnDeleted', 'ListContentTypeDeleted', 'ListItemDeleted', 'SiteColumnDeleted', 'SiteContentTypeDeleted',
    'ListItemRecycled', 'ListRestored', 'ListItemRestored', 'ListUpdated', 'ListColumnUpdated', 'ListContentTypeUpdated',
    'ListItemUpdated', 'SiteColumnUpdated', 'SiteContentTypeUpdated',
  ],
  sharing: [
    'PermissionLevelAdded', 'AccessRequestAccepted', 'SharingInvitationAccepted', 'SharingInvitationBlocked', 'AccessRequestCreated',
    'CompanyLinkCreated', 'AnonymousLinkCreated', 'SecureLinkCreated', 'SharingInvitationCreated', 'SecureLinkDeleted',
    'AccessRequestDenied', 'CompanyLinkRemoved', 'AnonymousLinkRemoved', 'SharingSet', 'AccessRequestUpdated', 'AnonymousLinkUpdated',
    'SharingInvitationUpdated', 'AnonymousLinkUsed', 'SharingRevoked', 'CompanyLinkUsed', 'SecureLinkUsed', 'AddedToSecureLink',
    'RemovedFromSecureLink', 'SharingInvitationRevoked',
  ],
  sync: [
    'ManagedSyncClientAllowed', 'UnmanagedSyncClientBlocked', 'FileSyncDownloadedFull', 'FileSyncDownloadedPartial',
    'FileSyncUploadedFull', 'FileSyncUploadedPartial',
  ],
  sitePermissions: [
    'SiteCollectionAdminAdded', 'AddedToGroup', 'PermissionLevelsInheritanceBroken', 'SharingInheritanceBroken', 'GroupAdded',
    'GroupRemoved', 'WebRequestAccessModified', 'WebMembersCanShareModified', 'PermissionLevelModified', 'SitePermissionsModified',
    'PermissionLevelRemoved', 'SiteCollectionAdminRemoved', 'RemovedFromGroup', 'SiteAdminChangeRequest', 'SharingInheritanceReset',
    'GroupUpdated',
  ],
  siteAdministration: [
    'AllowedDataLocationAdded', 'ExemptUserAgentSet', 'GeoAdminAdded', 'AllowGroupCreationSet', 'SiteGeoMoveCancelled',
    'SharingPolicyChanged', 'DeviceAccessPolicyChanged', 'CustomizeExemptUsers', 'NetworkAccessPolicyChanged', 'SiteGeoMoveCompleted',
    'SendToConnectionAdded', 'SiteCollectionCreated', 'HubSiteOrphanHubDeleted', 'SendToConnectionRemoved', 'SiteDeleted',
    'PreviewModeEnabledSet', 'LegacyWorkflowEnabledSet', 'OfficeOnDemandSet', 'PeopleResultsScopeSet', 'NewsFeedEnabledSet',
    'HubSiteJoined', 'SiteCollectionQuotaModified', 'HubSiteRegistered', 'AllowedDataLocationDeleted', 'GeoAdminDeleted', 'SiteRenamed',
    'SiteGeoMoveScheduled', 'HostSiteSet', 'GeoQuotaAllocated', 'HubSiteUnjoined', 'HubSiteUnregistered',
  ],
  exchangeMailbox: [
    'MailItemsAccessed', 'Add-MailboxPermission', 'UpdateCalendarDelegation', 'AddFolderPermissions', 'Copy', 'Create', 'New-InboxRule',
    'SoftDelete', 'ApplyRecordLabel', 'Move', 'MoveToDeletedItems', 'UpdateFolderPermissions', 'Set-InboxRule', 'HardDelete',
    'Remove-MailboxPermission', 'RemoveFolderPermissions', 'Send', 'SendAs', 'SendOnBehalf', 'UpdateInboxRules', 'Update', 'MailboxLogin',
  ],
  userAdministration: [
    'Add user.', 'Change user license.', 'Change user password.', 'Delete user.', 'Reset user password.', 'Set force change user password.',
    'Set license properties.', 'Update user.',
  ],
  groupAdministration: ['Add group.', 'Add member to group.', 'Delete group.', 'Remove member from group.', 'Update group.'],
  applicationAdministration: [
    'Add delegation entry.', 'Add service principal.', 'Add service principal credentials.', 'Remove delegation entry.',
    'Remove service principal.', 'Remove service principal credentials.', 'Set delegation entry.',
  ],
  roleAdministration: ['Add member to role.', 'Remove member from role.', 'Set company contact information.'],
  directoryAdministration: [
    'Add domain to company.', 'Add partner to company.', 'Remove domain from company.', 'Remove partner from company.',
    'Set company information.', 'Set domain authentication.', 'Set federation settings on domain.', 'Set password policy.',
    'Set DirSyncEnabled flag.', 'Update domain.', 'Verify domain.', 'Verify email verified domain.',
  ],
  workplaceAnalytics: [
    'AccessedOdataLink', 'CanceledQuery', 'MeetingExclusionCreated', 'DeletedResult', 'DownloadedReport', 'ExecutedQuery',
    'UpdatedDataAccessSetting', 'UpdatedPrivacySetting', 'UploadedOrgData', 'UserLoggedIn', 'UserLoggedOff', 'ViewedExplore',
  ],
  yammer: [
    'SoftDeleteSettingsUpdated', 'NetworkConfigurationUpdated', 'ProcessProfileFields', 'SupervisorAdminToggled',
    'NetworkSecurityConfigurationUpdated', 'FileCreated', 'GroupCreation', 'MessageCreated', 'GroupDeletion', 'MessageDeleted',
    'DataExport', 'CommunityAccessFailure', 'FileAccessFailure', 'MessageAccessFailure', 'FileShared', 'NetworkUserSuspended',
    'UserSuspension', 'FileUpdateDescription', 'FileUpdateName', 'MessageUpdated', 'FileVisited', 'MessageViewed',
  ],
  contentExplorer: ['LabelContentExplorerAccessedItem'],
  quarantine: ['QuarantineDelete', 'QuarantineExport', 'QuarantinePreview', 'QuarantineRelease', 'QuarantineViewHeader', 'QuarantineReleaseRequest'],
  forms: [
    'CreateComment', 'CreateForm', 'EditForm', 'MoveForm', 'DeleteForm', 'ViewForm', 'PreviewForm', 'ExportForm', 'AllowShareFormForCopy',
    'DisallowShareFormForCopy', 'AddFormCoauthor', 'RemoveFormCoauthor', 'ViewRuntimeForm', 'CreateResponse', 'UpdateResponse',
    'DeleteAllResponses', 'DeleteResponse', 'ViewResponses', 'ViewResponse', 'GetSummaryLink', 'DeleteSummaryLink', 'UpdatePhishingStatus',
    'UpdateUserPhishingStatus', 'ProInvitation', 'UpdateFormSetting', 'UpdateUserSetting', 'ListForms', 'SubmitResponse',
    'AllowAnonymousResponse', 'DisallowAnonymousResponse', 'EnableSpecificResponse', 'DisableSpecificResponse', 'AddSpecificResponder',
    'RemoveSpecificResponder', 'DisableCollaboration', 'EnableWorkOrSchoolCollaboration', 'EnableSameOrgCollaboration',
    'EnableSpecificCollaboaration', 'ConnectToExcelWorkbook', 'CollectionCreated', 'CollectionUpdated', 'CollectionHardDeleted',
    'CollectionSoftDeleted', 'CollectionRenamed', 'MovedFormIntoCollection', 'MovedFormOutofCollection',
  ],
  sensitivityLabels: [
    'SiteSensitivityLabelApplied', 'SiteSensitivityLabelRemoved', 'FileSensitivityLabelApplied', 'SensitivityLabelApplied',
    'FileSensitivityLabelChanged', 'SensitivityLabelUpdated', 'SiteSensitivityLabelChanged', 'FileSensitivityLabelRemoved',
    'SensitivityLabelRemoved',
  ],
  retention: [
    'ApplicableAdaptiveScopeChange', 'NewRetentionComplianceRule', 'NewAdaptiveScope', 'NewComplianceTag', 'NewRetentionCompliancePolicy',
    'RemoveAdaptiveScope', 'RemoveRetentionComplianceRule', 'RemoveComplianceTag', 'RemoveRetentionCompliancePolicy',
    'SetRestrictiveRetentionUI', 'SetAdaptiveScope', 'SetRetentionComplianceRule', 'SetComplianceTag', 'SetRetentionCompliancePolicy',
  ],
  briefingAndAnalytics: [
    'UpdatedOrganizationBriefingSettings', 'UpdatedUserBriefingSettings', 'UpdatedOrganizationMyAnalyticsSettings',
    'UpdatedUserMyAnalyticsSettings', 'UpdateUsageReportsPrivacySetting',
  ],
  informationBarriers: ['SegmentsAdded', 'SegmentsChanged', 'SegmentsRemoved'],
  disposition: ['ApproveDisposal', 'ExtendRetention', 'RelabelItem', 'AddReviewer'],
  communicationCompliance: ['SupervisionPolicyCreated', 'SupervisionPolicyUpdated', 'SupervisionPolicyDeleted', 'SupervisionRuleMatch', 'SupervisoryReviewTag'],
  systemSync: ['DataShareCreated', 'DataShareDeleted', 'GenerateCopyOfLakeData', 'DownloadCopyOfLakeData'],
  teams: [
    'TeamCreated', 'TeamDeleted', 'TeamSettingChanged', 'ChannelAdded', 'ChannelDeleted', 'ChannelSettingChanged', 'MemberAdded',
    'MemberRemoved', 'MemberRoleChanged', 'MessageSent', 'MessageEditedHasLink', 'MessageDeleted', 'MessagesExported', 'MessageRead',
    'ChatCreated', 'ChatRetrieved', 'MessagesListed', 'AppInstalled', 'AppUninstalled', 'AppUpgraded', 'BotAddedToTeam',
    'BotRemovedFromTeam', 'ConnectorAdded', 'ConnectorRemoved', 'TabAdded', 'TabRemoved', 'MeetingDetail', 'MeetingParticipantDetail',
    'TeamsSessionStarted', 'TeamsAdminAction',
  ],
  threatIntelligenceAndDlp: ['TIMailData', 'TIUrlClickData', 'AtpDetection', 'DlpRuleMatch', 'DlpRuleUndo', 'DlpInfo', 'AlertTriggered', 'AlertEntityGenerated'],
  entraSignIns: ['UserLoggedIn', 'UserLoginFailed', 'UserLoggedOff'],
};
