import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { runNormalize } from '../../cli/normalize.js';
import { activityNormalizers } from '../registry.js';
import { sampleEvents } from './testdata/sample-events.js';

const here = new URL('./testdata/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');

async function run(args: string[], input: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.out.push(c));
  stderr.on('data', (c: Buffer) => chunks.err.push(c));
  // Exactly what `appwarden normalize` uses: every registered connector's normalizer.
  const code = await runNormalize(args, { stdin: Readable.from([input]), stdout, stderr }, activityNormalizers(), { now: () => INGESTED_AT });
  const split = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8').split('\n').filter((l) => l !== '');
  return { code, stdout: split(chunks.out), stderr: split(chunks.err) };
}

describe('appwarden normalize --provider dropbox', () => {
  test('normalizes every sample event to its golden event', async () => {
    const samples = sampleEvents();
    const { code, stdout, stderr } = await run(['--provider', 'dropbox'], samples.map((s) => s.line).join('\n'));
    assert.deepEqual(stderr, []);
    assert.equal(code, 0);
    assert.equal(stdout.length, samples.length);
    samples.forEach(({ name }, i) => {
      const golden = JSON.parse(readFileSync(new URL(`golden/${name}.expected.json`, here), 'utf8'));
      assert.deepEqual(JSON.parse(stdout[i]!), golden, `output line ${i + 1} (${name})`);
    });
  });

  test('a broken line is reported with its number and the field, the others are normalized, and the exit code is 1', async () => {
    const [first, second] = sampleEvents();
    const xsiam = readFileSync(new URL('samples/team_events_xsiam_timestamp.jsonl', here), 'utf8').trim();
    const { code, stdout, stderr } = await run(['--provider', 'dropbox', '--instance', 'eu'], [first!.line, xsiam, '{"timestamp":"2024-01-01T00:00:00Z"}', second!.line].join('\n'));
    assert.equal(code, 1);
    assert.equal(stdout.length, 2);
    assert.equal(JSON.parse(stdout[0]!).instance, 'eu');
    assert.match(stderr[0]!, /^line 2: .*\(field: timestamp\)$/);
    assert.match(stderr[1]!, /^line 3: .*\(field: event_type\)$/);
    assert.equal(stderr[2], '2 records normalized, 2 failed');
  });
});
