import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { runNormalize } from '../../cli/normalize.js';
import { activityNormalizers } from '../registry.js';

const GOLDEN = new URL('./testdata/golden/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');
const names = readdirSync(GOLDEN).filter((f) => f.endsWith('.raw.json')).sort().map((f) => f.slice(0, -'.raw.json'.length));

async function run(args: string[], input: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.out.push(c));
  stderr.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await runNormalize(args, { stdin: Readable.from([input]), stdout, stderr }, activityNormalizers(), { now: () => INGESTED_AT });
  const split = (b: Buffer[]) => Buffer.concat(b).toString('utf8').split('\n').filter((l) => l !== '');
  return { code, stdout: split(chunks.out), stderr: split(chunks.err) };
}

describe('appwarden normalize --provider aws', () => {
  test('reads one CloudTrail record (the CloudTrailEvent object) a line and writes the golden events, in input order', async () => {
    // Each line is the record's text as the golden event keeps it in `raw`.
    const lines = names.map((name) => (JSON.parse(readFileSync(new URL(`${name}.expected.json`, GOLDEN), 'utf8')) as { raw: string }).raw);
    const { code, stdout, stderr } = await run(['--provider', 'aws', '--instance', 'default'], `${lines.join('\n')}\n`);
    assert.equal(code, 0, stderr.join('\n'));
    // The golden files hold the event as the normalizer returns it (times in epoch ms); the CLI writes times as ISO text.
    const expected = names.map((name) => {
      const event = JSON.parse(readFileSync(new URL(`${name}.expected.json`, GOLDEN), 'utf8')) as Record<string, unknown>;
      return { ...event, occurred_at: new Date(event.occurred_at as number).toISOString(), ingested_at: new Date(event.ingested_at as number).toISOString() };
    });
    assert.deepEqual(stdout.map((l) => JSON.parse(l)), expected);
  });

  test('a record without eventTime is reported with its line number and field; the others still come out', async () => {
    const [first, second] = names.map((name) => JSON.parse(readFileSync(new URL(`${name}.raw.json`, GOLDEN), 'utf8')) as Record<string, unknown>);
    const { eventTime: _dropped, ...broken } = second!;
    const { code, stdout, stderr } = await run(['--provider', 'aws'], [JSON.stringify(first), JSON.stringify(broken)].join('\n'));
    assert.equal(code, 1);
    assert.equal(stdout.length, 1);
    assert.match(stderr[0]!, /^line 2: .*eventTime/);
  });
});
