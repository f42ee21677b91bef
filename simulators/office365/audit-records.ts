import { cloneJson, readJsonLines } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import type { Item } from './drives.js';
import type { GraphUser, Tenant } from './tenant.js';

/** A Management Activity API record as a JSON object. */
export type AuditRecord = Record<string, unknown>;

/** The content types of the Management Activity API. */
export const CONTENT_TYPES = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General', 'DLP.All'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** Who a record is about, and when and from where it happened. */
export interface RecordContext {
  prng: Prng;
  tenant: Tenant;
  user: GraphUser;
  /** Another user (the target of an admin action or a share). */
  other: GraphUser;
  at: number;
  ip: string;
  /** A file of the user's OneDrive (or a site library), for file kinds. */
  file: { driveUrl: string; item: Item; path: string } | null;
  /** The app registration acting, for records that governance calls cause. */
  appId: string;
}

/** One kind of record the simulator serves, made from a real sample (the template). */
export interface RecordKind {
  readonly name: string;
  readonly contentType: ContentType;
  /** Relative frequency in generated history; 0 for records only governance calls cause. */
  readonly weight: number;
  /** Whether the record is about a file (the context then names one of the user's files). */
  readonly needsFile: boolean;
  render(ctx: RecordContext): AuditRecord;
}

const TEMPLATE_FILE = new URL('./testdata/management_activity_records.jsonl', import.meta.url);

/** `2024-07-10T14:31:24`: UTC without a zone, whole seconds, as the API writes CreationTime. */
export function creationTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}

function templates(): Map<string, AuditRecord> {
  const byOperation = new Map<string, AuditRecord>();
  for (const raw of readJsonLines(TEMPLATE_FILE)) {
    const record = raw as AuditRecord;
    byOperation.set(String(record.Operation), record);
  }
  return byOperation;
}

function base(template: AuditRecord, ctx: RecordContext, operation: string): AuditRecord {
  const record = cloneJson(template);
  record.CreationTime = creationTime(ctx.at);
  record.Id = ctx.prng.uuid();
  record.Operation = operation;
  record.OrganizationId = ctx.tenant.org.id;
  record.UserId = ctx.user.userPrincipalName;
  record.UserKey = ctx.tenant.puids.get(ctx.user.id) ?? ctx.user.id;
  record.UserType = 0;
  if ('ClientIP' in record) record.ClientIP = ctx.ip;
  if ('ActorIpAddress' in record) record.ActorIpAddress = ctx.ip;
  if ('ActorContextId' in record) record.ActorContextId = ctx.tenant.org.id;
  if ('TargetContextId' in record) record.TargetContextId = ctx.tenant.org.id;
  for (const key of ['InterSystemsId', 'IntraSystemId', 'CorrelationId']) if (key in record) record[key] = ctx.prng.uuid();
  return record;
}

function userEntries(tenant: Tenant, user: GraphUser): Array<{ ID: string; Type: number }> {
  return [
    { ID: user.userPrincipalName, Type: 5 },
    { ID: tenant.puids.get(user.id) ?? user.id, Type: 3 },
    { ID: `User_${user.id}`, Type: 2 },
    { ID: user.id, Type: 2 },
    { ID: 'User', Type: 2 },
  ];
}

/** A directory change made by the user (`Actor`) to another user (`Target`). */
function directoryChange(template: AuditRecord, ctx: RecordContext, operation: string, modified: Array<{ Name: string; NewValue: string; OldValue: string }>): AuditRecord {
  const record = base(template, ctx, operation);
  record.ObjectId = ctx.other.userPrincipalName;
  record.Actor = userEntries(ctx.tenant, ctx.user);
  record.Target = [
    { ID: `User_${ctx.other.id}`, Type: 2 }, { ID: ctx.other.id, Type: 2 }, { ID: 'User', Type: 2 },
    { ID: ctx.other.userPrincipalName, Type: 5 }, { ID: ctx.tenant.puids.get(ctx.other.id) ?? ctx.other.id, Type: 3 },
  ];
  record.ModifiedProperties = modified;
  return record;
}

