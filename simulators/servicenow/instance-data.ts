import { generationDay } from '../common/anchored-history.js';
import { createPrng, type Prng } from '../common/prng.js';
import type { ResolvedOptions } from './options.js';
import type { Row } from './tables.js';

const DAY = 86_400_000;
const FIRST = ['Abel', 'Beth', 'Carlos', 'Dana', 'Emil', 'Fatima', 'Greta', 'Hiro', 'Ines', 'Jon', 'Kemal', 'Lena', 'Mona', 'Nils', 'Olga', 'Pavel'];
const LAST = ['Tuter', 'Anderson', 'Ramos', 'Kim', 'Novak', 'Haddad', 'Berg', 'Sato', 'Costa', 'Lund', 'Yilmaz', 'Weber'];
const DEPARTMENTS = ['IT', 'Finance', 'HR', 'Sales', 'Customer Support'];
const GROUPS = ['Service Desk', 'Network', 'Database', 'Change Management', 'Hardware', 'Software', 'Security Operations', 'Field Services'];
/** Roles of the base system; `elevated_privilege` marks the ones ServiceNow itself treats as elevated. */
export const ROLES: ReadonlyArray<{ name: string; elevated?: true }> = [
  { name: 'admin', elevated: true }, { name: 'security_admin', elevated: true }, { name: 'user_admin' }, { name: 'oauth_admin' }, { name: 'impersonator' },
  { name: 'web_service_admin' }, { name: 'itil' }, { name: 'catalog' }, { name: 'knowledge' }, { name: 'snc_platform_rest_api_access' },
];
const APPS = ['Appwarden', 'Slack for ServiceNow', 'ServiceNow Agent (mobile)', 'Power BI connector'];
const RECORD_TABLES = ['incident', 'kb_knowledge', 'sc_req_item', 'change_request'];
const FILES: ReadonlyArray<[string, string]> = [['screenshot.png', 'image/png'], ['error.log', 'text/plain'], ['runbook.pdf', 'application/pdf'],
  ['export.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], ['photo.jpeg', 'image/jpeg']];

export type Tables = Map<string, Row[]>;

function sysFields(prng: Prng, created: number, by: string): Row {
  return { sys_id: prng.hex(32), sys_created_on: created, sys_created_by: by, sys_updated_on: created, sys_updated_by: by, sys_mod_count: '0' };
}

/**
 * The instance's directory, tokens and attachments, generated from the seed at the start of the
 * current UTC day (a restart the same day makes the same rows). The first user is the integration
 * user (admin, web service access only), the second the administrator.
 */
export function generateTables(options: ResolvedOptions): Tables {
  const prng = createPrng(`${options.seed}:instance`);
  const day = generationDay(options.clock.now());
  const past = (maxDays: number) => Math.floor((day - prng.int(1, Math.max(2, maxDays) * DAY)) / 1000) * 1000;
  const tables: Tables = new Map();
  const put = (table: string, row: Row) => {
    const rows = tables.get(table) ?? [];
    rows.push(row);
    tables.set(table, rows);
    return row;
  };

  const roles = ROLES.map((r) => put('sys_user_role', { ...sysFields(prng, past(900), 'system'), name: r.name, description: `${r.name} role`, elevated_privilege: r.elevated ? 'true' : 'false' }));
  const role = (name: string) => roles.find((r) => r.name === name)!;
  const users: Row[] = [];
  for (let i = 0; i < options.users + 2; i++) {
    const first = i === 0 ? 'Appwarden' : i === 1 ? 'System' : FIRST[i % FIRST.length]!;
    const last = i === 0 ? 'Integration' : i === 1 ? 'Administrator' : `${LAST[(i * 7) % LAST.length]!}${i > FIRST.length ? i : ''}`;
    const userName = i === 0 ? options.username : i === 1 ? 'admin' : `${first}.${last}`.toLowerCase();
    const created = past(700);
    const active = i < 2 || !prng.chance(0.1);
    users.push(put('sys_user', {
      ...sysFields(prng, created, 'admin'),
      user_name: userName, name: `${first} ${last}`, first_name: first, last_name: last,
      email: i === 0 ? '' : `${userName}@example.com`,
      active: active ? 'true' : 'false', locked_out: i >= 2 && prng.chance(0.05) ? 'true' : 'false',
      failed_attempts: String(prng.int(0, 3)), password_needs_reset: 'false',
      web_service_access_only: i === 0 ? 'true' : 'false', internal_integration_user: 'false',
      enable_multifactor_authn: prng.chance(0.6) ? 'true' : 'false', title: i < 2 ? '' : prng.pick(['Analyst', 'Engineer', 'Manager', 'Agent']),
      department: prng.pick(DEPARTMENTS), source: '', sso_source: '', vip: prng.chance(0.05) ? 'true' : 'false',
      last_login_time: active ? Math.floor((day - prng.int(0, 20 * DAY)) / 1000) * 1000 : '',
      sys_class_name: 'sys_user', user_password: '', time_zone: '',
    }));
  }
  const groups = Array.from({ length: options.groups }, (_, i) => put('sys_user_group', {
    ...sysFields(prng, past(800), 'admin'), name: GROUPS[i % GROUPS.length]! + (i >= GROUPS.length ? ` ${i}` : ''), email: '', description: '',
    type: '', active: 'true', roles: i === 0 ? 'itil' : i === GROUPS.indexOf('Security Operations') ? 'security_admin' : '', manager: users[1]!.sys_id!,
  }));

  const assign = (user: Row, r: Row, inherited: Row | null) => put('sys_user_has_role', {
    ...sysFields(prng, past(300), 'admin'), user: user.sys_id!, role: r.sys_id!, inherited: inherited ? 'true' : 'false', granted_by: inherited ? inherited.sys_id! : '', state: 'active',
  });
  assign(users[0]!, role('admin'), null);
  assign(users[0]!, role('snc_platform_rest_api_access'), null);
  assign(users[1]!, role('admin'), null);
  assign(users[1]!, role('security_admin'), null);
  for (const user of users.slice(2)) {
    assign(user, role(prng.pick(['itil', 'catalog', 'knowledge'])), null);
    if (prng.chance(0.12)) assign(user, role(prng.pick(['user_admin', 'oauth_admin', 'impersonator', 'web_service_admin', 'admin'])), null);
    for (const group of groups) {
      if (!prng.chance(1.5 / groups.length)) continue;
      put('sys_user_grmember', { ...sysFields(prng, past(300), 'admin'), user: user.sys_id!, group: group.sys_id! });
      for (const name of String(group.roles).split(',').filter((n) => n !== '')) assign(user, role(name), group);
    }
  }

  const apps = APPS.map((name) => put('oauth_entity', { ...sysFields(prng, past(600), 'admin'), name, client_id: prng.hex(32), type: 'client', active: 'true' }));
  for (const user of users.slice(1)) {
    if (!prng.chance(0.35)) continue;
    const app = prng.pick(apps.slice(1));
    const created = past(30);
    for (const type of ['access_token', 'refresh_token']) {
      put('oauth_credential', {
        ...sysFields(prng, created, String(user.user_name)), user: user.sys_id!, peer: app.sys_id!, type, scope: 'useraccount', name: `${app.name} ${type}`,
        expires: created + (type === 'access_token' ? 1800_000 : 100 * DAY), token: '',
      });
    }
  }

  for (const user of users.slice(2)) {
    for (let n = prng.int(0, 3); n > 0; n--) {
      const [name, type] = prng.pick(FILES);
      const created = past(60);
      const size = prng.int(1_000, 5_000_000);
      put('sys_attachment', {
        ...sysFields(prng, created, String(user.user_name)), file_name: name, content_type: type, size_bytes: String(size),
        size_compressed: String(Math.floor(size * 0.7)), compressed: 'true', table_name: prng.pick(RECORD_TABLES), table_sys_id: prng.hex(32),
        hash: prng.hex(64), state: 'available', download_link: '', image_width: '', image_height: '', average_image_color: '', sys_tags: '',
      });
    }
  }
  for (const table of ['sys_user', 'sys_user_group', 'sys_user_grmember', 'sys_user_has_role', 'oauth_entity', 'oauth_credential', 'sys_attachment', 'sys_user_role']) {
    if (!tables.has(table)) tables.set(table, []);
  }
  return tables;
}
