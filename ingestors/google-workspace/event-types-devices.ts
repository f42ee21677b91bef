import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import { deliberateOther as why, mapping as m, type EventMapping } from '../runtime/event-table.js';

const E = A.entityManagement;
const threat = m('security', 'threat_detected', C.DETECTION_FINDING, A.finding.CREATE);
const dlp = m('security', 'dlp_match', C.DATA_SECURITY_FINDING, A.finding.CREATE);
const deviceChange = m('admin', 'device_change', C.ENTITY_MANAGEMENT, E.UPDATE);
const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const evaluate = m('logon', 'policy_evaluate', C.AUTHENTICATION, A.OTHER);
const deviceOther = (reason: string) => why('admin', C.ENTITY_MANAGEMENT, A.OTHER, reason);

/**
 * Events of the Reports API's endpoint and access applications. Chrome and mobile event names are
 * upper case, as the appendices write them (`eventName=CHROME_OS_ADD_USER`).
 */
export const DEVICE_EVENTS: Record<string, Record<string, EventMapping>> = {
  chrome: {
    CHROME_OS_ADD_USER: deviceChange,
    CHROME_OS_REMOVE_USER: deviceChange,
    DEVICE_BOOT_STATE_CHANGE: deviceChange,
    CHROME_OS_LOGIN_EVENT: login,
    CHROME_OS_LOGIN_FAILURE_EVENT: login,
    CHROME_OS_LOGOUT_EVENT: m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
    CHROME_OS_LOGIN_LOGOUT_EVENT: why('logon', C.AUTHENTICATION, A.OTHER, 'a ChromeOS sign-in or sign-out: which one is only in its EVENT_REASON'),
    CHROME_OS_REPORTING_DATA_LOST: deviceOther('a device failed to report an event: no action'),
    LOGIN_EVENT: login,
    PASSWORD_CHANGED: m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE),
    PASSWORD_REUSE: threat,
    PASSWORD_BREACH: threat,
    MALWARE_TRANSFER: m('security', 'malware_detected', C.DETECTION_FINDING, A.finding.CREATE),
    UNSAFE_SITE_VISIT: threat,
    SENSITIVE_DATA_TRANSFER: dlp,
    DLP_EVENT: dlp,
    CONTENT_TRANSFER: m('file', 'file_upload', C.FILE_HOSTING_ACTIVITY, A.fileHosting.UPLOAD),
    CONTENT_UNSCANNED: why('security', C.DATA_SECURITY_FINDING, A.OTHER, 'a transfer the connector could not scan: no verdict'),
    EXTENSION_REQUEST: why('app', C.USER_ACCESS_MANAGEMENT, A.OTHER, 'a request to install an extension: nothing installed yet'),
  },
  mobile: {
    DEVICE_REGISTER_UNREGISTER_EVENT: m('admin', 'device_enroll', C.ENTITY_MANAGEMENT, E.ENROLL),
    DEVICE_ACTION_EVENT: deviceChange,
    DEVICE_COMPLIANCE_CHANGED_EVENT: deviceChange,
    DEVICE_OWNERSHIP_CHANGE_EVENT: deviceChange,
    DEVICE_SETTINGS_UPDATED_EVENT: deviceChange,
    OS_UPDATED_EVENT: deviceChange,
    RISK_SIGNAL_UPDATED_EVENT: deviceChange,
    ANDROID_WORK_PROFILE_SUPPORT_ENABLED_EVENT: deviceChange,
    APPLE_DEP_DEVICE_UPDATE_ON_APPLE_PORTAL_EVENT: deviceChange,
    DEVICE_COMPROMISED_EVENT: threat,
    SUSPICIOUS_ACTIVITY_EVENT: threat,
    FAILED_PASSWORD_ATTEMPTS_EVENT: login,
    DEVICE_SYNC_EVENT: deviceOther('a device synced: no change'),
    APPLICATION_EVENT: deviceOther('an app installed, updated or removed on a device'),
    APPLICATION_REPORT_EVENT: deviceOther('an app on a device reported its status'),
    ADVANCED_POLICY_SYNC_EVENT: deviceOther('device policies synced: no change'),
  },
  context_aware_access: {
    ACCESS_DENY_EVENT: evaluate,
    ACCESS_DENY_INTERNAL_ERROR_EVENT: evaluate,
  },
  access_transparency: {
    ACCESS: m('admin', 'admin_access', C.API_ACTIVITY, A.api.READ),
  },
  // Cloud OS Login: the SSH keys and POSIX accounts of users.
  gcp: {
    IMPORT_SSH_PUBLIC_KEY: m('admin', 'token_create', C.ENTITY_MANAGEMENT, E.CREATE),
    DELETE_SSH_PUBLIC_KEY: m('admin', 'token_revoke', C.ENTITY_MANAGEMENT, E.DELETE),
    UPDATE_SSH_PUBLIC_KEY: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, "an SSH key's expiry or label updated: the key itself is imported or deleted as its own event"),
    DELETE_POSIX_ACCOUNT: m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER),
    GET_SSH_PUBLIC_KEY: why('admin', C.API_ACTIVITY, A.api.READ, 'OS Login data read: no change'),
    GET_LOGIN_PROFILE: why('admin', C.API_ACTIVITY, A.api.READ, 'OS Login data read: no change'),
  },
};