/** A record a governance call causes: the acting app is a service principal (UserType 5, Application). */
function byApp(record: AuditRecord, ctx: RecordContext): AuditRecord {
  record.UserId = `ServicePrincipal_${ctx.appId}`;
  record.UserKey = ctx.appId;
  record.UserType = 5;
  record.Actor = [{ ID: `ServicePrincipal_${ctx.appId}`, Type: 2 }, { ID: ctx.appId, Type: 2 }, { ID: 'ServicePrincipal', Type: 2 }];
  delete record.ActorIpAddress;
  delete record.ClientIP;
  return record;
}

function fileRecord(template: AuditRecord, ctx: RecordContext, operation: string): AuditRecord {
  const record = base(template, ctx, operation);
  const file = ctx.file!;
  const url = `${file.driveUrl}${file.path}/${encodeURIComponent(file.item.name)}`;
  record.Workload = file.driveUrl.includes('-my.sharepoint.com') ? 'OneDrive' : 'SharePoint';
  record.SiteUrl = `${file.driveUrl.replace(/\/(Documents|Shared%20Documents)$/, '')}/`;
  record.SourceRelativeUrl = `${file.driveUrl.endsWith('Documents') ? 'Documents' : 'Shared Documents'}${decodeURIComponent(file.path)}`;
  record.SourceFileName = file.item.name;
  record.SourceFileExtension = file.item.name.includes('.') ? file.item.name.slice(file.item.name.lastIndexOf('.') + 1) : '';
  record.ObjectId = url;
  record.ItemType = file.item.folder ? 'Folder' : 'File';
  record.ListItemUniqueId = ctx.prng.uuid();
  if ('UserSessionId' in record) record.UserSessionId = ctx.prng.uuid();
  if ('FileSizeBytes' in record) record.FileSizeBytes = file.item.size;
  delete record.ZipFileName;
  return record;
}

