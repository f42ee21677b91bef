import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { Evaluator } from './evaluator.js';
import { tableLocator } from './geo.js';
import { runInlineTests } from './inline-tests.js';
import { loadPolicyFiles } from './loader.js';
import { formatProblem } from './problems.js';
import { buildTestEvents } from './test-events.js';

const POLICIES = fileURLToPath(new URL('../../policies/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../ingestors/okta/testdata/golden/', import.meta.url));
const load = await loadPolicyFiles([POLICIES]);
const files = readdirSync(POLICIES).filter((f) => f.endsWith('.yaml'));

/** The detections the product promises (issue 3), by policy id. */
const PROMISED = [
  'repeated-failed-logins', 'password-spray', 'login-from-new-country', 'impossible-travel', 'suspended-account-activity',
  'mfa-factor-reset-or-disabled', 'admin-privilege-granted', 'admin-impersonation', 'mass-download', 'mass-deletion', 'mass-rename',
  'mass-sharing-changes', 'file-public-or-personal-domain', 'mail-forwarding-external', 'oauth-high-risk-scopes',
  'aws-root-or-mfa-less-console-login', 'aws-cloudtrail-logging-stopped', 'aws-s3-bucket-public',
];

describe('built-in policies', () => {
  test('every file in policies/ is valid, and the promised detections are all there', () => {
    assert.deepEqual(load.problems.map(formatProblem), []);
    assert.equal(load.policies.length, files.length, 'one policy per file');
    assert.deepEqual(load.policies.map((p) => p.compiled.id).sort(), [...PROMISED].sort());
  });

  test('the published JSON Schema, read by a standard validator (Ajv, draft 2020-12), accepts every built-in file', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(`${POLICIES}policy.schema.json`, 'utf8')));
    for (const f of files) {
      assert.ok(validate(parse(readFileSync(`${POLICIES}${f}`, 'utf8'), { merge: true })), `${f}: ${ajv.errorsText(validate.errors)}`);
    }
    assert.equal(validate({ id: 'x', name: 'x', kind: 'activity', severity: 'low', detection: { condition: 'a' }, threshold: { count: 1, within: '1m' } }), false);
  });

  for (const { compiled } of load.policies) {
    test(`${compiled.id}: inline tests have positive and negative cases, and all pass`, () => {
      const tests = compiled.policy.tests;
      assert.ok(tests.some((t) => t.expect.match === true || (t.expect.alerts ?? 0) > 0), 'a case where it fires');
      assert.ok(tests.some((t) => t.expect.match === false || t.expect.alerts === 0), 'a case where it does not');
      const failures = runInlineTests(compiled).filter((r) => !r.passed).map((r) => `${r.name}: ${r.failures.join('; ')}`);
      assert.deepEqual(failures, []);
    });
  }

  test('the real Okta sample events (benign) raise no alert from any built-in policy', () => {
    const geo = tableLocator({}); // nothing located: impossible travel cannot fire
    const evaluator = new Evaluator(load.policies.map((p) => p.compiled), { geo });
    const events = readdirSync(GOLDEN).filter((f) => /^\d+-.*\.expected\.json$/.test(f)).sort()
      .map((f) => JSON.parse(readFileSync(`${GOLDEN}${f}`, 'utf8')));
    const records = buildTestEvents({ id: 'golden', kind: 'activity', providers: null }, 0, events, (p, m) => assert.fail(`${p.join('.')}: ${m}`));
    assert.ok(records.length >= 9);
    const alerts = records.flatMap((r) => evaluator.process(r.record).alerts.map((a) => `${a.alert.policy_id}: ${a.alert.title}`));
    assert.deepEqual(alerts, []);
  });
});
