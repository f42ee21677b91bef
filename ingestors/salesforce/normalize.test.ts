import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { runNormalize } from '../../cli/normalize.js';
import { isAppwardenError } from '../../core/errors.js';
import { assertGoldenJson } from '../../test/golden.js';
import { activityNormalizers } from '../registry.js';
import { CsvParser, csvRows } from './csv.js';
import { salesforceUnknownEventType, setupActionMapping } from './event-types.js';
import { normalizeSalesforceActivity } from './normalize-activity.js';

const here = new URL('./testdata/', import.meta.url);
const ctx = { instance: 'default', ingestedAt: Date.parse('2024-01-02T03:04:05.006Z') };
const sample = (file: string) => readFileSync(new URL(`samples/${file}`, here), 'utf8');
const lines = (file: string) => sample(file).split('\n').filter((l) => l.trim() !== '');
const golden = (name: string) => new URL(`golden/${name}`, here).pathname;

/** The sample CSV body read as the connector reads a log file: rows become objects of the header's columns, with the file's context. */
async function csvSampleRows(): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let header: string[] | null = null;
  for await (const cells of csvRows(Readable.from([sample('eventlogfile_login_sample.csv')]))) {
    if (!header) {
      header = cells;
      continue;
    }
    const row: Record<string, unknown> = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    row.attributes = { type: 'EventLogFile', logFileId: 'ZZZ4v000002FFFFFF0', eventType: 'Login', interval: 'Daily', row: out.length + 1 };
    out.push(row);
  }
  return out;
}

describe('Salesforce samples normalize to their golden events', () => {
  const cases: Array<[string, unknown]> = [];
  lines('eventlogfile_rows.jsonl').forEach((l, i) => cases.push([`eventlogfile-row-${i + 1}`, JSON.parse(l)]));
  lines('loginevent_setupaudittrail_objects.jsonl').forEach((l, i) => cases.push([i === 0 ? 'loginevent-1' : 'setupaudittrail-1', JSON.parse(l)]));
  for (const [name, raw] of cases) {
    test(name, () => {
      const event = normalizeSalesforceActivity(raw, ctx);
      assertGoldenJson(golden(`${name}.raw.json`), raw);
      assertGoldenJson(golden(`${name}.expected.json`), event);
    });
  }

  test('the raw log file CSV (every field quoted) read row by row', async () => {
    const rows = await csvSampleRows();
    assert.equal(rows.length, 2);
    const events = rows.map((r) => normalizeSalesforceActivity(r, ctx));
    assertGoldenJson(golden('eventlogfile-csv.expected.json'), events);
    assert.deepEqual(events.map((e) => [e.action, e.outcome, e.source.ip, e.actor.email]), [['login', 'success', '192.0.2.1', 'user@example.org'], ['login', 'success', '192.0.2.1', 'user@example.org']]);
    assert.notEqual(events[0]!.event_id, events[1]!.event_id, 'file id and row number make distinct ids');
  });

  test('a LoginHistory row', () => {
    const raw = { attributes: { type: 'LoginHistory' }, Id: '0Ya000000000001AAA', UserId: '005000000000001AAA', LoginTime: '2024-05-01T10:00:00.000+0000', Status: 'Invalid Password', SourceIp: '81.2.69.160', LoginType: 'Application', Browser: 'Chrome 124' };
    const event = normalizeSalesforceActivity(raw, ctx);
    assertGoldenJson(golden('loginhistory-1.expected.json'), event);
    assert.deepEqual([event.action, event.outcome, event.outcome_reason, event.actor.id], ['login', 'failure', 'Invalid Password', '005000000000001AAA']);
  });

  test('malformed records name the field at fault', () => {
    const fails = (raw: unknown, field: string) => assert.throws(() => normalizeSalesforceActivity(raw, ctx), (e: unknown) => isAppwardenError(e, 'AW_NORMALIZE_FAILED') && e.details.field === field);
    fails({ attributes: { type: 'LoginHistory' }, Id: 'x', LoginTime: 'yesterday' }, 'LoginTime');
    fails({ attributes: { type: 'SetupAuditTrail' }, Action: 'x', CreatedDate: '2024-01-01T00:00:00Z' }, 'Id');
    fails({ EVENT_TYPE: 'URI', TIMESTAMP: 'soon' }, 'TIMESTAMP');
    fails({ hello: 'world' }, 'attributes.type');
  });
});

