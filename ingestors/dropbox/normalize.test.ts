import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { toJsonView } from '../../schemas/json-view.js';
import { decode, encode } from '../../schemas/registry.js';
import { AUDIT_ACTIONS } from '../../schemas/vocabulary.js';
import { assertGoldenJson } from '../../test/golden.js';
import { dropboxEventMapping, KNOWN_DROPBOX_EVENT_TYPES } from './event-types.js';
import { normalizeDropboxEvent } from './normalize-activity.js';
import { sampleEvents, sampleLines } from './testdata/sample-events.js';

const here = new URL('./testdata/', import.meta.url);
const ctx = { instance: 'default', ingestedAt: Date.parse('2024-01-02T03:04:05.006Z') };

/** What each sample must give, read off the sample by hand. */
const EXPECTED: Record<string, { actor: [string | null, string | null, string]; action: string; outcome: string; ip: string; at: string; targets: Array<[string, string | null, string | null]> }> = {
  '01-shared_content_download': {
    actor: ['dbid:AAHgR8xsQP48a5DQUGPo-Vxsrjd0OByVmho', 'john_smith@acmecorp.com', 'user'], action: 'file_download', outcome: 'success', ip: '45.56.78.100', at: '2017-01-25T15:51:30.000Z',
    targets: [['file', 'id:jQKLsZFQImAAAAAAEZAAQt', 'reports.xls'], ['user', 'dbid:AAGx4oiLtHdvRdNxUpvvJBXYgR4BS19c9kw', 'Jane Smith'], ['user', 'dbmid:AAFoi-tmvRuQR0jU-3fN4B-9nZo6nHcDO9Q', 'John Smith']],
  },
  '02-member_send_invite_policy_changed': {
    actor: ['123456', 'example@example.com', 'user'], action: 'policy_change', outcome: 'success', ip: '1.1.1.1', at: '2022-05-16T11:34:33.000Z', targets: [],
  },
  '03-sign_in_as_session_start': {
    actor: ['dbmid:AAAwgqIsigitfNAUAhsbxzQKtIPBM7uGAgg', 'adminuser@company.com', 'user'], action: 'impersonate', outcome: 'success', ip: '1.2.3.4', at: '2023-04-19T19:20:02.000Z',
    targets: [['user', 'dbmid:AADSERs2cAsByYt8yQEDU4_qdNQiSdxgCl8', 'Alice Bob']],
  },
  '04-shared_content_add_member': {
    actor: ['dbmid:AADSERs2cAsByYt8yQEDU4_qdNQiSdxgCl8', 'alice.bob@company.com', 'user'], action: 'file_share', outcome: 'success', ip: '1.2.3.4', at: '2023-04-18T22:31:03.000Z',
    targets: [['file', 'id:lUP4ZxMYmc4AAAAAAAAAaA', 'paper1.paper'], ['user', 'dbid:AABbWylBrTJ3Je-M37jeWShWuMAFHchEsKM', 'david davidson'], ['user', 'dbmid:AADSERs2cAsByYt8yQEDU4_qdNQiSdxgCl8', 'Alice Bob']],
  },
  '05-app_link_team': {
    actor: ['dbmid:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'user@domain.com', 'user'], action: 'app_grant', outcome: 'success', ip: '1.2.3.4', at: '2023-02-16T20:39:34.000Z',
    targets: [['app', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'dropbox-app-name']],
  },
  '06-shared_folder_transfer_ownership': {
    actor: ['dbmid:BBBBBBBBBBBBBBBBBBBBBB', 'alice.bob@company.io', 'user'], action: 'file_share', outcome: 'success', ip: '1.2.3.4', at: '2023-04-18T18:54:15.000Z',
    targets: [['folder', 'ns:12345', 'test1'], ['user', 'dbmid:DEFG', 'company'], ['user', 'dbmid:BBBBBBBBBBBBBBBBBBBBBB', 'Alice Bob']],
  },
  '07-tfa_change_status': {
    actor: ['dbmid:AABBBBBBBBBBBBBBBBBBBBBBB', 'alice.bob@company.io', 'user'], action: 'mfa_factor_disable', outcome: 'success', ip: '1.2.3.4', at: '2023-04-18T18:16:27.000Z',
    targets: [['user', 'dbmid:AABBBBBBBBBBBBBBBBBBBBBBB', 'Alice Bob']],
  },
  '08-shared_content_download': {
    actor: ['dbid:AAHgR8xsQP48a5DQUGPo-Vxsrjd0OByVmho', 'john_smith@acmecorp.com', 'user'], action: 'file_download', outcome: 'success', ip: '45.56.78.100', at: '2017-01-25T15:51:30.000Z',
    targets: [['file', 'id:jQKLsZFQImAAAAAAEZAAQt', 'reports.xls'], ['user', 'dbid:AAGx4oiLtHdvRdNxUpvvJBXYgR4BS19c9kw', 'Jane Smith'], ['user', 'dbmid:AAFoi-tmvRuQR0jU-3fN4B-9nZo6nHcDO9Q', 'John Smith']],
  },
};

function expectFailure(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isAppwardenError(err, 'AW_NORMALIZE_FAILED'), `expected AW_NORMALIZE_FAILED, got ${String(err)}`);
    assert.equal(err.details.field, field);
    return true;
  });
}

