import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { normalizeOktaLogEvent } from '../ingestors/okta/normalize-activity.js';
import { runNormalize } from './normalize.js';

const SAMPLES = new URL('../ingestors/okta/testdata/samples/system_log_events.jsonl', import.meta.url);
const GOLDEN = new URL('../ingestors/okta/testdata/golden/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');
const normalizers = { okta: normalizeOktaLogEvent };
const sampleLines = readFileSync(SAMPLES, 'utf8').split('\n').filter((l) => l.trim() !== '');

interface Run { code: number; stdout: string[]; stderr: string[] }

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

async function run(args: string[], input: string): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await runNormalize(args, { stdin: Readable.from([input]), stdout, stderr }, normalizers, { now: () => INGESTED_AT });
  const lines = (text: string) => text.split('\n').filter((l) => l !== '');
  return { code, stdout: lines(out()), stderr: lines(err()) };
}

describe('appwarden normalize', () => {
  test('normalizes the real Okta samples, reports broken lines with their number, and exits 1', async () => {
    const missingUuid = JSON.stringify({ ...JSON.parse(sampleLines[0]!), uuid: undefined });
    const input = [
      sampleLines[0], sampleLines[1], '', '{"this is": not json', ...sampleLines.slice(2), '   ', missingUuid, '[1,2]',
    ].join('\n');
    const { code, stdout, stderr } = await run(['--provider', 'okta'], `${input}\n`);

    assert.equal(code, 1);
    assert.equal(stdout.length, sampleLines.length, 'one output line per good input line');
    const brokenJsonLine = 4;
    const missingUuidLine = 5 + sampleLines.length - 2 + 1;
    assert.match(stderr[0]!, new RegExp(`^line ${brokenJsonLine}: not JSON: `));
    assert.match(stderr[1]!, new RegExp(`^line ${missingUuidLine}: .*uuid.*\\(field: uuid\\)$`));
    assert.match(stderr[2]!, new RegExp(`^line ${missingUuidLine + 1}: .*\\(field: \\(record\\)\\)$`));
    assert.equal(stderr[3], `${sampleLines.length} records normalized, 3 failed`);
    assert.equal(stderr.length, 4);

    // Each output line is the golden normalized event of its sample, in input order.
    sampleLines.forEach((line, i) => {
      const eventType = JSON.parse(line).eventType;
      const golden = JSON.parse(readFileSync(new URL(`${String(i + 1).padStart(2, '0')}-${eventType}.expected.json`, GOLDEN), 'utf8'));
      assert.deepEqual(JSON.parse(stdout[i]!), golden, `output line ${i + 1}`);
    });
  });

  test('output uses Avro field names and ISO 8601 UTC times, and keeps the raw line byte for byte', async () => {
    const { code, stdout, stderr } = await run(['--provider=okta', '--instance', 'emea'], sampleLines.join('\r\n'));
    assert.equal(code, 0);
    assert.deepEqual(stderr, []);
    const first = JSON.parse(stdout[0]!);
    assert.equal(first.instance, 'emea');
    assert.equal(first.occurred_at, '2020-05-01T10:20:22.243Z');
    assert.equal(first.ingested_at, '2024-01-02T03:04:05.006Z');
    assert.equal(first.raw, sampleLines[0]);
    assert.equal(first.action_raw, 'user.session.start');
  });

  test('usage errors exit 2 and name the known providers', async () => {
    const missing = await run([], '');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr.join('\n'), /--provider is required; known providers: okta/);

    const unknown = await run(['--provider', 'nosuch'], '');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr.join('\n'), /unknown provider "nosuch"; known providers: okta/);

    const badOption = await run(['--provider', 'okta', '--bogus'], '');
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr.join('\n'), /usage: appwarden normalize/);

    const help = await run(['--help'], '');
    assert.equal(help.code, 0);
    assert.match(help.stdout.join('\n'), /usage: appwarden normalize/);
  });

  test('empty input is fine', async () => {
    const { code, stdout, stderr } = await run(['--provider', 'okta'], '\n\n');
    assert.deepEqual([code, stdout, stderr], [0, [], []]);
  });

  test('a closed stdout (EPIPE) stops the run quietly instead of crashing or hanging', async () => {
    let writes = 0;
    const stdout = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, cb) {
        writes++;
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stderr = new PassThrough();
    const err = collect(stderr);
    const input = Array.from({ length: 5000 }, (_, i) => sampleLines[i % sampleLines.length]).join('\n');
    const code = await runNormalize(['--provider', 'okta'], { stdin: Readable.from([input]), stdout, stderr }, normalizers);
    assert.equal(code, 0);
    assert.ok(writes < 10, `stopped writing after the pipe closed (${writes} writes)`);
    assert.equal(err(), '');
  });
});