describe('Salesforce records by what their fields say', () => {
  const stored = (type: string, fields: Record<string, unknown> = {}) => normalizeSalesforceActivity({
    attributes: { type }, EventIdentifier: `${type}-1`, EventDate: '2024-05-01T10:00:00.000Z', UserId: '005A', Username: 'ana@example.com', SourceIp: '203.0.113.9', ...fields,
  }, ctx);

  test('threat detection objects are detections; a report export is a download; an unassigned permission set a revocation', () => {
    const hijack = stored('SessionHijackingEventStore', { SourceIp: undefined, CurrentIp: '198.51.100.7', PreviousIp: '203.0.113.9', Score: 0.97 });
    assert.deepEqual([hijack.source.ip, hijack.attributes.previous_ip, hijack.attributes.score], ['198.51.100.7', '203.0.113.9', '0.97']);
    for (const type of ['SessionHijackingEventStore', 'CredentialStuffingEventStore', 'ApiAnomalyEventStore', 'ReportAnomalyEventStore']) {
      const e = stored(type);
      assert.deepEqual([e.category, e.action, e.class_uid], ['security', 'threat_detected', 2004], type);
    }
    assert.deepEqual([stored('ReportEvent', { Operation: 'ReportExported', ReportId: '00O1' }).action, stored('ReportEvent', { Operation: 'ReportRunFromLightning' }).action], ['file_download', 'record_view']);
    assert.equal(stored('PermissionSetEventStore', { Operation: 'UnassignedFromUsers' }).action, 'privilege_revoke');
    assert.equal(stored('FileEventStore', { FileAction: 'Preview', DocumentId: '069A' }).action, 'file_view');
    assert.equal(stored('LoginEventStream', { Status: 'Success' }).action, 'login', 'a streamed platform event maps as its stored object');
  });

  test('a type of no table gets category other, keeps its name in action_raw, and is counted under it', () => {
    const e = stored('BrandNewEventStore', { Operation: 'Something' });
    assert.deepEqual([e.category, e.action, e.action_raw], ['other', 'other', 'BrandNewEventStore:Something']);
    assert.equal(salesforceUnknownEventType(e), 'BrandNewEventStore');
    assert.equal(salesforceUnknownEventType(stored('LoginEvent', { Status: 'Success' })), null);
  });

  test('Setup Audit Trail actions: each rule by its words, the rest settings changes', () => {
    const action = (a: string) => setupActionMapping(a).action;
    assert.deepEqual(['unfrozeuser', 'frozeuser', 'PermSetUnassign', 'PermSetAssign', 'changedPasswordPolicy', 'changedpassword', 'deleteConnectedApplication', 'changedsessiontimeout', 'createdcustomfield'].map(action),
      ['user_unsuspend', 'user_suspend', 'privilege_revoke', 'privilege_grant', 'policy_change', 'password_change', 'app_revoke', 'policy_change', 'settings_change']);
  });
});

describe('the streaming CSV parser', () => {
  test('quotes, doubled quotes, line breaks inside quotes and CRLF, whatever the chunk boundaries', () => {
    const text = '"A","B"\r\n"x,1","he said ""hi"""\r\n"multi\nline",""\r\nplain,3\n';
    const want = [['A', 'B'], ['x,1', 'he said "hi"'], ['multi\nline', ''], ['plain', '3']];
    for (let size = 1; size <= text.length; size++) {
      const parser = new CsvParser();
      const rows: string[][] = [];
      for (let i = 0; i < text.length; i += size) rows.push(...parser.push(text.slice(i, i + size)));
      const last = parser.end();
      if (last) rows.push(last);
      assert.deepEqual(rows, want, `chunks of ${size}`);
    }
  });
});

describe('appwarden normalize --provider salesforce', () => {
  test('accepts a line of each record type the connector reads', async () => {
    const input = [
      JSON.stringify({ attributes: { type: 'LoginHistory' }, Id: '0Ya000000000001AAA', UserId: '005000000000001AAA', LoginTime: '2024-05-01T10:00:00.000+0000', Status: 'Success' }),
      lines('loginevent_setupaudittrail_objects.jsonl')[1]!, // SetupAuditTrail
      lines('loginevent_setupaudittrail_objects.jsonl')[0]!, // LoginEvent (Real-Time Event Monitoring)
      lines('eventlogfile_rows.jsonl')[1]!, // an EventLogFile CSV row as an object with its EVENT_TYPE
    ].join('\n');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    stdout.on('data', (c: Buffer) => out.push(c));
    const code = await runNormalize(['--provider', 'salesforce'], { stdin: Readable.from([input]), stdout, stderr }, activityNormalizers(), { now: () => ctx.ingestedAt });
    assert.equal(code, 0);
    const events = Buffer.concat(out).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { action_raw: string; category: string });
    assert.deepEqual(events.map((e) => [e.action_raw, e.category]), [['LoginHistory', 'logon'], ['insertConnectedApplication', 'admin'], ['LoginEvent', 'logon'], ['ApexRestApi', 'app']]);
  });
});
