/**
 * OCSF 1.x event classes and activities used for `class_uid` / `activity_id` (facts from the OCSF
 * schema: class_uid = category_uid * 1000 + class id; IAM is category 3, Application Activity 6).
 * In every class, activity 0 is Unknown and 99 is Other.
 */
export const OCSF_CLASS = {
  BASE_EVENT: 0,
  ACCOUNT_CHANGE: 3001,
  AUTHENTICATION: 3002,
  AUTHORIZE_SESSION: 3003,
  ENTITY_MANAGEMENT: 3004,
  USER_ACCESS_MANAGEMENT: 3005,
  GROUP_MANAGEMENT: 3006,
  WEB_RESOURCES_ACTIVITY: 6001,
  API_ACTIVITY: 6003,
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
    CREATE: 1, READ: 2, UPDATE: 3, DELETE: 4, MOVE: 5, ENABLE: 8, DISABLE: 9, ACTIVATE: 10, DEACTIVATE: 11,
    SUSPEND: 12, RESUME: 13,
  },
  userAccess: { ASSIGN_PRIVILEGES: 1, REVOKE_PRIVILEGES: 2 },
  groupManagement: { ASSIGN_PRIVILEGES: 1, REVOKE_PRIVILEGES: 2, ADD_USER: 3, REMOVE_USER: 4, DELETE: 5, CREATE: 6 },
  api: { CREATE: 1, READ: 2, UPDATE: 3, DELETE: 4 },
  fileHosting: {
    UPLOAD: 1, DOWNLOAD: 2, UPDATE: 3, DELETE: 4, RENAME: 5, COPY: 6, MOVE: 7, RESTORE: 8, PREVIEW: 9,
    LOCK: 10, UNLOCK: 11, SHARE: 12, UNSHARE: 13, OPEN: 14,
  },
} as const;
