import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { runNormalize } from '../../cli/normalize.js';
import { activityNormalizers } from '../registry.js';

const here = new URL('./testdata/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');
// Exactly what `appwarden normalize` uses: every registered connector's normalizer.
const normalizers = activityNormalizers();

function lines(file: string): string[] {
  return readFileSync(new URL(`samples/${file}`, here), 'utf8').split('\n').filter((l) => l.trim() !== '');
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

async function run(args: string[], input: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await runNormalize(args, { stdin: Readable.from([input]), stdout, stderr }, normalizers, { now: () => INGESTED_AT });
  const split = (text: string) => text.split('\n').filter((l) => l !== '');
  return { code, stdout: split(out()), stderr: split(err()) };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

describe('appwarden normalize --provider office365', () => {
  test('normalizes both sample shapes (Management API records and Graph audit logs) to their golden events', async () => {
    const management = lines('management_activity_records.jsonl');
    const graph = lines('graph_auditlogs.jsonl');
    const { code, stdout, stderr } = await run(['--provider', 'office365'], [...management, ...graph].join('\n'));
    assert.deepEqual(stderr, []);
    assert.equal(code, 0);
    assert.equal(stdout.length, management.length + graph.length);
    const goldens = [
      ...management.map((l, i) => `management-${String(i + 1).padStart(2, '0')}-${slug(JSON.parse(l).Operation)}`),
      ...graph.map((l, i) => `graph-${String(i + 1).padStart(2, '0')}-${slug(JSON.parse(l).activityDisplayName ?? 'sign-in')}`),
    ];
    goldens.forEach((name, i) => {
      const golden = JSON.parse(readFileSync(new URL(`golden/${name}.expected.json`, here), 'utf8'));
      assert.deepEqual(JSON.parse(stdout[i]!), golden, `output line ${i + 1} (${name})`);
    });
  });

  test('a broken line is reported with its number and the field, the others are normalized, and the exit code is 1', async () => {
    const [first, second] = lines('management_activity_records.jsonl');
    const noTime = JSON.stringify({ ...JSON.parse(first!), CreationTime: undefined });
    const { code, stdout, stderr } = await run(['--provider', 'office365', '--instance', 'emea'], [first, noTime, '{"neither": "shape"}', second].join('\n'));
    assert.equal(code, 1);
    assert.equal(stdout.length, 2);
    assert.equal(JSON.parse(stdout[0]!).instance, 'emea');
    assert.equal(JSON.parse(stdout[0]!).occurred_at, '2019-11-18T10:15:52.000Z', 'CreationTime without a zone is UTC');
    assert.match(stderr[0]!, /^line 2: .*\(field: CreationTime\)$/);
    assert.match(stderr[1]!, /^line 3: .*\(field: \(record\)\)$/);
    assert.equal(stderr[2], '2 records normalized, 2 failed');
  });
});
