import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { encode } from '../../schemas/registry.js';
import { assertGoldenJson } from '../../test/golden.js';
import { normalizeAwsActivity } from './normalize-activity.js';

const here = new URL('./testdata/', import.meta.url);
const ctx = { instance: 'default', ingestedAt: Date.parse('2024-01-02T03:04:05.006Z') };
const lines = readFileSync(new URL('samples/cloudtrail_events.jsonl', here), 'utf8').split('\n').filter((l) => l.trim() !== '');

/** What each sample is about: the actor the normalizer must name, and the outcome. */
const EXPECTED: Array<{ actor: [string | null, string | null, string]; outcome: string; identity: string }> = [
  { actor: ['AIDACKCEVSQ6C2EXAMPLE', 'anaya', 'user'], outcome: 'success', identity: 'IAMUser' },
  { actor: ['AIDACKCEVSQ6C2EXAMPLE', 'anaya', 'user'], outcome: 'failure', identity: 'IAMUser' },
  { actor: ['tester', 'Tester', 'user'], outcome: 'success', identity: 'AssumedRole' },
  { actor: ['tester', 'Tester', 'user'], outcome: 'success', identity: 'AssumedRole' },
  { actor: ['1111', 'example-user', 'user'], outcome: 'success', identity: 'AssumedRole' },
  { actor: ['tester', 'Tester', 'user'], outcome: 'success', identity: 'AssumedRole' },
  { actor: ['FAKE_PRINCIPAL:evan.gibler', 'user.name', 'user'], outcome: 'success', identity: 'AssumedRole' },
  { actor: ['1111111111', 'root', 'user'], outcome: 'success', identity: 'Root' },
  { actor: ['lambda.amazonaws.com', 'lambda.amazonaws.com', 'service'], outcome: 'success', identity: 'AWSService' },
  { actor: ['1111111111', 'root', 'user'], outcome: 'failure', identity: 'Root' },
];

describe('normalizeAwsActivity on the real CloudTrail samples', () => {
  lines.forEach((line, i) => {
    const raw = JSON.parse(line) as Record<string, unknown>;
    const name = `${String(i + 1).padStart(2, '0')}-${String(raw.eventName)}`;
    test(name, () => {
      // As the stream yields it: the CloudTrailEvent text, kept byte for byte.
      const event = normalizeAwsActivity(line, ctx);
      assert.equal(event.raw, line);
      encode('audit-event', event); // fits the Avro schema
      const want = EXPECTED[i]!;
      assert.deepEqual([event.actor.id, event.actor.name, event.actor.type], want.actor);
      assert.equal(event.outcome, want.outcome, 'errorCode (or a failed console sign-in) means failure');
      assert.equal(event.attributes.user_identity_type, want.identity);
      assert.equal(event.action_raw, raw.eventName);
      assert.equal(event.occurred_at, Date.parse(String(raw.eventTime)));
      assertGoldenJson(new URL(`golden/${name}.raw.json`, here).pathname, raw);
      assertGoldenJson(new URL(`golden/${name}.expected.json`, here).pathname, event);
    });
  });

  test('an assumed-role session names the person behind it by its source identity', () => {
    const raw = JSON.parse(lines[4]!) as Record<string, Record<string, Record<string, unknown>>>;
    raw.userIdentity!.sessionContext!.sourceIdentity = 'ana@example.com';
    const event = normalizeAwsActivity(raw, ctx);
    assert.deepEqual([event.actor.name, event.actor.email, event.attributes.source_identity], ['ana@example.com', 'ana@example.com', 'ana@example.com']);
  });

  for (const [field, broken] of [['eventID', { eventName: 'X', eventTime: '2024-01-01T00:00:00Z' }], ['eventTime', { eventID: 'a', eventName: 'X', eventTime: 'yesterday' }], ['(record)', '{not json']] as const) {
    test(`a record without a valid ${field} fails naming it`, () => {
      assert.throws(() => normalizeAwsActivity(typeof broken === 'string' ? broken : JSON.stringify(broken), ctx), (err: unknown) => isAppwardenError(err, 'AW_NORMALIZE_FAILED') && err.details.field === field);
    });
  }
});
