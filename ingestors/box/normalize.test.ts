import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { eventId } from '../../schemas/event-id.js';
import { toJsonView } from '../../schemas/json-view.js';
import { decode, encode } from '../../schemas/registry.js';
import { assertGoldenJson } from '../../test/golden.js';
import { normalizeBoxEvent } from './normalize-event.js';

const here = new URL('./testdata/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');
const ctx = { instance: 'default', ingestedAt: INGESTED_AT };
type Raw = Record<string, any>;

export const SAMPLE_LINES = readFileSync(new URL('samples/enterprise_events.jsonl', here), 'utf8').split('\n').filter((l) => l.trim() !== '');

export function sampleName(raw: Raw, i: number): string {
  return `${String(i + 1).padStart(2, '0')}-${raw.event_type}`;
}

type Target = [type: string, id: string | null, name: string | null, email: string | null];
interface Expected {
  actor: [id: string | null, email: string | null, name: string | null, type: string];
  category: string;
  action: string;
  outcome: string;
  ip: string | null;
  time: string;
  targets: Target[];
}

/** What each sample must come out as, read off the samples by hand. */
const EXPECTED: Record<string, Expected> = {
  '01-USER_AUTHENTICATE_OAUTH2_ACCESS_TOKEN_CREATE': {
    actor: ['20340099421', 'andrea.zhou@airbnb.com', 'Andrea Zhou', 'user'], category: 'app', action: 'app_access', outcome: 'success',
    ip: '192.168.1.1', time: '2026-03-23T16:18:35.000Z', targets: [['user', '20340099421', 'Andrea Zhou', 'andrea.zhou@airbnb.com']],
  },
  '02-COLLABORATION_INVITE': {
    actor: ['12345678942', 'acting@example.com', 'Acting User', 'user'], category: 'file', action: 'file_share', outcome: 'success',
    ip: '81.2.69.144', time: '2025-02-24T16:10:18.000Z',
    targets: [['folder', '308889935509', 'The folder name goes here', null], ['user', '26570306658', 'Target User', 'target@example.com']],
  },
  '03-ITEM_DOWNLOAD': {
    actor: ['19530772260', 'info@elastic.co', 'Elastic Integrations', 'user'], category: 'file', action: 'file_download', outcome: 'success',
    ip: null, time: '2022-07-20T09:32:15.000Z', targets: [['file', '986342059368', 'test3.sh', null]],
  },
  '04-ITEM_TRASH': {
    actor: ['19530772260', 'info@elastic.co', 'Elastic Integrations', 'user'], category: 'file', action: 'file_delete', outcome: 'success',
    ip: null, time: '2022-07-20T09:01:10.000Z', targets: [['file', '985975826126', 'test6.sh', null]],
  },
  '05-ITEM_UPLOAD': {
    actor: ['19530772260', 'info@elastic.co', 'Elastic Integrations', 'user'], category: 'file', action: 'file_upload', outcome: 'success',
    ip: null, time: '2022-07-19T14:18:04.000Z', targets: [['file', '985970471096', 'test.pdf', null]],
  },
  '06-SHIELD_ALERT': {
    // Box's "Unknown User" (id 2, empty login) raised it; the alert names the user concerned.
    actor: ['2', null, 'Unknown User', 'user'], category: 'security', action: 'threat_detected', outcome: 'unknown',
    ip: '10.1.2.3', time: '2019-12-20T19:38:56.000Z', targets: [['user', '50500', 'A b c', 'a@b.c']],
  },
};

function expectFailure(raw: unknown, field: string): void {
  assert.throws(() => normalizeBoxEvent(raw, ctx), (err: unknown) => {
    assert.ok(isAppwardenError(err, 'AW_NORMALIZE_FAILED'), `expected AW_NORMALIZE_FAILED, got ${String(err)}`);
    assert.equal(err.details.field, field);
    assert.match(err.message, new RegExp(field));
    return true;
  });
}

