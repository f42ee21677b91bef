import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { ProviderCapabilities } from './capabilities.js';
import { compilePolicy } from './compile.js';
import { loadPolicyFiles, parsePolicyText } from './loader.js';
import { formatProblem } from './problems.js';

/** Capabilities for these tests, independent of which connectors are registered today. */
const CAPABILITIES: ProviderCapabilities = new Map([
  ['okta', new Set(['accounts', 'action:suspend_user', 'action:revoke_sessions'])],
  ['box', new Set(['files:periodic', 'action:remove_public_link'])],
]);

function messages(text: string, file = 'policies/x.yaml'): string[] {
  return parsePolicyText(text, file, { capabilities: CAPABILITIES }).problems.map(formatProblem);
}

const GOOD = `id: okta-failed-logins
name: Failed logins
kind: activity
severity: medium
providers: [okta]
detection:
  failed:
    action: login
    outcome: failure
  condition: failed
`;

describe('loading policy files', () => {
  test('a valid policy loads, with its defaults and the line it starts on', () => {
    const { policies, problems } = parsePolicyText(GOOD, 'policies/x.yaml', { capabilities: CAPABILITIES });
    assert.deepEqual(problems, []);
    assert.equal(policies.length, 1);
    const p = policies[0]!;
    assert.equal(p.line, 1);
    assert.equal(p.compiled.id, 'okta-failed-logins');
    assert.equal(p.compiled.version, 1);
    assert.deepEqual(
      [p.compiled.policy.mode, p.compiled.policy.enabled, p.compiled.policy.alert.title, p.compiled.policy.alert.dedup, p.compiled.policy.alert.daily_limit,
        p.compiled.policy.safety.max_targets_per_hour, p.compiled.policy.auto_disable.max_matches_per_day],
      ['alert', true, 'Failed logins', { key: ['event_id'], period: '1h' }, 100, 10, 200_000],
    );
  });

  test('a threshold without group_by is refused with file, line, field and a sentence', () => {
    const text = `${GOOD}threshold:
  count: 10
  within: 10m
`;
    assert.deepEqual(messages(text), [
      'policies/x.yaml:11: threshold.group_by: required — a threshold counts per group; name the fields to group by (e.g. [actor.email])',
    ]);
  });

  test('every problem of a policy at once, in line order, each at the line of its field', () => {
    const text = [
      /*  1 */ 'id: Bad_Id',
      /*  2 */ 'name: Broken',
      /*  3 */ 'kind: activity',
      /*  4 */ 'severity: mid',
      /*  5 */ 'mode: enforce',
      /*  6 */ 'providers: [box, okta, aws]',
      /*  7 */ 'detection:',
      /*  8 */ '  failed:',
      /*  9 */ '    outcome|equalz: failure',
      /* 10 */ '    actr.email: x',
      /* 11 */ '  condition: failed and not service',
      /* 12 */ 'threshold:',
      /* 13 */ '  count: 0',
      /* 14 */ '  within: 10 minutes',
      /* 15 */ '  group_by: [actor.emal]',
      /* 16 */ 'thresold: 3',
      /* 17 */ 'actions:',
      /* 18 */ '  - action: suspend_user',
      /* 19 */ '  - action: remove_public_link',
      /* 20 */ '  - action: notify',
      /* 21 */ '    to: somebody',
      /* 22 */ 'alert:',
      /* 23 */ '  title: "{{actor.emial}} failed {{count}} times"',
      /* 24 */ 'tests:',
      /* 25 */ '  - name: t',
      /* 26 */ '    events:',
      /* 27 */ '      - { actr: { email: x }, occurred_at: yesterday }',
      /* 28 */ '    expect: { matches: 1 }',
      '',
    ].join('\n');
    assert.deepEqual(messages(text), [
      'policies/x.yaml:1: id: `Bad_Id` must be lower-case letters, digits and dashes (at most 100), e.g. okta-repeated-failed-logins',
      'policies/x.yaml:4: severity: `mid` is not one of low, medium, high, critical',
      'policies/x.yaml:9: detection.failed.outcome|equalz: unknown modifier `equalz`; modifiers are contains, startswith, endswith, re, cidr, exists, gt, gte, lt, lte, glob, all, cased, fieldref, domain, and i, m, s after re',
      'policies/x.yaml:10: detection.failed.actr.email: `actr.email` is not a field of an audit event (activity policy) (did you mean `actor.email`?)',
      'policies/x.yaml:11: detection.condition: unknown selection `service` (column 16); the selections are `failed`',
      'policies/x.yaml:13: threshold.count: must be at least 1',
      'policies/x.yaml:14: threshold.within: `10 minutes` must be a duration: a whole number and s, m, h or d, e.g. 10m or 30d',
      "policies/x.yaml:15: threshold.group_by[0]: `actor.emal` is not a field of activity policies' records (did you mean `actor.email`?)",
      'policies/x.yaml:16: thresold: unknown field; did you mean `threshold`?',
      'policies/x.yaml:18: actions[0].action: action suspend_user: provider box cannot perform it (its connector does not declare action:suspend_user)',
      'policies/x.yaml:18: actions[0].action: action suspend_user: provider aws has no connector yet, so it cannot perform it',
      'policies/x.yaml:19: actions[1].action: remove_public_link acts on a file; `actor` is not one (the default target of this kind): set `target`',
      'policies/x.yaml:19: actions[1].action: action remove_public_link: provider okta cannot perform it (its connector does not declare action:remove_public_link)',
      'policies/x.yaml:19: actions[1].action: action remove_public_link: provider aws has no connector yet, so it cannot perform it',
      'policies/x.yaml:21: actions[2].to: `somebody` is neither an email address nor `actor` (who activity policies can notify)',
      'policies/x.yaml:23: alert.title: `{{actor.emial}}` names no field or variable (did you mean `{{actor.email}}`?)',
      'policies/x.yaml:27: tests[0].events[0].actr: not a field of this record (fields: event_id, provider, instance, occurred_at, ingested_at, category, action, action_raw, outcome, outcome_reason, severity, actor, targets, source, session_id, request_id, class_uid, activity_id, attributes, raw)',
      'policies/x.yaml:27: tests[0].events[0].occurred_at: must be an ISO 8601 time such as 2024-01-01T10:00:00Z',
      'policies/x.yaml:28: tests[0].expect.matches: unknown field; did you mean `match`?',
    ]);
  });

  test('semantic rules: one stateful section, enforce needs an action, actions fit the kind', () => {
    const base = GOOD.replace('providers: [okta]\n', '');
    assert.deepEqual(messages(`${base}mode: enforce
new_value: { field: source.country, group_by: [actor.email], lookback: 30d }
impossible_travel: { group_by: [actor.email] }
`), [
      'policies/x.yaml:10: mode: enforce mode sends governance actions, and this policy has none: add `actions` or use mode alert',
      'policies/x.yaml:12: impossible_travel: use at most one of threshold, new_value and impossible_travel (this policy has new_value and impossible_travel); split it into two policies',
    ]);
    assert.deepEqual(messages(`${base}actions:
  - { action: suspend_user, target: file }
  - { action: suspend_user, target: "target:bucket" }
  - { action: revoke_sessions, to: ana@example.com }
  - { action: deactivate_access_keys }
`), [
      'policies/x.yaml:11: actions[0].target: activity policies act on actor, target:<type>, not `file`',
      'policies/x.yaml:12: actions[1].target: `bucket` is not a target type; types are user, group, app, policy, role, token, url, session, device, file, folder, other',
      'policies/x.yaml:13: actions[2].to: `to` is for notify; other actions name what they act on with `target`',
      'policies/x.yaml:14: actions[3].action: action deactivate_access_keys: no registered connector can perform it',
    ]);
  });

  test('a list of policies: each is checked on its own, problems carry the policy', () => {
    const text = `- ${GOOD.trimEnd().split('\n').join('\n  ')}
- id: second
  name: Second
  kind: file
  severity: low
  detection:
    public: { file.access_level: publik }
    condition: public
`;
    const { policies, problems } = parsePolicyText(text, 'list.yaml', { capabilities: CAPABILITIES });
    assert.deepEqual(policies.map((p) => [p.compiled.id, p.line]), [['okta-failed-logins', 1]]);
    assert.deepEqual(problems.map(formatProblem), [
      'list.yaml:16: detection.public.file.access_level: `publik` is not a value Appwarden writes in file.access_level (did you mean `public`?); values: private, internal, external, public, unknown',
    ]);
    assert.equal(problems[0]!.policy, 'second');
  });

  test('YAML errors and empty files are refused with their line', () => {
    assert.deepEqual(messages('id: a\nname: [unclosed\nkind: activity\n').map((m) => m.replace(/ not valid YAML: .*/, '')), ['policies/x.yaml:3: (policy):']);
    assert.deepEqual(messages('id: a\nid: b\n'), ['policies/x.yaml:2: (policy): not valid YAML: Map keys must be unique']);
    assert.deepEqual(messages('# nothing here\n'), ['policies/x.yaml:1: (policy): the file holds no policy']);
  });

  test('files and folders: ids must be unique across files; missing paths are reported', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aw-policies-'));
    writeFileSync(path.join(dir, 'a.yaml'), GOOD);
    writeFileSync(path.join(dir, 'b.yml'), `# the same id again\n${GOOD}`);
    writeFileSync(path.join(dir, 'notes.txt'), 'not a policy');
    const missing = path.join(dir, 'nope.yaml');
    const { policies, problems } = await loadPolicyFiles([dir, missing], { capabilities: CAPABILITIES });
    assert.deepEqual(policies.map((p) => path.basename(p.file)), ['a.yaml']);
    assert.deepEqual(problems.map(formatProblem), [
      `${missing}: (policy): no such file or folder`,
      `${path.join(dir, 'b.yml')}:2: id: another policy has this id (${path.join(dir, 'a.yaml')}:1); ids must be unique`,
    ]);
  });

  test('compilePolicy throws AW_BAD_REQUEST listing the problems', () => {
    assert.throws(() => compilePolicy({ id: 'x', name: 'x', kind: 'activity', severity: 'low', detection: { condition: 'a' } }, { capabilities: CAPABILITIES }), (err: any) => {
      assert.equal(err.code, 'AW_BAD_REQUEST');
      assert.match(err.message, /policy x is invalid:\n {2}detection: a detection needs at least one selection beside its condition/);
      assert.equal(err.details.problems.length, 1);
      return true;
    });
  });
});
