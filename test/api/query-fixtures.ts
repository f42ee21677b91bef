import type { ClickHouse } from '../../core/clickhouse.js';
import { eventId, recordId } from '../../schemas/event-id.js';
import type { AccountEvent, Actor, AuditEvent, FileEvent, GovernanceResult } from '../../schemas/types.js';
import { accountEventToRow, auditEventToRow, fileEventToRow, governanceResultToRow } from '../../processors/sink/tables.js';

// Whole seconds, so that every fixture time is exact in DateTime64(3) and in the ISO answers.
export const NOW = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 1000;
export const HOUR = 3_600_000;

export const PEOPLE: Actor[] = [
  { id: 'u-ana', email: 'Ana.Silva@example.com', name: 'Ana Silva', type: 'user' },
  { id: 'u-ben', email: 'ben@example.com', name: 'Ben Ode', type: 'user' },
  { id: 'u-cyd', email: 'cyd@example.com', name: '=HYPERLINK("http://evil.example","x")', type: 'user' },
  { id: 'u-dee', email: 'dee@partner.example', name: 'Dee, "the auditor"', type: 'user' },
  { id: 'svc-sync', email: null, name: 'Sync bot', type: 'service' },
];
const IPS = ['203.0.113.10', '203.0.113.200', '198.51.100.7', '2001:db8::1', '2001:db8:1::9', null];
const COUNTRIES = ['Spain', 'France', 'Brazil', null];
const ACTIONS: Array<[AuditEvent['action'], string, AuditEvent['category']]> = [
  ['login', 'user.session.start', 'logon'], ['file_download', 'DOWNLOAD', 'file'], ['file_share', 'SHARE', 'file'], ['user_suspend', 'user.lifecycle.suspend', 'admin'],
];
export const FILE_IDS = ['f-100', 'f-200', 'f-300'];

/** A deterministic pseudo-random sequence, so that every run has the same fixtures. */
function prng(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
}