describe('normalizeDropboxEvent on the real samples', () => {
  const samples = sampleEvents();
  test('every sample has its expectations', () => {
    assert.deepEqual(samples.map((s) => s.name), Object.keys(EXPECTED));
  });

  for (const { name, line } of samples) {
    test(`${name}: matches its golden file, with the right actor, action, outcome, source, time and targets`, () => {
      const raw = JSON.parse(line);
      const event = normalizeDropboxEvent(raw, { ...ctx, rawText: line });
      assertGoldenJson(new URL(`golden/${name}.raw.json`, here).pathname, raw);
      assertGoldenJson(new URL(`golden/${name}.expected.json`, here).pathname, toJsonView(event));
      const want = EXPECTED[name]!;
      assert.deepEqual([event.actor.id, event.actor.email, event.actor.type], want.actor);
      assert.equal(event.action_raw, raw.event_type['.tag'] ?? raw.event_type._tag);
      assert.equal(event.action, want.action);
      assert.equal(event.outcome, want.outcome);
      assert.equal(event.source.ip, want.ip);
      assert.equal(new Date(event.occurred_at).toISOString(), want.at);
      assert.deepEqual(event.targets.map((t) => [t.type, t.id, t.name]), want.targets);
      assert.equal(event.raw, line);
      // The Avro schema accepts it as is.
      assert.deepEqual(JSON.parse(JSON.stringify(decode(encode('audit-event', event)).record)), JSON.parse(JSON.stringify(event)));
    });
  }

  test('the same event read twice, however its keys are ordered, has one id; another event another', () => {
    const line = samples[0]!.line;
    const other = samples[1]!.line;
    const raw = JSON.parse(line) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(raw).reverse());
    assert.equal(normalizeDropboxEvent(reordered, ctx).event_id, normalizeDropboxEvent(raw, ctx).event_id);
    assert.notEqual(normalizeDropboxEvent(JSON.parse(other), ctx).event_id, normalizeDropboxEvent(raw, ctx).event_id);
    assert.notEqual(normalizeDropboxEvent(raw, { ...ctx, instance: 'other' }).event_id, normalizeDropboxEvent(raw, ctx).event_id);
  });

  test("the XSIAM sample's rewritten timestamp is refused naming the field; with the API's ISO time it is a login", () => {
    const [line] = sampleLines('team_events_xsiam_timestamp.jsonl');
    const raw = JSON.parse(line!);
    expectFailure(() => normalizeDropboxEvent(raw, ctx), 'timestamp');
    const event = normalizeDropboxEvent({ ...raw, timestamp: '2022-10-26T16:45:42Z' }, ctx);
    assertGoldenJson(new URL('golden/09-login_success.expected.json', here).pathname, toJsonView(event));
    assert.deepEqual([event.category, event.action, event.outcome, event.source.ip, event.actor.id], ['logon', 'login', 'success', '10.10.10.10', 'dbmid:AACEBOWjmwRvLJGIY0X2ao9jJ35XtF0HsyU']);
    assert.equal(event.session_id, 'WEUIW:3723423423465634636958663408365541131265');
    assert.equal(event.attributes.login_method, 'password');
  });
});

describe('normalizeDropboxEvent on malformed and unknown records', () => {
  const base = JSON.parse(sampleLines('team_events.jsonl')[1]!);
  test('a record that is not an object, or lacks its time or type, fails naming the field', () => {
    expectFailure(() => normalizeDropboxEvent('nope', ctx), '(record)');
    expectFailure(() => normalizeDropboxEvent({ ...base, timestamp: undefined }, ctx), 'timestamp');
    expectFailure(() => normalizeDropboxEvent({ ...base, timestamp: '2022-13-40T00:00:00Z' }, ctx), 'timestamp');
    expectFailure(() => normalizeDropboxEvent({ ...base, event_type: {} }, ctx), 'event_type');
  });

  test('an unknown event type still flows, in the category its event_category gives, as action other', () => {
    const event = normalizeDropboxEvent({ ...base, event_type: { '.tag': 'brand_new_thing', description: 'New' }, event_category: { '.tag': 'sharing' } }, ctx);
    assert.deepEqual([event.category, event.action, event.action_raw], ['file', 'other', 'brand_new_thing']);
    const nowhere = normalizeDropboxEvent({ ...base, event_type: { '.tag': 'brand_new_thing' }, event_category: { '.tag': 'brand_new_category' } }, ctx);
    assert.deepEqual([nowhere.category, nowhere.action], ['other', 'other'], 'no category is guessed for a type in an unknown category');
  });

  test('failures are their own event types; status changes are read from their details', () => {
    const fail = normalizeDropboxEvent({ ...base, event_type: { '.tag': 'login_fail' }, event_category: { '.tag': 'logins' }, details: { '.tag': 'login_fail_details', error_details: { user_friendly_message: 'Wrong password' } } }, ctx);
    assert.deepEqual([fail.category, fail.action, fail.outcome, fail.outcome_reason], ['logon', 'login', 'failure', 'Wrong password']);
    const status = (previous: string, next: string) => dropboxEventMapping('member_change_status', 'members', { new_value: { '.tag': next }, previous_value: { '.tag': previous } }).action;
    assert.deepEqual([status('active', 'suspended'), status('suspended', 'active'), status('active', 'removed'), status('not_joined', 'invited')], ['user_suspend', 'user_unsuspend', 'user_delete', 'user_create']);
  });

  test('every mapped action is in the vocabulary', () => {
    for (const type of KNOWN_DROPBOX_EVENT_TYPES) assert.ok((AUDIT_ACTIONS as readonly string[]).includes(dropboxEventMapping(type, null, null).action), type);
  });
});
