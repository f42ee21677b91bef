import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { runNormalize, type AuditNormalizer } from '../../cli/normalize.js';
import { activityNormalizers } from '../registry.js';

const SAMPLES = new URL('./testdata/samples/reports_activities.jsonl', import.meta.url);
const GOLDEN = new URL('./testdata/golden/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');
const lines = readFileSync(SAMPLES, 'utf8').split('\n').filter((l) => l.trim() !== '');
// What `appwarden normalize` uses: every registered definition's normalizeActivity (the activity pollers' normalizer).
const normalizers: Record<string, AuditNormalizer> = activityNormalizers();

function collect(stream: PassThrough): () => string[] {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
}

async function run(args: string[], input: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await runNormalize(args, { stdin: Readable.from([input]), stdout, stderr }, normalizers, { now: () => INGESTED_AT });
  return { code, stdout: out(), stderr: err() };
}

describe('appwarden normalize --provider google_workspace', () => {
  test('writes one line per event of each activity, equal to the golden events, in input order', async () => {
    const { code, stdout, stderr } = await run(['--provider', 'google_workspace'], `${lines.join('\n')}\n`);
    assert.equal(code, 0, stderr.join('\n'));
    assert.deepEqual(stderr, []);
    const expected = lines.flatMap((line, i) => {
      const raw = JSON.parse(line);
      const name = `${String(i + 1).padStart(2, '0')}-${raw.id.applicationName}-${raw.events[0].name}.expected.json`;
      return JSON.parse(readFileSync(new URL(name, GOLDEN), 'utf8')) as unknown[];
    });
    assert.equal(stdout.length, expected.length);
    assert.ok(stdout.length > lines.length, 'activities with several events give several lines');
    assert.deepEqual(stdout.map((l) => JSON.parse(l)), expected);
  });

  test('a broken line is reported with its number and field; the others still come out', async () => {
    const broken = JSON.stringify({ ...JSON.parse(lines[1]!), id: { applicationName: 'login', uniqueQualifier: '1' } });
    const { code, stdout, stderr } = await run(['--provider', 'google_workspace', '--instance', 'emea'], [lines[1], broken, '{nope', lines[3]].join('\n'));
    assert.equal(code, 1);
    assert.equal(stdout.length, 2);
    assert.equal(JSON.parse(stdout[0]!).instance, 'emea');
    assert.match(stderr[0]!, /^line 2: .*\(field: id\.time\)$/);
    assert.match(stderr[1]!, /^line 3: not JSON/);
    assert.equal(stderr[2], '2 records normalized, 2 failed');
  });

  test('the provider is listed among the known ones', async () => {
    const { code, stderr } = await run(['--provider', 'nosuch'], '');
    assert.equal(code, 2);
    assert.match(stderr.join('\n'), /known providers: .*google_workspace/);
  });
});
