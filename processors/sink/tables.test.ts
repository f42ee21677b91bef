import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { isAppwardenError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import type { AccountEvent, Alert, AuditEvent, FileEvent, GovernanceCommand, GovernanceResult } from '../../schemas/types.js';
import {
  TABLES, accountEventToRow, alertToRow, auditEventToRow, ensureTables, fileEventToRow, governanceCommandToRow, governanceResultToRow,
  type TableOptions,
} from './tables.js';
import { ACTIVITY_SUBJECTS, ACTIVITY_VERSIONS } from './catalogue/index.js';

// Whichever backend the environment selects (CLICKHOUSE_URL: a server; else chdb), one database per test.
const dataDir = mkdtempSync(path.join(tmpdir(), 'appwarden-tables-test-'));
const opened: ClickHouse[] = [];

async function freshDatabase(options: TableOptions = {}): Promise<ClickHouse> {
  const ch = await openClickHouse({
    dataDir,
    database: `aw_test_${randomBytes(6).toString('hex')}`,
    log: silentLogger,
    ...(process.env.CLICKHOUSE_URL ? { url: process.env.CLICKHOUSE_URL } : {}),
    ...(process.env.CLICKHOUSE_USER ? { username: process.env.CLICKHOUSE_USER } : {}),
    ...(process.env.CLICKHOUSE_PASSWORD ? { password: process.env.CLICKHOUSE_PASSWORD } : {}),
  });
  opened.push(ch);
  await ensureTables(ch, options);
  return ch;
}

after(async () => {
  for (const ch of opened) {
    if (ch.kind === 'server') await ch.exec(`DROP DATABASE IF EXISTS \`${ch.database}\``).catch(() => {});
    await ch.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const T0 = Date.UTC(2024, 4, 1, 10, 11, 12, 345);
const RAW = JSON.stringify({
  uuid: 'c3a1', displayMessage: `User login to Okta — "quoted", it's`, note: 'line\nbreak \\ backslash \t tab', city: 'Zürich 東京 😀',
});

function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    event_id: 'ev-1',
    provider: 'okta',
    instance: 'main',
    occurred_at: T0,
    ingested_at: T0 + 5_000,
    category: 'logon',
    action: 'login',
    action_raw: 'user.session.start',
    outcome: 'failure',
    outcome_reason: "VERIFICATION_ERROR: it's \"wrong\"",
    severity: 'WARN',
    actor: { id: '00u1', email: 'Zoë.Smith@Example.com', name: 'Zoë Smith', type: 'user' },
    targets: [
      { type: 'app', type_raw: 'AppInstance', id: '0oa1', name: 'Salesforce', email: null },
      { type: 'user', type_raw: null, id: null, name: null, email: 'x@example.com' },
    ],
    source: { ip: '203.0.113.9', user_agent: 'Mozilla/5.0 "test"', country: 'Switzerland', city: 'Zürich' },
    session_id: 'idx123',
    request_id: null,
    class_uid: 3002,
    activity_id: 1,
    attributes: { 'okta.transaction_id': 'W1', quote: `it's "x"\n` },
    raw: RAW,
    ...overrides,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

describe('ensureTables', () => {
  let ch: ClickHouse;
  before(async () => {
    ch = await freshDatabase();
  });

  test('can run again on existing tables', async () => {
    await ensureTables(ch);
    await ensureTables(ch, { retentionDays: 400 });
    const tables = await ch.query<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db: ch.database });
    assert.deepEqual(tables.map((t) => t.name), [...Object.values(TABLES), ACTIVITY_VERSIONS.table, ACTIVITY_VERSIONS.view, ACTIVITY_SUBJECTS.table, ACTIVITY_SUBJECTS.view].sort());
  });

  test('creates the activities table with a retention TTL when asked', async () => {
    const other = await freshDatabase({ retentionDays: 30 });
    const [ddl] = await other.query<{ ddl: string }>('SELECT create_table_query AS ddl FROM system.tables WHERE database = {db:String} AND name = {t:String}', { db: other.database, t: TABLES.activities });
    assert.match(ddl?.ddl ?? '', /TTL toDateTime\(occurred_at\) \+ toIntervalDay\(30\)/);
    await assert.rejects(ensureTables(other, { retentionDays: 0 }), (err) => isAppwardenError(err, 'AW_CONFIG_INVALID'));
  });

  test('an audit event round-trips through every activities column', async () => {
    const event = auditEvent();
    await ch.insert(TABLES.activities, [auditEventToRow(event)]);
    const rows = await ch.query('SELECT *, src_ip_v6 FROM activities WHERE event_id = {id:String}', { id: event.event_id });
    assert.deepEqual(rows, [{
      event_id: 'ev-1', provider: 'okta', instance: 'main',
      occurred_at: iso(T0), ingested_at: iso(T0 + 5_000),
      category: 'logon', action: 'login', action_raw: 'user.session.start', outcome: 'failure',
      outcome_reason: "VERIFICATION_ERROR: it's \"wrong\"", severity: 'WARN',
      actor_id: '00u1', actor_email: 'Zoë.Smith@Example.com', actor_name: 'Zoë Smith', actor_type: 'user',
      user_key: 'zoë.smith@example.com',
      target_types: ['app', 'user'], target_types_raw: ['AppInstance', null], target_ids: ['0oa1', null],
      target_names: ['Salesforce', null], target_emails: [null, 'x@example.com'],
      src_ip: '203.0.113.9', user_agent: 'Mozilla/5.0 "test"', country: 'Switzerland', city: 'Zürich',
      session_id: 'idx123', request_id: null, class_uid: 3002, activity_id: 1,
      attributes: { 'okta.transaction_id': 'W1', quote: `it's "x"\n` },
      raw: RAW,
      src_ip_v6: '::ffff:203.0.113.9',
    }]);
    assert.deepEqual(JSON.parse((rows[0] as { raw: string }).raw), JSON.parse(RAW));
  });

  test('a user key, a time range and a CIDR filter find the event by bound parameters', async () => {
    await ch.insert(TABLES.activities, [auditEventToRow(auditEvent({ event_id: 'ev-cidr', source: { ip: '198.51.100.7', user_agent: null, country: null, city: null } }))]);
    const rows = await ch.query<{ event_id: string }>(
      `SELECT event_id FROM activities FINAL
       WHERE user_key = {user:String} AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
         AND src_ip_v6 BETWEEN tupleElement(IPv6CIDRToRange(toIPv6({net:String}), {bits:UInt8}), 1)
                           AND tupleElement(IPv6CIDRToRange(toIPv6({net:String}), {bits:UInt8}), 2)
       ORDER BY occurred_at DESC`,
      { user: 'zoë.smith@example.com', from: new Date(T0 - 1), to: new Date(T0 + 1), net: '198.51.100.0', bits: 96 + 24 },
    );
    assert.deepEqual(rows, [{ event_id: 'ev-cidr' }]);
  });

  test('a bound parameter carrying SQL matches nothing', async () => {
    const rows = await ch.query('SELECT event_id FROM activities WHERE user_key = {user:String}', { user: "' OR 1=1 --" });
    assert.deepEqual(rows, []);
  });

  test('an account event round-trips through the accounts columns', async () => {
    const event: AccountEvent = {
      record_id: 'acc-1', provider: 'okta', instance: 'main', observed_at: T0, kind: 'app_grant',
      subject: { type: 'user', id: '00u1', email: 'Zoë@Example.com', name: "O'Brien" },
      status: 'active', status_raw: 'ACTIVE', created_at: T0 - 86_400_000, last_login_at: null,
      group: null, privilege: { id: 'ra1', name: 'Super Admin', type: 'SUPER_ADMIN' },
      app: { id: '0oa9', name: 'Slack', scopes: ['okta.users.read', 'okta.groups.manage'] },
      deleted: false, attributes: { login: 'zoe' }, raw: RAW,
    };
    await ch.insert(TABLES.accounts, [accountEventToRow(event)]);
    assert.deepEqual(await ch.query('SELECT * FROM accounts'), [{
      record_id: 'acc-1', provider: 'okta', instance: 'main', observed_at: iso(T0), kind: 'app_grant',
      subject_type: 'user', subject_id: '00u1', subject_email: 'Zoë@Example.com', subject_name: "O'Brien", user_key: 'zoë@example.com',
      status: 'active', status_raw: 'ACTIVE', created_at: iso(T0 - 86_400_000), last_login_at: null,
      group_id: null, group_name: null, privilege_id: 'ra1', privilege_name: 'Super Admin', privilege_type: 'SUPER_ADMIN',
      app_id: '0oa9', app_name: 'Slack', app_scopes: ['okta.users.read', 'okta.groups.manage'],
      deleted: false, attributes: { login: 'zoe' }, raw: RAW,
    }]);
  });

  test('a file event round-trips through the files columns', async () => {
    const event: FileEvent = {
      record_id: 'file-1', provider: 'box', instance: 'eu', observed_at: T0, change: 'updated',
      file: {
        id: 'f1', name: 'Q3 "plan".xlsx', path: '/Finance/Zürich', mime_type: 'application/vnd.ms-excel', size: 5_000_000_000,
        owner: { id: 'u1', email: 'owner@example.com', name: 'Owner' }, created_at: T0 - 1000, modified_at: T0,
        access_level: 'external',
        collaborators: [{ type: 'user', id: null, email: 'friend@gmail.com', role: 'editor' }, { type: 'anyone', id: null, email: null, role: 'viewer' }],
        label: null, url: 'https://app.example/f/1',
      },
      attributes: { sha1: 'abc' }, raw: RAW,
    };
    await ch.insert(TABLES.files, [fileEventToRow(event)]);
    assert.deepEqual(await ch.query('SELECT * FROM files'), [{
      record_id: 'file-1', provider: 'box', instance: 'eu', observed_at: iso(T0), change: 'updated',
      file_id: 'f1', name: 'Q3 "plan".xlsx', path: '/Finance/Zürich', mime_type: 'application/vnd.ms-excel', size: 5_000_000_000,
      owner_id: 'u1', owner_email: 'owner@example.com', owner_name: 'Owner', created_at: iso(T0 - 1000), modified_at: iso(T0),
      access_level: 'external', collaborator_types: ['user', 'anyone'], collaborator_ids: [null, null],
      collaborator_emails: ['friend@gmail.com', null], collaborator_roles: ['editor', 'viewer'],
      label: null, url: 'https://app.example/f/1', attributes: { sha1: 'abc' }, raw: RAW,
    }]);
  });

  test('alerts and governance results round-trip', async () => {
    const alert: Alert = {
      alert_id: 'al-1', policy_id: 'failed-logins', policy_version: 3, title: "5 failed logins for O'Brien", severity: 'high',
      created_at: T0, first_seen: T0 - 60_000, last_seen: T0, count: 5, dedup_key: 'failed-logins|zoe',
      provider: 'okta', instance: 'main', actor: { id: '00u1', email: 'z@example.com', name: null, type: 'user' },
      event_ids: ['ev-1', 'ev-2'], status: 'open', attributes: { threshold: '5' },
    };
    const result: GovernanceResult = {
      command_id: 'cmd-1', status: 'failed', provider: 'okta', instance: 'main', action: 'suspend_user',
      target: { type: 'user', id: '00u1', name: 'z@example.com' }, attempt: 2, at: T0, message: 'HTTP 503 "busy"', retriable: true,
    };
    await ch.insert(TABLES.alerts, [alertToRow(alert)]);
    await ch.insert(TABLES.governanceLog, [governanceResultToRow(result)]);
    assert.deepEqual(await ch.query('SELECT * FROM alerts'), [{
      alert_id: 'al-1', policy_id: 'failed-logins', policy_version: 3, title: "5 failed logins for O'Brien", severity: 'high',
      created_at: iso(T0), first_seen: iso(T0 - 60_000), last_seen: iso(T0), count: 5, dedup_key: 'failed-logins|zoe',
      provider: 'okta', instance: 'main', actor_id: '00u1', actor_email: 'z@example.com', actor_name: null, actor_type: 'user',
      event_ids: ['ev-1', 'ev-2'], status: 'open', attributes: { threshold: '5' },
    }]);
    assert.deepEqual(await ch.query('SELECT * FROM governance_log'), [{
      command_id: 'cmd-1', status: 'failed', provider: 'okta', instance: 'main', action: 'suspend_user',
      target_type: 'user', target_id: '00u1', target_name: 'z@example.com', attempt: 2, at: iso(T0), message: 'HTTP 503 "busy"', retriable: true,
    }]);
  });
});

describe('governance commands', () => {
  test('a command round-trips, and the same command delivered again (an approval) collapses under FINAL', async () => {
    const ch = await freshDatabase();
    const command: GovernanceCommand = {
      command_id: 'cmd-1', created_at: T0, provider: 'okta', instance: 'main', action: 'remove_from_group',
      target: { type: 'user', id: '00u1', name: null }, params: { group_id: '00g1', note: "it's \"urgent\"" },
      policy_id: null, alert_id: 'al-1', requested_by: 'user:ana', mode: 'enforce', requires_approval: true,
    };
    await ch.insert(TABLES.governanceCommands, [governanceCommandToRow(command)]);
    await ch.insert(TABLES.governanceCommands, [governanceCommandToRow(command)]);
    assert.deepEqual(await ch.query('SELECT * FROM governance_commands FINAL'), [{
      command_id: 'cmd-1', created_at: iso(T0), provider: 'okta', instance: 'main', action: 'remove_from_group',
      target_type: 'user', target_id: '00u1', target_name: null, params: { group_id: '00g1', note: "it's \"urgent\"" },
      policy_id: null, alert_id: 'al-1', requested_by: 'user:ana', mode: 'enforce', requires_approval: true,
    }]);
  });
});

describe('replays', () => {
  test('the same batch inserted twice with the same dedup token is stored once', async () => {
    const ch = await freshDatabase();
    // Background merges would collapse the copies too and hide a failed deduplication.
    await ch.exec(`SYSTEM STOP MERGES ${TABLES.activities}`);
    const batch = Array.from({ length: 500 }, (_, i) => auditEventToRow(auditEvent({ event_id: `ev-${i}`, occurred_at: T0 + i })));
    await ch.insert(TABLES.activities, batch, { dedupToken: 'audit-0:0-499' });
    await ch.insert(TABLES.activities, batch, { dedupToken: 'audit-0:0-499' });
    assert.deepEqual(await ch.query('SELECT count() AS n, uniqExact(event_id) AS ids FROM activities'), [{ n: 500, ids: 500 }]);
  });

  test('an event written in two different blocks counts once under FINAL, keeping the latest ingestion', async () => {
    const ch = await freshDatabase();
    await ch.exec(`SYSTEM STOP MERGES ${TABLES.activities}`);
    const first = auditEvent({ event_id: 'ev-replayed', ingested_at: T0 + 1_000 });
    const again = auditEvent({ event_id: 'ev-replayed', ingested_at: T0 + 9_000 });
    await ch.insert(TABLES.activities, [auditEventToRow(first), auditEventToRow(auditEvent({ event_id: 'ev-a' }))], { dedupToken: 'audit-0:0-1' });
    await ch.insert(TABLES.activities, [auditEventToRow(auditEvent({ event_id: 'ev-b' })), auditEventToRow(again)], { dedupToken: 'audit-0:2-3' });
    assert.deepEqual(await ch.query('SELECT count() AS n FROM activities'), [{ n: 4 }]);
    assert.deepEqual(await ch.query('SELECT count() AS n FROM activities FINAL'), [{ n: 3 }]);
    assert.deepEqual(
      await ch.query('SELECT ingested_at FROM activities FINAL WHERE event_id = {id:String}', { id: 'ev-replayed' }),
      [{ ingested_at: iso(T0 + 9_000) }],
    );
  });

  test('account and file states collapse to the latest observation', async () => {
    const ch = await freshDatabase();
    const account = (observed_at: number, status: AccountEvent['status']): AccountEvent => ({
      record_id: 'acc-1', provider: 'okta', instance: 'main', observed_at, kind: 'user',
      subject: { type: 'user', id: '00u1', email: 'a@example.com', name: null }, status, status_raw: null,
      created_at: null, last_login_at: null, group: null, privilege: null, app: null, deleted: false, attributes: {}, raw: '{}',
    });
    await ch.insert(TABLES.accounts, [accountEventToRow(account(T0 + 10, 'suspended'))]);
    await ch.insert(TABLES.accounts, [accountEventToRow(account(T0, 'active'))]);
    assert.deepEqual(await ch.query('SELECT status FROM accounts FINAL'), [{ status: 'suspended' }]);

    const file = (observed_at: number, change: FileEvent['change']): FileEvent => ({
      record_id: 'file-1', provider: 'dropbox', instance: 'main', observed_at, change,
      file: {
        id: 'id:abc', name: 'a.txt', path: null, mime_type: null, size: null, owner: null, created_at: null, modified_at: null,
        access_level: 'private', collaborators: [], label: null, url: null,
      },
      attributes: {}, raw: '{}',
    });
    await ch.insert(TABLES.files, [fileEventToRow(file(T0, 'seen')), fileEventToRow(file(T0 + 20, 'deleted'))]);
    await ch.insert(TABLES.files, [fileEventToRow(file(T0 + 10, 'updated'))]);
    assert.deepEqual(await ch.query('SELECT change, owner_id, collaborator_roles FROM files FINAL'), [{ change: 'deleted', owner_id: null, collaborator_roles: [] }]);
  });
});

describe('databases', () => {
  test('two databases in one process keep their trails apart', async () => {
    const one = await freshDatabase();
    const two = await freshDatabase();
    await one.insert(TABLES.activities, [auditEventToRow(auditEvent({ event_id: 'in-one' }))]);
    await two.insert(TABLES.activities, [auditEventToRow(auditEvent({ event_id: 'in-two' }))]);
    assert.deepEqual(await one.query('SELECT event_id FROM activities'), [{ event_id: 'in-one' }]);
    assert.deepEqual(await two.query('SELECT event_id FROM activities'), [{ event_id: 'in-two' }]);
  });
});