/** Builds the record kinds from the samples (the first argument of each is the sample's Operation). */
export function loadRecordKinds(): RecordKind[] {
  const t = templates();
  const template = (operation: string): AuditRecord => {
    const found = t.get(operation);
    if (!found) throw new Error(`no sample record with Operation ${operation} in ${TEMPLATE_FILE.pathname}`);
    return found;
  };
  const logon = template('UserLoggedIn');
  const failed = template('UserLoginFailed');
  const role = template('Add member to role.');
  const update = template('Update user.');
  const consent = template('Consent to application.');
  const download = template('FileDownloaded');
  const secureLink = template('AddedToSecureLink');
  const preview = template('FilePreviewed');
  const malware = template('FileMalwareDetected');
  const inboxRule = template('New-InboxRule');
  const alert = template('AlertTriggered');

  const kind = (name: string, contentType: ContentType, weight: number, needsFile: boolean, render: (ctx: RecordContext) => AuditRecord): RecordKind =>
    ({ name, contentType, weight, needsFile, render });
  const file = (operation: string, from: AuditRecord, weight: number) => kind(operation, 'Audit.SharePoint', weight, true, (ctx) => fileRecord(from, ctx, operation));
  const sharing = (operation: string, weight: number, external: boolean) => kind(operation, 'Audit.SharePoint', weight, true, (ctx) => {
    const record = fileRecord(secureLink, ctx, operation);
    const grantee = external ? `${ctx.prng.pick(['ana', 'ben', 'chloe'])}@partner.example` : ctx.other.userPrincipalName;
    record.TargetUserOrGroupName = grantee;
    record.TargetUserOrGroupType = external ? 'Guest' : 'Member';
    record.UniqueSharingId = ctx.prng.uuid();
    record.EventData = `<Type>${ctx.prng.pick(['View', 'Edit'])}</Type><MembersCanShareApplied>False</MembersCanShareApplied>`;
    return record;
  });
  const governance = (operation: string, modified: Array<{ Name: string; NewValue: string; OldValue: string }> = []) =>
    kind(operation, 'Audit.AzureActiveDirectory', 0, false, (ctx) => byApp(directoryChange(update, { ...ctx, other: ctx.user }, operation, modified), ctx));

  return [
    kind('UserLoggedIn', 'Audit.AzureActiveDirectory', 30, false, (ctx) => {
      const record = base(logon, ctx, 'UserLoggedIn');
      record.ClientIP = ctx.prng.chance(0.3) ? `${ctx.ip}:${ctx.prng.int(1024, 65535)}` : ctx.ip;
      record.Actor = [{ ID: ctx.user.id, Type: 0 }, { ID: ctx.user.userPrincipalName, Type: 5 }, { ID: ctx.tenant.puids.get(ctx.user.id) ?? '', Type: 3 }];
      record.ResultStatus = 'Succeeded';
      return record;
    }),
    kind('UserLoginFailed', 'Audit.AzureActiveDirectory', 6, false, (ctx) => {
      const record = base(failed, ctx, 'UserLoginFailed');
      record.Actor = [{ ID: ctx.user.id, Type: 0 }, { ID: ctx.user.userPrincipalName, Type: 5 }];
      const [error, number] = ctx.prng.pick([['InvalidUserNameOrPassword', '50126'], ['AuthenticationFailedSasError', '500121'], ['UserAccountLocked', '50053']] as const);
      record.LogonError = error;
      record.ErrorNumber = number;
      return record;
    }),
    kind('Add member to role.', 'Audit.AzureActiveDirectory', 0.5, false, (ctx) => {
      const roleObj = ctx.prng.pick(ctx.tenant.roles);
      return directoryChange(role, ctx, 'Add member to role.', [
        { Name: 'Role.ObjectID', NewValue: roleObj.id, OldValue: '' },
        { Name: 'Role.DisplayName', NewValue: roleObj.displayName, OldValue: '' },
        { Name: 'Role.TemplateId', NewValue: roleObj.roleTemplateId, OldValue: '' },
      ]);
    }),
    kind('Update user.', 'Audit.AzureActiveDirectory', 2, false, (ctx) => directoryChange(update, ctx, 'Update user.', [])),
    // derived
    kind('Add member to group.', 'Audit.AzureActiveDirectory', 1, false, (ctx) => {
      const group = ctx.tenant.groups.length > 0 ? ctx.prng.pick(ctx.tenant.groups) : null;
      return directoryChange(role, ctx, 'Add member to group.', group === null ? [] : [
        { Name: 'Group.ObjectID', NewValue: group.id, OldValue: '' },
        { Name: 'Group.DisplayName', NewValue: group.displayName, OldValue: '' },
      ]);
    }),
    kind('Consent to application.', 'Audit.AzureActiveDirectory', 0.5, false, (ctx) => {
      const record = base(consent, ctx, 'Consent to application.');
      const app = ctx.prng.pick(ctx.tenant.servicePrincipals.slice(3));
      record.ObjectId = app.appId;
      record.Actor = userEntries(ctx.tenant, ctx.user);
      record.Target = [
        { ID: `ServicePrincipal_${app.id}`, Type: 2 }, { ID: app.id, Type: 2 }, { ID: 'ServicePrincipal', Type: 2 },
        { ID: app.displayName, Type: 1 }, { ID: app.appId, Type: 2 }, { ID: app.appId, Type: 4 },
      ];
      record.ModifiedProperties = [
        { Name: 'ConsentContext.IsAdminConsent', NewValue: 'False', OldValue: '' },
        { Name: 'ConsentContext.OnBehalfOfAll', NewValue: 'False', OldValue: '' },
        { Name: 'ConsentAction.Permissions', NewValue: `[] => [[Id: ${ctx.prng.chars(20, 'abcdefghij')}, ClientId: ${app.id}, PrincipalId: ${ctx.user.id}, ConsentType: Principal, Scope:  openid profile email offline_access]]; `, OldValue: '' },
      ];
      delete record.AssociatedAdminUnits;
      return record;
    }),
    file('FileAccessed', preview, 20),
    file('FileDownloaded', download, 8),
    file('FilePreviewed', preview, 5),
    file('FileModified', preview, 6),
    file('FileUploaded', preview, 2),
    file('FileDeleted', preview, 1),
    file('FileRenamed', preview, 0.5),
    file('FileMalwareDetected', malware, 0.1),
    sharing('SharingSet', 1, false),
    sharing('AddedToSecureLink', 1, true),
    sharing('AnonymousLinkCreated', 0.5, false),
    kind('New-InboxRule', 'Audit.Exchange', 0.3, false, (ctx) => {
      const record = base(inboxRule, ctx, 'New-InboxRule');
      const forwards = ctx.prng.chance(0.5);
      const name = forwards ? 'Forward to archive' : 'Move newsletters';
      record.ObjectId = `${ctx.tenant.domain}\\${ctx.user.userPrincipalName}\\${name}`;
      record.OrganizationName = `${ctx.tenant.domain.split('.')[0]}.onmicrosoft.com`;
      record.Parameters = forwards
        ? [{ Name: 'ForwardTo', Value: `${ctx.prng.pick(['drop', 'archive'])}@mail.example` }, { Name: 'Name', Value: name }, { Name: 'StopProcessingRules', Value: 'False' }]
        : [{ Name: 'MoveToFolder', Value: 'Newsletters' }, { Name: 'Name', Value: name }, { Name: 'FromAddressContainsWords', Value: 'news' }];
      record.SessionId = ctx.prng.uuid();
      return record;
    }),
    // derived: mailbox forwarding set by an admin
    kind('Set-Mailbox', 'Audit.Exchange', 0.2, false, (ctx) => {
      const record = base(inboxRule, ctx, 'Set-Mailbox');
      record.UserType = 2;
      record.ObjectId = ctx.other.userPrincipalName;
      record.OrganizationName = `${ctx.tenant.domain.split('.')[0]}.onmicrosoft.com`;
      record.Parameters = [
        { Name: 'Identity', Value: ctx.other.userPrincipalName },
        { Name: 'ForwardingSmtpAddress', Value: `smtp:${ctx.other.givenName?.toLowerCase() ?? 'user'}@mail.example` },
        { Name: 'DeliverToMailboxAndForward', Value: 'True' },
      ];
      record.SessionId = ctx.prng.uuid();
      return record;
    }),
    kind('AlertTriggered', 'Audit.General', 0.1, false, (ctx) => {
      const record = base(alert, ctx, 'AlertTriggered');
      record.UserId = 'SecurityComplianceAlerts';
      record.UserKey = 'SecurityComplianceAlerts';
      record.UserType = 4;
      record.AlertId = ctx.prng.uuid();
      record.ObjectId = record.AlertId;
      record.PolicyId = ctx.prng.uuid();
      return record;
    }),
    // derived: a DLP rule match on a SharePoint file (RecordType 11, ComplianceDLPSharePoint)
    kind('DLPRuleMatch', 'DLP.All', 0.2, true, (ctx) => {
      const record = fileRecord(download, ctx, 'DLPRuleMatch');
      record.RecordType = 11;
      record.PolicyDetails = [{ PolicyId: ctx.prng.uuid(), PolicyName: 'U.S. Financial Data', Rules: [{ RuleName: 'Credit card numbers', Severity: 'Medium', Actions: ['NotifyUser'] }] }];
      delete record.AppAccessContext;
      return record;
    }),
    governance('Disable account.', [{ Name: 'AccountEnabled', NewValue: '[false]', OldValue: '[true]' }]),
    governance('Enable account.', [{ Name: 'AccountEnabled', NewValue: '[true]', OldValue: '[false]' }]),
    governance('Update StsRefreshTokenValidFrom Timestamp.'),
    governance('Set force change user password.'),
    governance('Remove member from group.'),
    governance('Remove member from role.'),
    governance('Remove delegated permission grant.'),
    governance('Remove app role assignment from service principal.'),
  ];
}
