import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ProviderCapabilities } from '../processors/policy/capabilities.js';
import { runPolicyCommand } from './policy.js';

const POLICIES = fileURLToPath(new URL('../policies/', import.meta.url));
const CAPABILITIES: ProviderCapabilities = new Map([['okta', new Set(['action:suspend_user'])]]);

interface Run { code: number; stdout: string[]; stderr: string[] }

async function run(args: string[], capabilities?: ProviderCapabilities): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runPolicyCommand(args, { stdout, stderr }, capabilities ? { capabilities } : {});
  const lines = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
  return { code, stdout: lines(out), stderr: lines(err) };
}

function tempFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'aw-policy-cli-')), name);
  writeFileSync(file, text);
  return file;
}

const BROKEN = `id: broken-threshold
name: Broken threshold
kind: activity
severity: medium
detection:
  failed:
    action: login
    outcome: failure
  condition: failed
threshold:
  count: 10
  within: 10m
`;

describe('appwarden policy', () => {
  test('test: every built-in policy\'s inline tests pass, one line per case, exit 0', async () => {
    const { code, stdout, stderr } = await run(['test', POLICIES]);
    assert.deepEqual(stderr, []);
    assert.equal(code, 0, stdout.join('\n'));
    assert.ok(stdout.some((l) => l === `${path.join(POLICIES, 'repeated-failed-logins.yaml')}`));
    assert.ok(stdout.includes('  pass  repeated-failed-logins: ten failures within ten minutes, then a success, raise one alert'));
    assert.equal(stdout.filter((l) => l.includes('FAIL')).length, 0);
    assert.match(stdout.at(-1)!, /^18 policies; \d+ test cases: \d+ passed, 0 failed$/);
  });

  test('test: a failing case prints why, and the command exits 1', async () => {
    const file = tempFile('wrong.yaml', `${BROKEN}  group_by: [actor.email]
tests:
  - name: one failure is expected to fire (wrong)
    events: [{ action: login, outcome: failure, actor: { email: a@example.com } }]
    expect: { alerts: 1 }
  - name: one failure does not fire
    events: [{ action: login, outcome: failure, actor: { email: a@example.com } }]
    expect: { match: false }
`);
    const { code, stdout } = await run(['test', file]);
    assert.equal(code, 1);
    assert.deepEqual(stdout, [
      file,
      '  FAIL  broken-threshold: one failure is expected to fire (wrong)',
      '          expected 1 alert, got 0',
      '  pass  broken-threshold: one failure does not fire',
      '1 policy; 2 test cases: 1 passed, 1 failed',
    ]);
  });

  test('a broken file is refused with its line and field; the valid files beside it still run', async () => {
    const file = tempFile('broken.yaml', BROKEN);
    const good = path.join(POLICIES, 'mass-rename.yaml');
    const { code, stdout, stderr } = await run(['test', file, good]);
    assert.equal(code, 1);
    assert.deepEqual(stderr, [`${file}:10: threshold.group_by: required — a threshold counts per group; name the fields to group by (e.g. [actor.email])`]);
    assert.ok(stdout.includes('  pass  mass-rename: 60 renames in two minutes raise one alert'));
    assert.equal(stdout.at(-1), '1 policy; 2 test cases: 2 passed, 0 failed; 1 problem in 1 refused policy');
  });

  test('validate: lists valid policies and every problem; actions are checked against the connectors\' capabilities', async () => {
    const ok = await run(['validate', path.join(POLICIES, 'mass-rename.yaml')]);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout[0]!, /^ok {4}.*mass-rename\.yaml:2: mass-rename$/);

    const file = tempFile('actions.yaml', `${BROKEN}  group_by: [actor.email]
mode: enforce
providers: [okta, box]
actions:
  - action: suspend_user
`);
    const bad = await run(['validate', file], CAPABILITIES);
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.stderr, [`${file}:17: actions[0].action: action suspend_user: provider box has no connector yet, so it cannot perform it`]);
    assert.deepEqual(bad.stdout, ['0 valid policies, 1 problem']);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['check', POLICIES])).code, 2);
    assert.equal((await run(['test'])).code, 2);
    assert.equal((await run(['test', '--bogus', POLICIES])).code, 2);
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout[0]!, /^usage: appwarden policy test FILES/);
  });
});
