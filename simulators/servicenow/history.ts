import { AnchoredHistory } from '../common/anchored-history.js';
import type { Prng } from '../common/prng.js';
import type { Tables } from './instance-data.js';
import type { ResolvedOptions } from './options.js';
import type { HistoryTable, Row } from './tables.js';

const DAY = 86_400_000;
const AGENTS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', 'python-requests/2.31.0'];
const AUDITED: ReadonlyArray<[string, string]> = [['sys_user', 'title'], ['sys_user', 'active'], ['sys_user', 'locked_out'], ['sys_user', 'phone'],
  ['sys_user_grmember', 'user'], ['sys_user_has_role', 'role'], ['sys_user_grmember', 'DELETED'], ['sys_user_group', 'description'], ['incident', 'state']];

const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;
const ip = (prng: Prng) => `10.${prng.int(0, 255)}.${prng.int(0, 255)}.${prng.int(1, 254)}`;

/**
 * The instance's activity tables: records generated per hour slot from the seed (`AnchoredHistory`,
 * so a restart serves the same rows under the same sys_ids), and rows added later (governance calls,
 * tests). The history begins `days` before the start and ends at the start, or runs on with `live`.
 */
export class ActivityHistory {
  private readonly generated: Record<HistoryTable, AnchoredHistory<Row>>;
  readonly added: Record<HistoryTable, Row[]> = { sysevent: [], sys_audit: [], syslog_transaction: [] };
  readonly from: number;
  private readonly until: number | null;

  constructor(private readonly options: ResolvedOptions, tables: Tables) {
    const users = (tables.get('sys_user') ?? []).filter((u) => u.active === 'true').map((u) => String(u.user_name));
    const people = users.slice(1);
    const admin = users[1] ?? 'admin';
    const per = options.eventsPerDay;
    const seed = options.seed;
    this.generated = {
      sysevent: new AnchoredHistory(`${seed}:sysevent`, per, (prng, at) => {
        const name = prng.weighted([['login', 70], ['login.failed', 15], ['logout', 15], ['impersonation.start', 2], ['security.elevated_role.enabled', 2]] as const);
        const user = prng.pick(people);
        const address = ip(prng);
        // An impersonation names the admin in parm1 and whom they impersonate in parm2; an elevation the admin and the address.
        const [parm1, parm2] = name === 'impersonation.start' ? [admin, user] : name === 'security.elevated_role.enabled' ? [admin, address] : [user, address];
        return { sys_id: prng.hex(32), sys_created_on: seconds(at), sys_updated_on: seconds(at), sys_created_by: parm1, name, parm1, parm2,
          queue: '', state: 'processed', processed: seconds(at), uri: '', instance: '', table: '', claimed_by: '' };
      }),
      syslog_transaction: new AnchoredHistory(`${seed}:syslog_transaction`, per * 2, (prng, at) => {
        const type = prng.weighted([['form', 40], ['list', 30], ['rest', 25], ['attachment', 5]] as const);
        const url = type === 'form' ? `/incident.do?sys_id=${prng.hex(32)}` : type === 'list' ? '/incident_list.do' : type === 'rest' ? '/api/now/table/incident'
          : `/sys_attachment.do?sys_id=${prng.hex(32)}`;
        return { sys_id: prng.hex(32), sys_created_on: seconds(at), sys_created_by: prng.pick(people), url, type: type === 'attachment' ? 'form' : type,
          client_transaction: type === 'rest' ? 'false' : 'true', response_time: String(prng.int(20, 4000)), sql_time: String(prng.int(1, 300)),
          output_length: String(prng.int(200, 90_000)), http_status: prng.chance(0.05) ? '403' : '200', session: prng.hex(32), remote_ip: ip(prng), user_agent: prng.pick(AGENTS) };
      }),
      sys_audit: new AnchoredHistory(`${seed}:sys_audit`, per / 4, (prng, at) => {
        const [tablename, fieldname] = prng.pick(AUDITED);
        const insert = fieldname === 'user' || fieldname === 'role';
        const flagField = fieldname === 'active' || fieldname === 'locked_out';
        const newValue = fieldname === 'DELETED' ? 'DELETED' : flagField ? String(prng.chance(0.5)) : prng.hex(8);
        return { sys_id: prng.hex(32), sys_created_on: seconds(at), sys_created_by: admin, tablename, fieldname, documentkey: prng.hex(32),
          oldvalue: insert || fieldname === 'DELETED' ? '' : flagField ? String(newValue !== 'true') : prng.hex(8), newvalue: newValue, user: admin, reason: '',
          record_checkpoint: fieldname === 'DELETED' ? '-1' : String(prng.int(1, 20)), internal_checkpoint: prng.hex(12) };
      }),
    };
    const now = options.clock.now();
    this.from = this.generated.sysevent.anchor(now - options.days * DAY);
    this.until = options.live ? null : now;
  }

  /** Every row of the table now: the history up to now (or the start), then added rows, oldest first. */
  rows(table: HistoryTable, since?: number): Row[] {
    const end = this.until ?? this.options.clock.now();
    const from = Math.max(this.from, since ?? this.from);
    const rows = [...this.generated[table].between(from, end), ...this.added[table].filter((r) => Number(r.sys_created_on) >= from && Number(r.sys_created_on) <= this.options.clock.now())];
    return rows.sort((a, b) => Number(a.sys_created_on) - Number(b.sys_created_on));
  }
}