describe('normalizeBoxEvent on the real samples', () => {
  test('every sample has expectations', () => {
    assert.deepEqual(SAMPLE_LINES.map((l, i) => sampleName(JSON.parse(l), i)), Object.keys(EXPECTED));
  });

  SAMPLE_LINES.forEach((line, i) => {
    const raw = JSON.parse(line) as Raw;
    const name = sampleName(raw, i);
    test(`${name}: matches its golden file and carries the record's actor, action, outcome, source IP, time and targets`, () => {
      const event = normalizeBoxEvent(raw, { ...ctx, rawText: line });
      assertGoldenJson(new URL(`golden/${name}.raw.json`, here).pathname, raw);
      assertGoldenJson(new URL(`golden/${name}.expected.json`, here).pathname, toJsonView(event));
      const want = EXPECTED[name]!;
      assert.deepEqual([event.actor.id, event.actor.email, event.actor.name, event.actor.type], want.actor);
      assert.equal(event.action_raw, raw.event_type);
      assert.deepEqual([event.category, event.action, event.outcome], [want.category, want.action, want.outcome]);
      assert.equal(event.source.ip, want.ip);
      assert.equal(new Date(event.occurred_at).toISOString(), want.time);
      assert.deepEqual(event.targets.map((t) => [t.type, t.id, t.name, t.email]), want.targets);
      assert.equal(event.event_id, eventId('box', 'default', raw.event_id));
      assert.equal(event.session_id, raw.session_id ?? null);
      assert.equal(event.raw, line, 'raw is the record as received');
      const decoded = decode(encode('audit-event', event));
      assert.deepEqual(toJsonView(decoded.record as typeof event), toJsonView(event));
    });
  });

  test('facts without a field of their own are attributes: collaboration role, owner, Shield rule and risk', () => {
    const [, invite, download, , , shield] = SAMPLE_LINES.map((l) => normalizeBoxEvent(JSON.parse(l), ctx));
    assert.equal(invite!.attributes.role, 'Editor');
    assert.equal(invite!.attributes.collab_id, '1123456789');
    assert.equal(invite!.attributes.owner_login, 'owner@example.com');
    assert.equal(download!.attributes.parent_id, '167913508968');
    assert.equal(shield!.attributes.shield_rule_category, 'Suspicious Sessions');
    assert.equal(shield!.attributes.shield_risk_score, '77');
    assert.equal(shield!.severity, 'medium');
  });

  test('a failed login is a failure; an unknown event type still flows', () => {
    const base = JSON.parse(SAMPLE_LINES[0]!) as Raw;
    const failed = normalizeBoxEvent({ ...base, event_type: 'FAILED_LOGIN' }, ctx);
    assert.deepEqual([failed.category, failed.action, failed.outcome], ['logon', 'login', 'failure']);
    const unknown = normalizeBoxEvent({ ...base, event_type: 'SOMETHING_NEW_FROM_BOX' }, ctx);
    assert.equal(unknown.action_raw, 'SOMETHING_NEW_FROM_BOX');
    assert.equal(unknown.action, 'other');
  });

  test('a Shield block is the action it stopped, failed, with the item and the people it names', () => {
    const base = JSON.parse(SAMPLE_LINES[2]!) as Raw;
    // additional_details as Box's Shield events guide documents them (developer.box.com/guides/events/event-triggers/shield-alert-events).
    const blocked = normalizeBoxEvent({
      ...base, event_type: 'SHIELD_DOWNLOAD_BLOCKED', source: null,
      additional_details: { shield_download_enforcement: {
        item: { type: 'file', id: 875644956551, name: 'blaha.docx', file_version_id: 941051265322, size: 11640 },
        access_user: { type: 'user', id: 11754686560, name: 'Ming Feng', login: 'mfeng+demo@boxdemo.com' },
        service: 'docusign', classification: 'Confidential', controlMode: 'enforced',
      } },
    }, ctx);
    assert.deepEqual([blocked.category, blocked.action, blocked.outcome, blocked.outcome_reason], ['file', 'file_download', 'failure', 'shield_download_blocked']);
    assert.deepEqual(blocked.targets.map((t) => [t.type, t.id, t.name, t.email]), [
      ['file', '875644956551', 'blaha.docx', null], ['user', '11754686560', 'Ming Feng', 'mfeng+demo@boxdemo.com'],
    ]);
    const invite = normalizeBoxEvent({
      ...base, event_type: 'SHIELD_EXTERNAL_COLLAB_INVITE_BLOCKED', source: null,
      additional_details: { shield_external_collab_enforcement: {
        item: { type: 'file', id: 123456789, name: 'Welcome to Box.pdf' },
        inviter: { type: 'user', id: 2912083489, name: 'Some Name', login: 'somename@box.com' },
        invitee: { type: 'user', id: 10340918347, name: 'John Doe', login: 'johndoe@box.com' },
        classification: 'Test', controlMode: 'enforced',
      } },
    }, ctx);
    assert.deepEqual([invite.action, invite.outcome], ['file_share', 'failure']);
    assert.deepEqual(invite.targets.map((t) => [t.type, t.id, t.email]), [['file', '123456789', null], ['user', '10340918347', 'johndoe@box.com']]);
    const alert = normalizeBoxEvent({ ...base, event_type: 'CONTENT_WORKFLOW_ABNORMAL_DOWNLOAD_ACTIVITY' }, ctx);
    assert.deepEqual([alert.category, alert.action, alert.outcome], ['security', 'threat_detected', 'unknown']);
  });

  test('malformed records fail naming their field', () => {
    const base = JSON.parse(SAMPLE_LINES[2]!) as Raw;
    expectFailure('nope', '(record)');
    expectFailure({ ...base, event_id: undefined }, 'event_id');
    expectFailure({ ...base, event_type: '' }, 'event_type');
    expectFailure({ ...base, created_at: 'yesterday' }, 'created_at');
  });
});
