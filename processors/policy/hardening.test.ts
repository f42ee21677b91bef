import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEvent } from '../../schemas/types.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { Evaluator } from './evaluator.js';
import type { LiveSettings } from './evaluation.js';
import { parsePolicyText } from './loader.js';
import { formatProblem } from './problems.js';
import { linearRegex } from './values.js';

const T0 = Date.parse('2024-03-01T10:00:00Z');

function event(i: number, rest: Partial<AuditEvent> = {}): AuditEvent {
  return {
    event_id: `evt-${i}`, provider: 'okta', instance: 'main', occurred_at: T0 + i, ingested_at: T0 + i,
    category: 'logon', action: 'login', action_raw: 'user.session.start', outcome: 'failure', outcome_reason: 'INVALID_CREDENTIALS',
    severity: null, actor: { id: `id-${i % 7}`, email: `user${i % 7}@example.com`, name: null, type: 'user' }, targets: [],
    source: { ip: '203.0.113.7', user_agent: null, country: null, city: null }, session_id: null, request_id: null,
    class_uid: 3002, activity_id: 1, attributes: {}, raw: '{}', ...rest,
  };
}

const policy = (id: string, detection: Record<string, unknown>): CompiledPolicy => compilePolicy({
  id, name: id, kind: 'activity', severity: 'low', detection, alert: { dedup: { key: ['actor.email'], period: '1h' } },
});

describe('regular expressions run in linear time', () => {
  test('^(a|aa)+$ against a long text finishes and answers correctly', () => {
    const test = linearRegex('^(a|aa)+$');
    assert.equal(typeof test, 'function');
    const run = test as (text: string) => boolean;
    assert.equal(run('a'.repeat(50_000)), true);
    assert.equal(run(`${'a'.repeat(50_000)}b`), false);
    // The same pattern in a policy, through the evaluator.
    const evaluator = new Evaluator([policy('redos', { sel: { 'action_raw|re': '^(a|aa)+$' }, condition: 'sel' })]);
    assert.equal(evaluator.process(event(1, { action_raw: `${'a'.repeat(40_000)}!` })).matches.length, 0);
    assert.equal(evaluator.process(event(2, { action_raw: 'a'.repeat(40_000) })).matches.length, 1);
  });

  test('a pattern RE2 cannot run (a backreference, a lookahead) is refused with its field and line', () => {
    const load = parsePolicyText([
      'id: backref',
      'name: Backreference',
      'kind: activity',
      'severity: low',
      'detection:',
      '  sel:',
      "    action_raw|re: '(a+)\\1'",
      "    actor.email|re: '^(?=admin)'",
      '  condition: sel',
    ].join('\n'), 'backref.yaml');
    assert.deepEqual(load.problems.map(formatProblem), [
      'backref.yaml:7: detection.sel.action_raw|re: not a valid regular expression for the linear-time engine (RE2): invalid escape sequence: `\\1` (RE2 has no backreferences or lookaround: they cannot run in linear time)',
      'backref.yaml:8: detection.sel.actor.email|re: not a valid regular expression for the linear-time engine (RE2): invalid or unsupported Perl syntax: `(?=` (RE2 has no backreferences or lookaround: they cannot run in linear time)',
    ]);
  });

  test('globs compile to the same engine: * and ? wildcards, case-insensitive unless cased', () => {
    const evaluator = new Evaluator([policy('glob', { sel: { 'action_raw|glob': 'USER.*.st?rt' }, condition: 'sel' })]);
    assert.equal(evaluator.process(event(1)).matches.length, 1);
    assert.equal(evaluator.process(event(2, { action_raw: 'user.session.end' })).matches.length, 0);
  });
});

