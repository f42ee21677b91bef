import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction } from '../../schemas/vocabulary.js';
import { deliberateOther as why, mapping as m, type EventMapping } from '../runtime/event-table.js';

const F = A.fileHosting;
const file = (action: AuditAction, activityId: number) => m('file', action, C.FILE_HOSTING_ACTIVITY, activityId);
const fileView = file('file_view', F.OPEN);
const fileMove = file('file_move', F.MOVE);
const fileShare = file('file_share', F.SHARE);
const fileUnshare = file('file_unshare', F.UNSHARE);
const linkCreate = file('file_link_create', F.SHARE);
const linkRemove = file('file_link_remove', F.UNSHARE);
const edit = file('file_edit', F.UPDATE);
const download = file('file_download', F.DOWNLOAD);
const other = (reason: string) => why('file', C.FILE_HOSTING_ACTIVITY, A.OTHER, reason);
const COMMENT = 'a comment or suggestion on a file: no content or access change';
const APPROVAL = 'a step of a Drive approval: no content or access change';
const REQUEST = 'an access request, refused or expired: the grant is its own event';
const LABEL = 'a Drive label applied or changed: classification metadata, no content or access change';
const SECURITY_UPDATE = 'the link security update (resource keys) applied or removed: link addresses change, not who has access';

/** Events of the Drive application. Sharing events whose meaning is in their values: see `driveSharingMapping`. */
export const DRIVE_EVENTS: Record<string, EventMapping> = {
  view: fileView,
  access_item_content: fileView, // an application read the content on the user's behalf
  preview: file('file_view', F.PREVIEW),
  print: fileView,
  download,
  sync_item_content: download, // Drive for desktop synced the content to a device
  download_forms_response: download,
  download_video_caption: download,
  upload: file('file_upload', F.UPLOAD),
  create: file('file_upload', F.UPLOAD),
  edit,
  encrypt: edit,
  publish_new_version: edit,
  upload_video_caption: edit,
  delete_video_caption: edit,
  add_lock: file('file_edit', F.LOCK),
  remove_lock: file('file_edit', F.UNLOCK),
  delete: file('file_delete', F.DELETE),
  trash: file('file_delete', F.DELETE),
  untrash: file('file_restore', F.RESTORE),
  rename: file('file_rename', F.RENAME),
  move: fileMove,
  add_to_folder: fileMove,
  remove_from_folder: fileMove,
  unmovable_item_reparented: fileMove,
  copy: file('file_copy', F.COPY),
  source_copy: file('file_copy', F.COPY),
  email_as_attachment: fileShare, // the content sent by mail
  email_collaborators: m('user', 'mail_send', C.EMAIL_ACTIVITY, A.email.SEND),
  change_user_access: fileShare,
  change_user_access_hierarchy_reconciled: fileShare,
  change_acl_editors: fileShare,
  change_document_visibility: fileShare,
  change_document_visibility_hierarchy_reconciled: fileShare,
  change_document_access_scope: linkCreate,
  change_document_access_scope_hierarchy_reconciled: linkCreate,
  publish_change: linkCreate, // published to the web
  shared_drive_membership_change: fileShare,
  sheets_import_range_access_change: fileShare,
  enable_inherited_permissions: fileShare,
  disable_inherited_permissions: fileUnshare,
  change_owner: fileShare,
  change_owner_hierarchy_reconciled: fileShare,
  shared_drive_settings_change: m('file', 'settings_change', C.FILE_HOSTING_ACTIVITY, F.UPDATE),
  apply_security_update: other(SECURITY_UPDATE),
  remove_security_update: other(SECURITY_UPDATE),
  shared_drive_apply_security_update: other(SECURITY_UPDATE),
  shared_drive_remove_security_update: other(SECURITY_UPDATE),
  request_access: other(REQUEST),
  deny_access_request: other(REQUEST),
  expire_access_request: other(REQUEST),
  create_comment: other(COMMENT),
  delete_comment: other(COMMENT),
  edit_comment: other(COMMENT),
  reassign_comment: other(COMMENT),
  reopen_comment: other(COMMENT),
  resolve_comment: other(COMMENT),
  accept_suggestion: other(COMMENT),
  create_suggestion: other(COMMENT),
  delete_suggestion: other(COMMENT),
  reject_suggestion: other(COMMENT),
  approval_canceled: other(APPROVAL),
  approval_comment_added: other(APPROVAL),
  approval_completed: other(APPROVAL),
  approval_decisions_reset: other(APPROVAL),
  approval_due_time_change: other(APPROVAL),
  approval_requested: other(APPROVAL),
  approval_reviewer_change: other(APPROVAL),
  approval_reviewer_responded: other(APPROVAL),
  label_added: other(LABEL),
  label_added_by_item_create: other(LABEL),
  label_field_changed: other(LABEL),
  label_removed: other(LABEL),
  request_esignature: other('an eSignature request: not in our vocabulary'),
  review_esignature: other('an eSignature request: not in our vocabulary'),
  complete_esignature: other('an eSignature request: not in our vocabulary'),
  cancel_esignature: other('an eSignature request: not in our vocabulary'),
  delete_revision: other('a revision kept, unpinned or removed: the file stays'),
  pin_revision: other('a revision kept, unpinned or removed: the file stays'),
  unpin_revision: other('a revision kept, unpinned or removed: the file stays'),
  prefetch_item_content: other('content prefetched by a client: nobody opened it'),
  search: other('a search in Drive'),
  connected_sheets_query: other('a Connected Sheets query or import run by a sheet'),
  sheets_import_url: other('a Connected Sheets query or import run by a sheet'),
  sheets_import_range: other('a Connected Sheets query or import run by a sheet'),
  access_url: other('an Apps Script fetched a URL or changed a trigger'),
  create_script_trigger: other('an Apps Script fetched a URL or changed a trigger'),
  delete_script_trigger: other('an Apps Script fetched a URL or changed a trigger'),
  pause_sync_client: other('a sync client paused or resumed'),
  resume_sync_client: other('a sync client paused or resumed'),
  report_abuse: other('abuse reported, or a violation appealed'),
  appeal_abuse_violation: other('abuse reported, or a violation appealed'),
  storage_usage_update: other('storage quota bookkeeping'),
};

// Drive visibility values that mean "anyone with the link" or "on the web".
const LINK_VISIBILITIES = new Set(['people_with_link', 'public_on_the_web', 'people_within_domain_with_link', 'public_in_the_domain']);

/**
 * Sharing events whose meaning is in their values (also when a parent folder's change reached the
 * item, `*_hierarchy_reconciled`): removing a person's access is an unshare, and a visibility change
 * to or from a link is a link created or removed.
 */
export function driveSharingMapping(name: string, param: (name: string) => string | null): EventMapping | null {
  const base = name.endsWith('_hierarchy_reconciled') ? name.slice(0, -'_hierarchy_reconciled'.length) : name;
  if (base === 'change_user_access') return param('new_value') === 'none' ? fileUnshare : fileShare;
  if (base === 'change_document_access_scope') return param('new_value') === 'none' ? linkRemove : linkCreate;
  if (base === 'change_document_visibility') {
    const now = param('visibility');
    const before = param('old_visibility');
    if (now !== null && LINK_VISIBILITIES.has(now)) return linkCreate;
    if (before !== null && LINK_VISIBILITIES.has(before)) return linkRemove;
    return fileShare;
  }
  return null;
}
