import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { runNormalize, type AuditNormalizer } from '../../cli/normalize.js';
import { activityNormalizers } from '../registry.js';

const SAMPLES = new URL('./testdata/samples/enterprise_events.jsonl', import.meta.url);
const GOLDEN = new URL('./testdata/golden/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');
const lines = readFileSync(SAMPLES, 'utf8').split('\n').filter((l) => l.trim() !== '');
const normalizers: Record<string, AuditNormalizer> = activityNormalizers();

async function run(args: string[], input: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.out.push(c));
  stderr.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await runNormalize(args, { stdin: Readable.from([input]), stdout, stderr }, normalizers, { now: () => INGESTED_AT });
  const split = (b: Buffer[]) => Buffer.concat(b).toString('utf8').split('\n').filter((l) => l !== '');
  return { code, stdout: split(chunks.out), stderr: split(chunks.err) };
}

describe('appwarden normalize --provider box', () => {
  test('writes one line per enterprise event, equal to the golden events, in input order', async () => {
    const { code, stdout, stderr } = await run(['--provider', 'box'], `${lines.join('\n')}\n`);
    assert.equal(code, 0, stderr.join('\n'));
    const expected = lines.map((line, i) => {
      const name = `${String(i + 1).padStart(2, '0')}-${JSON.parse(line).event_type}.expected.json`;
      return JSON.parse(readFileSync(new URL(name, GOLDEN), 'utf8')) as unknown;
    });
    assert.deepEqual(stdout.map((l) => JSON.parse(l)), expected);
  });

  test('a broken line is reported with its number and field; the others still come out', async () => {
    const broken = JSON.stringify({ ...JSON.parse(lines[1]!), created_at: 'soon' });
    const { code, stdout, stderr } = await run(['--provider', 'box', '--instance', 'emea'], [lines[0], broken, lines[2]].join('\n'));
    assert.equal(code, 1);
    assert.equal(stdout.length, 2);
    assert.equal(JSON.parse(stdout[0]!).instance, 'emea');
    assert.match(stderr[0]!, /^line 2: .*\(field: created_at\)$/);
  });
});