describe('YAML documents are bounded', () => {
  test('a billion-laughs document is refused, not expanded', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${prev}`).join(',')}]`);
    }
    lines.push('id: laughs');
    const load = parsePolicyText(lines.join('\n'), 'bomb.yaml');
    assert.equal(load.policies.length, 0);
    assert.equal(load.problems.length, 1);
    assert.match(formatProblem(load.problems[0]!), /^bomb\.yaml:1: \(policy\): refused: Excessive alias count .*\(at most 100 alias expansions\)$/);
  });

  test('aliases that stay under the count but expand past the size bound are refused', () => {
    const big = 'x'.repeat(20_000);
    const text = [`base: &b "${big}"`, `copies: [${Array.from({ length: 60 }, () => '*b').join(', ')}]`, 'id: wide'].join('\n');
    const load = parsePolicyText(text, 'wide.yaml', { maxDocumentBytes: 100_000 });
    assert.match(formatProblem(load.problems[0]!), /aliases expand to more than 4 times the largest document/);
  });

  test('a document over the size limit is refused before it is parsed', () => {
    const load = parsePolicyText(`id: big\nname: "${'x'.repeat(3000)}"\n`, 'big.yaml', { maxDocumentBytes: 2048 });
    assert.match(formatProblem(load.problems[0]!), /^big\.yaml:1: \(policy\): the text is 3017 bytes; a policy document holds at most 2048 \(policies\.maxDocumentBytes\)$/);
  });

  test('inline test events are capped in total', () => {
    const events = Array.from({ length: 600 }, () => ({ action: 'login' }));
    const load = parsePolicyText(JSON.stringify({
      id: 'many-tests', name: 'Many tests', kind: 'activity', severity: 'low',
      detection: { sel: { action: 'login' }, condition: 'sel' },
      tests: [{ name: 'one', events, expect: { alerts: 1 } }, { name: 'two', events, expect: { alerts: 1 } }],
    }), 'tests.json');
    assert.deepEqual(load.problems.map((p) => p.message), ['the inline tests hold 1200 events; at most 1000 in all: keep the cases that say something']);
  });

  test('a notify naming a recipient off the allow-list is refused at its field and line', () => {
    const text = [
      'id: tell', 'name: Tell', 'kind: activity', 'severity: low',
      'detection: { sel: { action: login }, condition: sel }',
      'actions:',
      '  - { action: notify, to: soc@corp.example }',
      '  - { action: notify, to: someone@elsewhere.example }',
    ].join('\n');
    const load = parsePolicyText(text, 'tell.yaml', { allowedRecipients: ['corp.example'] });
    assert.deepEqual(load.problems.map(formatProblem), [
      'tell.yaml:8: actions[1].to: `someone@elsewhere.example` is not on governance.notify.allowedRecipients: notify writes only to the addresses and domains listed there',
    ]);
  });
});

describe('one policy cannot stall or break the others', () => {
  test('a policy that throws on a record does not keep the others from it', () => {
    const good = policy('good', { sel: { action: 'login' }, condition: 'sel' });
    const bad = policy('bad', { sel: { action: 'login' }, condition: 'sel' });
    const broken: CompiledPolicy = { ...bad, test: () => { throw new Error('boom'); } };
    const errors: string[] = [];
    const evaluator = new Evaluator([broken, good], { onPolicyError: (id, err) => errors.push(`${id}: ${(err as Error).message}`) });
    const result = evaluator.process(event(1));
    assert.deepEqual(result.matches.map((m) => m.policy_id), ['good']);
    assert.deepEqual(errors, ['bad: boom']);
  });

  test('a policy over its time budget on N measured records in a row is disabled, with an alert about it', () => {
    // An injected clock: the slow policy's test moves it on by 50 ms, the quick one's by nothing.
    let clock = 0;
    const quick = policy('quick', { sel: { action: 'login' }, condition: 'sel' });
    const slowBase = policy('slow', { sel: { action: 'login' }, condition: 'sel' });
    const slow: CompiledPolicy = { ...slowBase, test: (ctx) => { clock += 50; return slowBase.test(ctx); } };
    const live: LiveSettings = { now: () => T0, maxEventAgeMs: 3_600_000, maxTargetsPerHour: 50, budgetMs: 10, strikes: 3, clock: () => clock, sampleEvery: 1 };
    const evaluator = new Evaluator([slow, quick], { live });
    const notices = [];
    for (let i = 0; i < 5; i++) notices.push(...evaluator.process(event(i)).notices);
    assert.equal(notices.length, 1);
    assert.equal(notices[0]!.kind, 'too_slow');
    assert.equal(notices[0]!.policy_id, 'slow');
    assert.match(notices[0]!.message, /disabled: it took more than its time budget of 10 ms per record on 3 measured records in a row/);
    assert.match(evaluator.statusOf('slow').disabled ?? '', /time budget/);
    assert.equal(evaluator.statusOf('quick').disabled, null);
    // Disabled: the slow policy no longer sees records; the quick one still does.
    const after = evaluator.process(event(9));
    assert.deepEqual(after.matches.map((m) => m.policy_id), ['quick']);
  });
});
