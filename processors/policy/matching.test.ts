import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { AccountEvent, AuditEvent } from '../../schemas/types.js';
import { AUDIT_ACTIONS } from '../../schemas/vocabulary.js';
import { parseCondition } from './condition.js';
import { compileDetection } from './detection.js';
import type { PolicyKind } from './field-catalogue.js';
import { formatPath } from './problems.js';
import { RecordContext, type ActorAccount, type PolicyRecord } from './record-context.js';
import { buildTestEvents } from './test-events.js';

const GOLDEN = new URL('../../ingestors/okta/testdata/golden/', import.meta.url);

/** A real normalized Okta event (JSON view → record). */
function golden(name: string): AuditEvent {
  const view = JSON.parse(readFileSync(new URL(name, GOLDEN), 'utf8'));
  return record('activity', view) as AuditEvent;
}

function record(kind: PolicyKind, view: Record<string, unknown>): PolicyRecord {
  const problems: string[] = [];
  const [event] = buildTestEvents({ id: 'unit', kind, providers: null }, 0, [view], (p, m) => problems.push(`${formatPath(p)}: ${m}`));
  assert.deepEqual(problems, []);
  return event!.record;
}

/** Compiles a detection; throws with the problems when it does not compile. */
function detection(kind: PolicyKind, body: Record<string, unknown>): (r: PolicyRecord, account?: ActorAccount) => boolean {
  const problems: string[] = [];
  const compiled = compileDetection(kind, body, (p, m) => problems.push(`${formatPath(p)}: ${m}`));
  assert.ok(compiled, `compiles: ${problems.join('; ')}`);
  return (r, account) => compiled.test(new RecordContext(r, account ? { actorAccount: () => account } : null));
}

function problemsOf(kind: PolicyKind, body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  compileDetection(kind, body, (p, m) => problems.push(`${formatPath(p)}: ${m}`));
  return problems;
}

const login = golden('01-user.session.start.expected.json'); // okta, Madrid, kostas.papageorgiou@runpanther.io
const rateLimit = golden('05-system.org.rate_limit.violation.expected.json');

