/**
 * The instance's tables as the simulator keeps them: rows of strings, with times as epoch ms
 * (numbers) so that they are written in the instance's zone only when served.
 */
export type Row = Record<string, string | number>;

/** A table's columns, its reference columns (→ the referenced table) and the column that names a row. */
export interface TableSchema {
  columns: readonly string[];
  references?: Readonly<Record<string, string>>;
  displayField: string;
}

const SYS = ['sys_id', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count'];

export const SCHEMAS: Readonly<Record<string, TableSchema>> = {
  sys_user: {
    columns: [...SYS, 'user_name', 'name', 'first_name', 'last_name', 'email', 'active', 'locked_out', 'failed_attempts', 'password_needs_reset',
      'web_service_access_only', 'internal_integration_user', 'enable_multifactor_authn', 'title', 'department', 'source', 'sso_source', 'vip',
      'last_login_time', 'sys_class_name', 'user_password', 'time_zone'],
    displayField: 'name',
  },
  sys_user_group: { columns: [...SYS, 'name', 'email', 'description', 'type', 'active', 'roles', 'manager'], references: { manager: 'sys_user' }, displayField: 'name' },
  sys_user_grmember: { columns: [...SYS, 'user', 'group'], references: { user: 'sys_user', group: 'sys_user_group' }, displayField: 'sys_id' },
  sys_user_role: { columns: [...SYS, 'name', 'description', 'elevated_privilege'], displayField: 'name' },
  sys_user_has_role: {
    columns: [...SYS, 'user', 'role', 'inherited', 'granted_by', 'state'],
    references: { user: 'sys_user', role: 'sys_user_role', granted_by: 'sys_user_group' }, displayField: 'sys_id',
  },
  oauth_entity: { columns: [...SYS, 'name', 'client_id', 'type', 'active'], displayField: 'name' },
  oauth_credential: {
    columns: [...SYS, 'user', 'peer', 'type', 'scope', 'expires', 'token', 'name'], references: { user: 'sys_user', peer: 'oauth_entity' }, displayField: 'name',
  },
  sys_attachment: {
    columns: [...SYS, 'file_name', 'content_type', 'size_bytes', 'size_compressed', 'compressed', 'table_name', 'table_sys_id', 'hash', 'state',
      'download_link', 'image_width', 'image_height', 'average_image_color', 'sys_tags'],
    displayField: 'file_name',
  },
  sysevent: {
    columns: ['sys_id', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'name', 'parm1', 'parm2', 'queue', 'state', 'processed', 'uri', 'instance', 'table', 'claimed_by'],
    displayField: 'name',
  },
  sys_audit: {
    columns: ['sys_id', 'sys_created_on', 'sys_created_by', 'tablename', 'fieldname', 'documentkey', 'oldvalue', 'newvalue', 'user', 'reason', 'record_checkpoint', 'internal_checkpoint'],
    displayField: 'sys_id',
  },
  syslog_transaction: {
    columns: ['sys_id', 'sys_created_on', 'sys_created_by', 'url', 'type', 'client_transaction', 'response_time', 'sql_time', 'output_length', 'http_status',
      'session', 'remote_ip', 'user_agent'],
    displayField: 'url',
  },
};

/** The tables whose rows are generated history (`AnchoredHistory`) besides what was added to them. */
export const HISTORY_TABLES = ['sysevent', 'sys_audit', 'syslog_transaction'] as const;
export type HistoryTable = (typeof HISTORY_TABLES)[number];
export const isHistoryTable = (t: string): t is HistoryTable => (HISTORY_TABLES as readonly string[]).includes(t);
