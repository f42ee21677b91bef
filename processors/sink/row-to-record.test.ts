import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { FULL_RECORDS } from '../../schemas/testdata/sample-records.js';
import type { AccountEvent, AuditEvent, FileEvent } from '../../schemas/types.js';
import { freshName } from '../../test/support/fresh.js';
import { testDataDir, testLog } from '../../test/support/stack.js';
import {
  ACCOUNT_EVENT_COLUMNS, accountRowToAccountEvent, activityRowToAuditEvent, AUDIT_EVENT_COLUMNS, FILE_EVENT_COLUMNS, fileRowToFileEvent,
  type StoredAccountRow, type StoredActivityRow, type StoredFileRow,
} from './row-to-record.js';
import { accountEventToRow, auditEventToRow, ensureTables, fileEventToRow, TABLES } from './tables.js';

let clickhouse: ClickHouse;

before(async () => {
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('row_record'), log: testLog });
  await ensureTables(clickhouse);
});

after(async () => {
  await clickhouse?.close();
});

// A sparse event: nulls everywhere they are allowed, no targets, no attributes.
const SPARSE_AUDIT: AuditEvent = {
  ...FULL_RECORDS['audit-event'],
  event_id: 'ffffffffffffffffffffffffffffffff',
  outcome_reason: null, severity: null,
  actor: { id: null, email: null, name: null, type: 'unknown' },
  targets: [{ type: 'other', type_raw: null, id: null, name: null, email: null }],
  source: { ip: null, user_agent: null, country: null, city: null },
  session_id: null, request_id: null, attributes: {},
};
const SPARSE_FILE: FileEvent = {
  ...FULL_RECORDS['file-event'],
  record_id: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
  file: { ...FULL_RECORDS['file-event'].file, id: 'f-2', path: null, mime_type: null, size: null, owner: null, created_at: null, modified_at: null, collaborators: [], label: null, url: null },
};
const SPARSE_ACCOUNT: AccountEvent = {
  ...FULL_RECORDS['account-event'],
  record_id: 'dddddddddddddddddddddddddddddddd',
  kind: 'user', status: null, status_raw: null, created_at: null, last_login_at: null, group: null, privilege: null, app: null, deleted: false,
};

test('an audit event written to activities reads back as the same event', async () => {
  const events = [FULL_RECORDS['audit-event'], SPARSE_AUDIT];
  await clickhouse.insert(TABLES.activities, events.map(auditEventToRow));
  const rows = await clickhouse.query<StoredActivityRow>(`SELECT ${AUDIT_EVENT_COLUMNS} FROM activities FINAL ORDER BY event_id`);
  assert.deepEqual(rows.map(activityRowToAuditEvent), events);
});

test('a file event written to files reads back as the same event', async () => {
  const events = [FULL_RECORDS['file-event'], SPARSE_FILE];
  await clickhouse.insert(TABLES.files, events.map(fileEventToRow));
  const rows = await clickhouse.query<StoredFileRow>(`SELECT ${FILE_EVENT_COLUMNS} FROM files FINAL ORDER BY record_id`);
  assert.deepEqual(rows.map(fileRowToFileEvent), events);
});

test('an account event written to accounts reads back as the same event', async () => {
  const events = [SPARSE_ACCOUNT, FULL_RECORDS['account-event']];
  await clickhouse.insert(TABLES.accounts, events.map(accountEventToRow));
  const rows = await clickhouse.query<StoredAccountRow>(`SELECT ${ACCOUNT_EVENT_COLUMNS} FROM accounts FINAL ORDER BY record_id`);
  assert.deepEqual(rows.map(accountRowToAccountEvent), events);
});