/** 400 events over 3 days, two providers, ties in the same millisecond, IPv4 and IPv6 sources, files and users as targets. */
export function activities(): AuditEvent[] {
  const rnd = prng(7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const out: AuditEvent[] = [];
  for (let i = 0; i < 400; i++) {
    const provider = i % 3 === 0 ? 'box' : 'okta';
    const instance = provider === 'box' ? 'main' : i % 2 ? 'emea' : 'us';
    const actor = pick(PEOPLE);
    const [action, actionRaw, category] = pick(ACTIONS);
    // Groups of four share a millisecond: keyset paging must neither repeat nor skip them.
    const at = NOW - Math.floor(i / 4) * 43 * 60_000 - 1000;
    const ip = pick(IPS);
    const target = category === 'file'
      ? [{ type: 'file' as const, type_raw: 'file', id: pick(FILE_IDS), name: `report-${i % 5}.xlsx`, email: null }]
      : category === 'admin' ? [{ type: 'user' as const, type_raw: 'User', id: 'u-ben', name: 'Ben Ode', email: 'ben@example.com' }] : [];
    const uuid = `evt-${String(i).padStart(4, '0')}`;
    out.push({
      event_id: eventId(provider, instance, uuid), provider, instance, occurred_at: at, ingested_at: at + 1000, category, action, action_raw: actionRaw,
      outcome: i % 7 === 0 ? 'failure' : 'success', outcome_reason: i % 7 === 0 ? 'INVALID_CREDENTIALS' : null, severity: 'info', actor, targets: target,
      source: { ip, user_agent: ip ? 'Mozilla/5.0 (X11; Linux x86_64)' : null, country: ip ? pick(COUNTRIES) : null, city: null },
      session_id: null, request_id: `req-${i}`, class_uid: 3001, activity_id: 1, attributes: {},
      raw: JSON.stringify({ uuid, note: i % 50 === 0 ? 'Quarterly Forecast (.*+)?' : i % 13 === 0 ? 'Relatório anual de Élodie' : 'routine', client: { ipAddress: ip } }),
    });
  }
  return out;
}

function file(id: string, change: FileEvent['change'], over: Partial<FileEvent['file']>): FileEvent {
  return {
    record_id: recordId('box', 'main', 'file', id), provider: 'box', instance: 'main', observed_at: NOW - HOUR, change, attributes: {}, raw: '{}',
    file: {
      id, name: `${id}.docx`, path: `/Shared/${id}.docx`, mime_type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', size: 1000,
      owner: { id: 'u-ana', email: 'Ana.Silva@example.com', name: 'Ana Silva' }, created_at: NOW - 48 * HOUR, modified_at: NOW - 2 * HOUR,
      access_level: 'private', collaborators: [], label: null, url: null, ...over,
    },
  } as FileEvent;
}

export function files(): FileEvent[] {
  const out: FileEvent[] = [
    file('f-100', 'seen', { access_level: 'public', collaborators: [{ type: 'anyone', id: null, email: null, role: 'viewer' }], label: 'Confidential' }),
    file('f-200', 'seen', { access_level: 'external', collaborators: [{ type: 'user', id: 'u-dee', email: 'dee@partner.example', role: 'editor' }] }),
    file('f-300', 'seen', { access_level: 'internal', collaborators: [{ type: 'domain', id: null, email: 'example.com', role: 'viewer' }], owner: { id: 'u-ben', email: 'ben@example.com', name: 'Ben Ode' } }),
    file('f-400', 'deleted', {}),
  ];
  for (let i = 0; i < 17; i++) out.push(file(`g-${String(i).padStart(3, '0')}`, 'seen', { access_level: i % 2 ? 'private' : 'internal' }));
  return out;
}

/** f-100 quarantined; f-200 quarantined then released (the original marked reverted). */
export function governance(): GovernanceResult[] {
  const step = (command: string, target: string, status: GovernanceResult['status'], at: number): GovernanceResult => ({
    command_id: command, status, provider: 'box', instance: 'main', action: 'quarantine', target: { type: 'file', id: target, name: `${target}.docx` },
    attempt: 1, at, message: null, retriable: false,
  } as GovernanceResult);
  return [
    step('cmd-1', 'f-100', 'running', NOW - 50 * 60_000), step('cmd-1', 'f-100', 'succeeded', NOW - 49 * 60_000),
    step('cmd-2', 'f-200', 'succeeded', NOW - 48 * 60_000), step('cmd-2', 'f-200', 'reverted', NOW - 40 * 60_000),
  ];
}

export function accounts(): AccountEvent[] {
  const base = (provider: 'okta' | 'box', instance: string, kind: AccountEvent['kind'], person: Actor, extra: Partial<AccountEvent>, ...ids: string[]): AccountEvent => ({
    record_id: recordId(provider, instance, kind, person.id!, ...ids), provider, instance, observed_at: NOW - HOUR, kind,
    subject: { type: 'user', id: person.id!, email: person.email, name: person.name }, status: null, status_raw: null, created_at: null, last_login_at: null,
    group: null, privilege: null, app: null, deleted: false, attributes: {}, raw: '{}', ...extra,
  } as AccountEvent);
  const [ana, ben] = PEOPLE as [Actor, Actor];
  return [
    base('okta', 'emea', 'user', ana, { status: 'active', last_login_at: NOW - 2 * HOUR }),
    base('box', 'main', 'user', { ...ana, id: 'box-ana', email: 'ana.silva@EXAMPLE.com' }, { status: 'active', last_login_at: NOW - 3 * HOUR }),
    base('okta', 'emea', 'membership', ana, { group: { id: 'g-eng', name: 'Engineering' } }, 'g-eng'),
    base('okta', 'emea', 'privilege', ana, { privilege: { id: 'SUPER_ADMIN', name: 'Super Administrator', type: 'SUPER_ADMIN' } }, 'SUPER_ADMIN'),
    base('okta', 'emea', 'app_grant', ana, { app: { id: 'app-slack', name: 'Slack', scopes: ['openid', 'users.read'] } }, 'app-slack'),
    base('okta', 'us', 'user', ben, { status: 'suspended' }),
    base('okta', 'us', 'app_grant', ben, { app: { id: 'app-zoom', name: 'Zoom', scopes: ['openid'] } }, 'app-zoom'),
    base('okta', 'us', 'app_grant', ben, { app: { id: 'app-old', name: 'Old CRM', scopes: ['openid'] }, deleted: true }, 'app-old'),
  ];
}

export async function loadFixtures(clickhouse: ClickHouse): Promise<void> {
  await clickhouse.insert('activities', activities().map(auditEventToRow));
  await clickhouse.insert('files', files().map(fileEventToRow));
  await clickhouse.insert('governance_log', governance().map(governanceResultToRow));
  await clickhouse.insert('accounts', accounts().map(accountEventToRow));
}
