import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { runNormalize } from '../../cli/normalize.js';
import { activityNormalizers } from '../registry.js';

const here = new URL('./testdata/', import.meta.url);
const normalizers = activityNormalizers();

async function run(args: string[], input: string): Promise<{ code: number; stdout: Array<Record<string, any>>; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runNormalize(args, { stdin: Readable.from([input]), stdout, stderr }, normalizers, { now: () => 0 });
  return { code, stdout: Buffer.concat(out).toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)), stderr: Buffer.concat(err).toString('utf8') };
}

describe('appwarden normalize --provider servicenow', () => {
  test('accepts a row of each activity table the connector reads, and the samples', async () => {
    const rows = [
      { sys_id: '1'.repeat(32), name: 'login', parm1: 'beth.anderson', parm2: '10.0.0.1', queue: '', sys_created_on: '2024-05-01 08:00:00' },
      { sys_id: '2'.repeat(32), tablename: 'sys_user', fieldname: 'locked_out', oldvalue: 'false', newvalue: 'true', documentkey: '9'.repeat(32), user: 'admin', sys_created_on: '2024-05-01 08:00:01' },
      { sys_id: '3'.repeat(32), url: '/incident_list.do', type: 'list', sys_created_by: 'beth.anderson', sys_created_on: '2024-05-01 08:00:02' },
    ];
    const samples = readFileSync(new URL('samples/table_api_records.jsonl', here), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(1);
    const { code, stdout, stderr } = await run(['--provider', 'servicenow', '--instance', 'prod'], [...rows.map((r) => JSON.stringify(r)), ...samples].join('\n'));
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.deepEqual(stdout.map((e) => [e.action_raw, e.action, e.outcome]), [
      ['login', 'login', 'success'], ['sys_user.locked_out', 'account_lock', 'success'], ['transaction:list', 'record_view', 'unknown'],
      ['test_table.DELETED', 'other', 'success'], ['test_table.DELETED', 'other', 'success'], ['outbound_http:POST', 'other', 'success'],
    ]);
    assert.equal(stdout[0]!.actor.name, 'beth.anderson');
  });

  test('--stream and --time-zone say what the rows do not: their table and the zone of their times', async () => {
    const row = { sys_id: '4'.repeat(32), url: '/api/now/table/incident', type: 'rest', sys_created_by: 'beth.anderson', sys_created_on: '2024-05-01 10:00:02' };
    const { code, stdout, stderr } = await run(['--provider', 'servicenow', '--stream', 'syslog_transaction', '--time-zone', 'Europe/Paris'], JSON.stringify(row));
    assert.deepEqual([code, stderr], [0, '']);
    assert.equal(stdout[0]!.occurred_at, '2024-05-01T08:00:02.000Z', 'read in its zone (CEST, UTC+2)');
    assert.deepEqual(JSON.parse(stdout[0]!.raw), row, 'the raw record as given');
    const bad = await run(['--provider', 'servicenow', '--time-zone', 'Mars/Olympus'], JSON.stringify(row));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--time-zone "Mars\/Olympus" is not an IANA time zone/);
  });

  test('a row of no known table is reported with the field, the others go on', async () => {
    const { code, stdout, stderr } = await run(['--provider', 'servicenow'], ['{"sys_id":"x","colour":"red"}', '{"sys_id":"y","name":"logout","parm1":"a","sys_created_on":"2024-01-01 00:00:00"}'].join('\n'));
    assert.equal(code, 1);
    assert.equal(stdout.length, 1);
    assert.match(stderr, /\(field: \(table\)\)/);
  });
});