describe('field conditions (modifiers)', () => {
  test('plain values compare equal, case-insensitively; a list means any of them', () => {
    assert.equal(detection('activity', { s: { action: 'LOGIN', provider: 'okta' }, condition: 's' })(login), true);
    assert.equal(detection('activity', { s: { action: ['logout', 'login'] }, condition: 's' })(login), true);
    assert.equal(detection('activity', { s: { action: ['logout', 'sso'] }, condition: 's' })(login), false);
    assert.equal(detection('activity', { s: { 'source.city|cased': 'madrid' }, condition: 's' })(login), false);
    assert.equal(detection('activity', { s: { 'source.city|cased': 'Madrid' }, condition: 's' })(login), true);
  });

  test('numbers and booleans compare with the text attributes carry', () => {
    assert.equal(detection('activity', { s: { 'attributes.threat_suspected': false }, condition: 's' })(login), true);
    assert.equal(detection('activity', { s: { class_uid: 3002, activity_id: '1' }, condition: 's' })(login), true);
  });

  test('null means the field has no value; exists says whether it has one', () => {
    assert.equal(detection('activity', { s: { outcome_reason: null }, condition: 's' })(login), true);
    assert.equal(detection('activity', { s: { 'outcome_reason|exists': false, 'source.ip|exists': true }, condition: 's' })(login), true);
    assert.equal(detection('activity', { s: { 'targets.id|exists': true }, condition: 's' })(login), false, 'no targets: no value');
    assert.equal(detection('activity', { s: { 'attributes.no_such_key|exists': true }, condition: 's' })(login), false);
    assert.equal(detection('activity', { s: { 'attributes.constructor|exists': true }, condition: 's' })(login), false, 'map keys never come from the prototype');
  });

  test('contains, startswith, endswith, glob and re', () => {
    const d = (cond: Record<string, unknown>) => detection('activity', { s: cond, condition: 's' })(login);
    assert.equal(d({ 'action_raw|startswith': 'USER.session' }), true);
    assert.equal(d({ 'action_raw|endswith': ['.end', '.start'] }), true);
    assert.equal(d({ 'source.user_agent|contains': 'chrome/81' }), true);
    assert.equal(d({ 'source.user_agent|contains|all': ['Macintosh', 'Safari'] }), true);
    assert.equal(d({ 'source.user_agent|contains|all': ['Macintosh', 'Windows'] }), false);
    assert.equal(d({ 'actor.email|glob': '*@RUNPANTHER.io' }), true);
    assert.equal(d({ 'actor.email|glob': 'k?stas.*@runpanther.io' }), true);
    assert.equal(d({ 'actor.email|glob': '*@panther.io' }), false);
    assert.equal(d({ 'action_raw|re': '^user\\.session\\.(start|end)$' }), true);
    assert.equal(d({ 'action_raw|re': '^USER\\.' }), false, 're is case-sensitive, as in Sigma');
    assert.equal(d({ 'action_raw|re|i': '^USER\\.' }), true);
  });

  test('cidr matches IPv4 and IPv6 networks, and IPv4 written as IPv6', () => {
    const d = (ip: string, nets: string | string[]) => detection('activity', { s: { 'source.ip|cidr': nets }, condition: 's' })(
      { ...login, source: { ...login.source, ip } },
    );
    assert.equal(d('83.45.236.142', '83.45.0.0/16'), true);
    assert.equal(d('83.45.236.142', ['10.0.0.0/8', '83.45.236.142']), true);
    assert.equal(d('83.46.0.1', '83.45.0.0/16'), false);
    assert.equal(d('2001:db8::17', '2001:db8::/32'), true);
    assert.equal(d('::ffff:10.1.2.3', '10.0.0.0/8'), true);
    assert.equal(d('not an ip', '10.0.0.0/8'), false);
  });

  test('gt, gte, lt, lte compare numbers, numeric text, and times', () => {
    const d = (cond: Record<string, unknown>) => detection('activity', { s: cond, condition: 's' })(login);
    assert.equal(d({ 'class_uid|gt': 3000, 'class_uid|lte': 3002 }), true);
    assert.equal(d({ 'class_uid|lt': 3002 }), false);
    assert.equal(d({ 'occurred_at|gte': '2020-05-01T10:20:22.243Z', 'occurred_at|lt': '2020-05-02T00:00:00Z' }), true);
    const file = record('file', { file: { name: 'big.iso', size: 5_000_000_000 } });
    assert.equal(detection('file', { s: { 'file.size|gt': 4_294_967_296 }, condition: 's' })(file), true);
  });

  test('a field through a list matches when any element matches; all needs every listed value', () => {
    const withTargets = { ...login, targets: [
      { type: 'app' as const, type_raw: 'AppInstance', id: '0oa1', name: 'Salesforce', email: null },
      { type: 'user' as const, type_raw: 'User', id: '00u2', name: 'Bo', email: 'bo@Partner.example' },
    ] };
    assert.equal(detection('activity', { s: { 'targets.type': 'user' }, condition: 's' })(withTargets), true);
    assert.equal(detection('activity', { s: { 'targets.type|all': ['user', 'app'] }, condition: 's' })(withTargets), true);
    assert.equal(detection('activity', { s: { 'targets.type|all': ['user', 'group'] }, condition: 's' })(withTargets), false);
    assert.equal(detection('activity', { s: { 'targets.domain': 'partner.example' }, condition: 's' })(withTargets), true);
  });

  test('fieldref compares with another field; domain compares the email domains in a value', () => {
    const forward = record('activity', {
      actor: { email: 'alice@Example.com' },
      attributes: { forward_to: '"Bob" [SMTP:bob@example.com]; carol@other.example', redirect_to: 'smtp:eve@evil.example' },
    });
    const d = (cond: Record<string, unknown>) => detection('activity', { s: cond, condition: 's' })(forward);
    assert.equal(d({ 'actor.domain': 'example.com' }), true);
    assert.equal(d({ 'attributes.forward_to|domain|fieldref': 'actor.domain' }), true);
    assert.equal(d({ 'attributes.redirect_to|domain|fieldref': 'actor.domain' }), false);
    assert.equal(d({ 'attributes.redirect_to|domain': 'evil.example' }), true);
    assert.equal(d({ 'attributes.redirect_to|domain': 'example' }), false, 'a domain is compared whole');
    assert.equal(d({ 'actor.email|endswith|fieldref': 'actor.domain' }), true);
  });

  test('derived fields: actor.domain, file.extension, file.collaborator_domains, and enrichments', () => {
    const file = record('file', { file: { name: 'Plan.Final.XLSX', collaborators: [
      { type: 'user', email: 'x@Gmail.com' }, { type: 'domain', email: 'Partner.example' }, { type: 'anyone' },
    ] } });
    assert.equal(detection('file', { s: { 'file.extension': 'xlsx' }, condition: 's' })(file), true);
    assert.equal(detection('file', { s: { 'file.collaborator_domains': 'partner.example' }, condition: 's' })(file), true);
    assert.equal(detection('file', { s: { 'file.collaborator_domains': 'gmail.com' }, condition: 's' })(file), true);
    const noExtension = record('file', { file: { name: 'README' } });
    assert.equal(detection('file', { s: { 'file.extension|exists': false }, condition: 's' })(noExtension), true);

    const suspended = detection('activity', { s: { 'actor_account.status': 'suspended' }, condition: 's' });
    assert.equal(suspended(login, { status: 'suspended', groups: [], deleted: false }), true);
    assert.equal(suspended(login, { status: 'active', groups: [], deleted: false }), false);
    assert.equal(suspended(login), false, 'no account known');
    const inGroup = detection('activity', { s: { 'actor_account.groups': 'Contractors' }, condition: 's' });
    assert.equal(inGroup(login, { status: 'active', groups: ['00g1', 'Contractors'], deleted: false }), true);

    const grant = record('app_permission', { kind: 'app_grant', app: { id: 'a', scopes: ['openid'] } }) as AccountEvent;
    const popular = compileDetection('app_permission', { s: { 'grant.user_count|gte': 50 }, condition: 's' }, () => assert.fail('compiles'))!;
    assert.equal(popular.test(new RecordContext(grant, { grantUserCount: () => 80 })), true);
    assert.equal(popular.test(new RecordContext(grant, { grantUserCount: () => 3 })), false);
  });
});

