import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import { deliberateOther as why, mapping as m, type EventMapping } from '../runtime/event-table.js';

const W = A.webResources;
const meetingCreate = m('user', 'meeting_create', C.WEB_RESOURCES_ACTIVITY, W.CREATE);
const meetingUpdate = m('user', 'meeting_update', C.WEB_RESOURCES_ACTIVITY, W.UPDATE);
const meetingDelete = m('user', 'meeting_delete', C.WEB_RESOURCES_ACTIVITY, W.DELETE);
const calendarOther = (reason: string) => why('user', C.WEB_RESOURCES_ACTIVITY, A.OTHER, reason);
const meetOther = (reason: string) => why('user', C.WEB_RESOURCES_ACTIVITY, A.OTHER, reason);
const chatOther = (reason: string) => why('user', C.WEB_RESOURCES_ACTIVITY, A.OTHER, reason);
const threat = m('security', 'threat_detected', C.DETECTION_FINDING, A.finding.CREATE);
const dlp = m('security', 'dlp_match', C.DATA_SECURITY_FINDING, A.finding.CREATE);
const deviceChange = m('admin', 'device_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE);
const ROOM = 'a Chat space or its membership: not a directory group, no verb of ours';

/**
 * Events of the Reports API's collaboration, endpoint and security applications, from Google's
 * activity appendices (developers.google.com/workspace/admin/reports/v1/appendix/activity/<application>),
 * read 2026-12-07.
 */
export const COLLABORATION_EVENTS: Record<string, Record<string, EventMapping>> = {
  calendar: {
    create_event: meetingCreate,
    delete_event: meetingDelete,
    remove_event_from_trash: meetingDelete,
    restore_event: meetingCreate,
    change_event: meetingUpdate,
    change_event_title: meetingUpdate,
    change_event_description: meetingUpdate,
    change_event_location: meetingUpdate,
    change_event_start_time: meetingUpdate,
    change_event_end_time: meetingUpdate,
    change_event_guest_response: meetingUpdate,
    change_event_guest_response_auto: meetingUpdate,
    change_event_calendar: meetingUpdate,
    change_event_colors: meetingUpdate,
    change_event_recurrence: meetingUpdate,
    add_event_guest: meetingUpdate,
    remove_event_guest: meetingUpdate,
    email_event_guests: m('user', 'mail_send', C.EMAIL_ACTIVITY, A.email.SEND),
    notification_triggered: calendarOther('a reminder Calendar sent: not an action of a user'),
    print_preview_calendar: calendarOther('a calendar printed'),
    create_calendar: calendarOther('a calendar (not an event) created'),
    delete_calendar: calendarOther('a calendar (not an event) deleted'),
    change_calendar_acls: calendarOther('calendar sharing changed: our sharing verbs are for files'),
    change_calendar_title: calendarOther('a calendar renamed'),
    change_calendar_description: calendarOther('a calendar description changed'),
    change_calendar_location: calendarOther('a calendar location changed'),
    change_calendar_timezone: calendarOther('a calendar time zone changed'),
    change_calendar_country: calendarOther('a calendar country changed'),
    change_calendar_color: calendarOther('a calendar colour changed'),
    change_calendar_color_override: calendarOther('a calendar colour changed'),
  },
  chat: {
    message_posted: m('user', 'message_post', C.WEB_RESOURCES_ACTIVITY, W.CREATE),
    message_edited: m('user', 'message_edit', C.WEB_RESOURCES_ACTIVITY, W.UPDATE),
    message_deleted: m('user', 'message_delete', C.WEB_RESOURCES_ACTIVITY, W.DELETE),
    attachment_upload: m('user', 'file_upload', C.FILE_HOSTING_ACTIVITY, A.fileHosting.UPLOAD),
    attachment_download: m('user', 'file_download', C.FILE_HOSTING_ACTIVITY, A.fileHosting.DOWNLOAD),
    add_room_member: chatOther(ROOM),
    remove_room_member: chatOther(ROOM),
    room_created: chatOther(ROOM),
    room_deleted: chatOther(ROOM),
    room_name_updated: chatOther(ROOM),
    app_added: m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
    app_removed: m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
    app_invoked: m('app', 'app_access', C.API_ACTIVITY, A.OTHER),
    reaction_added: chatOther('an emoji reaction'),
    reaction_removed: chatOther('an emoji reaction'),
    invite_accept: chatOther(ROOM),
    invite_decline: chatOther(ROOM),
    invite_send: chatOther(ROOM),
    block_user: chatOther('a user blocked another in Chat'),
    unblock_user: chatOther('a user unblocked another in Chat'),
  },
  meet: {
    call_ended: m('user', 'meeting_leave', C.WEB_RESOURCES_ACTIVITY, A.OTHER),
    livestream_watched: m('user', 'meeting_join', C.WEB_RESOURCES_ACTIVITY, W.READ),
    knocking_accepted: m('user', 'meeting_join', C.WEB_RESOURCES_ACTIVITY, W.READ),
    knocking_denied: meetOther('a request to join refused by a host'),
    invitation_sent: meetOther('an invitation to a call sent'),
    presentation_started: meetOther('screen sharing started in a call'),
    presentation_stopped: meetOther('screen sharing stopped in a call'),
    recording_activity: meetOther('a recording of a call (the recording file appears in Drive)'),
    abuse_report_submitted: meetOther('a participant reported abuse'),
  },
  rules: {
    rule_match: dlp,
    rule_trigger: dlp,
    action_complete: why('security', C.DATA_SECURITY_FINDING, A.finding.UPDATE, "the action of a rule already reported by rule_match completed"),
    label_applied: why('security', C.DATA_SECURITY_FINDING, A.finding.UPDATE, 'a classification label a rule applied'),
    label_removed: why('security', C.DATA_SECURITY_FINDING, A.finding.UPDATE, 'a classification label a rule removed'),
  },
  chrome: {
    login_event: m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON),
    login_success_event: m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON),
    login_failure_event: m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON),
    logout_event: m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
    password_changed: m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE),
    password_reuse: threat,
    malware_transfer: m('security', 'malware_detected', C.DETECTION_FINDING, A.finding.CREATE),
    unsafe_site_visit: threat,
    sensitive_data_transfer: dlp,
    url_filtering_interstitial: m('security', 'url_click', C.WEB_RESOURCE_ACCESS_ACTIVITY, A.webResourceAccess.ACCESS_DENY),
    content_transfer: m('file', 'file_upload', C.FILE_HOSTING_ACTIVITY, A.fileHosting.UPLOAD),
    content_unscanned: why('security', C.DATA_SECURITY_FINDING, A.OTHER, 'a transfer the connector could not scan: no verdict'),
    browser_extension_install: m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
    extension_request: why('app', C.USER_ACCESS_MANAGEMENT, A.OTHER, 'a request to install an extension: the install is its own event'),
    browser_crash: why('other', C.BASE_EVENT, A.OTHER, 'a browser crash'),
    device_boot_state_change: deviceChange,
    chrome_os_add_user: deviceChange,
    chrome_os_remove_user: deviceChange,
  },
  mobile: {
    DEVICE_REGISTER_UNREGISTER_EVENT: m('admin', 'device_enroll', C.ENTITY_MANAGEMENT, A.entityManagement.ENROLL),
    DEVICE_ACTION_EVENT: deviceChange,
    DEVICE_STATUS_CHANGE_EVENT: deviceChange,
    DEVICE_OWNERSHIP_CHANGE_EVENT: deviceChange,
    OS_UPDATED_EVENT: deviceChange,
    DEVICE_SETTINGS_CHANGED_EVENT: deviceChange,
    DEVICE_COMPROMISED_EVENT: threat,
    SUSPICIOUS_ACTIVITY_EVENT: threat,
    FAILED_PASSWORD_ATTEMPTS_EVENT: m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON),
    DEVICE_SYNC_EVENT: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'a device synced: no change'),
    APPLICATION_EVENT: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'an app installed or updated on a device'),
    ADVANCED_POLICY_SYNC_EVENT: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'device policies synced: no change'),
  },
  context_aware_access: {
    ACCESS_DENY_EVENT: m('logon', 'policy_evaluate', C.AUTHENTICATION, A.OTHER),
    ACCESS_DENY_INTERNAL_ERROR_EVENT: m('logon', 'policy_evaluate', C.AUTHENTICATION, A.OTHER),
  },
  access_transparency: {
    ACCESS: m('admin', 'admin_access', C.API_ACTIVITY, A.api.READ),
  },
  gcp: {
    INTERACT_WITH_CLOUD_SHELL: why('other', C.BASE_EVENT, A.OTHER, 'a Cloud Shell session'),
  },
};
