/**
 * OCSF 1.x event classes and activities used for `class_uid` / `activity_id` (facts from the OCSF
 * schema, schema.ocsf.io: class_uid = category_uid * 1000 + class id; Findings are category 2, IAM 3,
 * Network Activity 4, Application Activity 6). The audit-event schema's `class_uid` doc names each
 * class listed here (`schemas/types.test.ts` checks it).
 * In every class, activity 0 is Unknown and 99 is Other.
 */
export const OCSF_CLASS = {
  BASE_EVENT: 0,
  DETECTION_FINDING: 2004,
  DATA_SECURITY_FINDING: 2006,
  ACCOUNT_CHANGE: 3001,
  AUTHENTICATION: 3002,
  AUTHORIZE_SESSION: 3003,
  ENTITY_MANAGEMENT: 3004,
  USER_ACCESS_MANAGEMENT: 3005,
  GROUP_MANAGEMENT: 3006,
  EMAIL_ACTIVITY: 4009,
  WEB_RESOURCES_ACTIVITY: 6001,
  API_ACTIVITY: 6003,
  WEB_RESOURCE_ACCESS_ACTIVITY: 6004,
  FILE_HOSTING_ACTIVITY: 6006,
} as const;

export const OCSF_ACTIVITY = {
  UNKNOWN: 0,
  OTHER: 99,
  authentication: { LOGON: 1, LOGOFF: 2 },
  accountChange: {
    CREATE: 1, ENABLE: 2, PASSWORD_CHANGE: 3, PASSWORD_RESET: 4, DISABLE: 5, DELETE: 6,
    ATTACH_POLICY: 7, DETACH_POLICY: 8, LOCK: 9, MFA_FACTOR_ENABLE: 10, MFA_FACTOR_DISABLE: 11, UNLOCK: 12,
  },
  entityManagement: {
    CREATE: 1, READ: 2, UPDATE: 3, DELETE: 4, MOVE: 5, ENROLL: 6, UNENROLL: 7, ENABLE: 8, DISABLE: 9, ACTIVATE: 10, DEACTIVATE: 11,
    SUSPEND: 12, RESUME: 13,
  },
  userAccess: { ASSIGN_PRIVILEGES: 1, REVOKE_PRIVILEGES: 2 },
  groupManagement: { ASSIGN_PRIVILEGES: 1, REVOKE_PRIVILEGES: 2, ADD_USER: 3, REMOVE_USER: 4, DELETE: 5, CREATE: 6 },
  api: { CREATE: 1, READ: 2, UPDATE: 3, DELETE: 4 },
  /** Detection Finding and Data Security Finding share these. */
  finding: { CREATE: 1, UPDATE: 2, CLOSE: 3 },
  email: { SEND: 1, RECEIVE: 2, SCAN: 3 },
  webResources: { CREATE: 1, READ: 2, UPDATE: 3, DELETE: 4, SEARCH: 5, IMPORT: 6, EXPORT: 7, SHARE: 8 },
  webResourceAccess: { ACCESS_GRANT: 1, ACCESS_DENY: 2, ACCESS_REVOKE: 3, ACCESS_ERROR: 4 },
  fileHosting: {
    UPLOAD: 1, DOWNLOAD: 2, UPDATE: 3, DELETE: 4, RENAME: 5, COPY: 6, MOVE: 7, RESTORE: 8, PREVIEW: 9,
    LOCK: 10, UNLOCK: 11, SHARE: 12, UNSHARE: 13, OPEN: 14,
  },
} as const;