describe('conditions', () => {
  const sel = (v: boolean) => ({ [v ? 'action' : 'outcome']: v ? 'login' : 'failure' });
  const run = (condition: string, selections: Record<string, boolean>) =>
    detection('activity', { ...Object.fromEntries(Object.entries(selections).map(([k, v]) => [k, sel(v)])), condition })(login);

  test('not binds tighter than and, and tighter than or; parentheses group', () => {
    assert.equal(run('a or b and c', { a: true, b: false, c: false }), true);
    assert.equal(run('(a or b) and c', { a: true, b: false, c: false }), false);
    assert.equal(run('not a and b', { a: false, b: true }), true);
    assert.equal(run('not (a and b)', { a: true, b: true }), false);
    assert.equal(run('a and not not b', { a: true, b: true }), true);
  });

  test('quantifiers over name patterns and them', () => {
    const s = { sel_a: true, sel_b: false, other: true };
    assert.equal(run('1 of sel_*', s), true);
    assert.equal(run('any of sel_*', s), true);
    assert.equal(run('all of sel_*', s), false);
    assert.equal(run('2 of them', s), true);
    assert.equal(run('all of them', { a: true, b: true }), true);
    assert.equal(run('all of sel_* or other', s), true);
  });

  test('syntax errors name the column', () => {
    const problems = (condition: string) => problemsOf('activity', { a: { action: 'login' }, condition });
    assert.deepEqual(problems('a and'), ['condition: expected a selection name, `not`, `(` or `1 of` but found the end of the condition']);
    assert.deepEqual(problems('(a or a'), ['condition: expected `)` to close the `(` at column 1 but found the end of the condition']);
    assert.deepEqual(problems('a a'), ['condition: expected `and`, `or` or the end of the condition but found `a` at column 3']);
    assert.deepEqual(problems('a & a'), ['condition: unexpected `&` at column 3']);
    assert.deepEqual(problems('sel*'), ['condition: a pattern such as `sel*` needs a quantifier: `1 of sel*` or `all of sel*` (column 1)']);
    assert.deepEqual(problems('1 of x*'), ['condition: `x*` (column 6) matches no selection; the selections are `a`']);
    assert.deepEqual(problems('a and b'), ['condition: unknown selection `b` (column 7); the selections are `a`']);
    assert.throws(() => parseCondition(''), /empty/);
  });
});

describe('detection problems', () => {
  test('every problem of a detection at once, each at its path', () => {
    assert.deepEqual(problemsOf('activity', {
      failed: { 'outcome|equalz': 'failure', 'actr.email': 'x', 'source.ip|cidr': '10.0.0.0/33', 'action_raw|re': '([a-z' },
      bad: [{ 'action|contains|re': 'x' }, {}],
      and: { action: 'login' },
      condition: 'failed',
    }), [
      'failed.outcome|equalz: unknown modifier `equalz`; modifiers are contains, startswith, endswith, re, cidr, exists, gt, gte, lt, lte, glob, all, cased, fieldref, domain, and i, m, s after re',
      'failed.actr.email: `actr.email` is not a field of an audit event (activity policy) (did you mean `actor.email`?)',
      'failed.source.ip|cidr: `10.0.0.0/33` is not an IP network: write it as 10.0.0.0/8, 2001:db8::/32, or a single address',
      'failed.action_raw|re: not a valid regular expression for the linear-time engine (RE2): missing closing ]: `[a-z`',
      'bad[0].action|contains|re: modifiers `contains` and `re` cannot be combined: use one way of comparing',
      'bad[1]: a selection needs at least one `field: value` condition',
      'and: `and` is a word of the condition language; give the selection another name',
    ]);
  });

  test('values outside a vocabulary, fields of another kind, groups of fields and misused modifiers are refused', () => {
    assert.deepEqual(problemsOf('activity', { s: { action: ['login', 'file_downlaod'] }, condition: 's' }), [
      's.action[1]: `file_downlaod` is not a value Appwarden writes in action (did you mean `file_download`?); values: ' + AUDIT_ACTIONS.join(', '),
    ]);
    assert.deepEqual(problemsOf('file', { s: { 'actor.email': 'x' }, condition: 's' }), [
      's.actor.email: `actor.email` is not a field of a file event (file policy)',
    ]);
    assert.match(problemsOf('activity', { s: { actor: 'x' }, condition: 's' })[0]!, /`actor` is a group of fields; compare one of them \(actor\.id, actor\.email/);
    assert.deepEqual(problemsOf('activity', { s: { 'source.ip|exists': 'yes' }, condition: 's' }), ['s.source.ip|exists: `exists` takes true (the field has a value) or false (it has none)']);
    assert.deepEqual(problemsOf('activity', { s: { 'class_uid|gt': 'many' }, condition: 's' }), ['s.class_uid|gt: `gt` takes a number']);
    assert.deepEqual(problemsOf('activity', { s: { 'actor.email|contains': null }, condition: 's' }), [
      's.actor.email|contains: null (the field is absent) can only be compared for plain equality; use `exists: false` instead',
    ]);
    assert.deepEqual(problemsOf('activity', { s: { 'actor.email|fieldref': 'actor.nope' }, condition: 's' }), [
      's.actor.email|fieldref: `fieldref` takes field paths; `actor.nope` is not a field of an audit event (activity policy)',
    ]);
    assert.deepEqual(problemsOf('activity', { s: { 'actor.email': { nested: 1 } }, condition: 's' }), [
      's.actor.email: a value must be text, a number, true/false or null (or a list of them)',
    ]);
    assert.deepEqual(problemsOf('activity', { s: { action: 'login' } }), ['condition: required — name the selections that must match, e.g. `s`']);
  });

  test('a rate-limit event does not match a login selection (real Okta golden event)', () => {
    assert.equal(detection('activity', { s: { category: 'logon', action: 'login' }, condition: 's' })(rateLimit), false);
  });
});

