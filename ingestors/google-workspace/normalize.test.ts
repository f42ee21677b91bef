import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { eventId } from '../../schemas/event-id.js';
import { toJsonView } from '../../schemas/json-view.js';
import { OCSF_CLASS } from '../../schemas/ocsf.js';
import { decode, encode } from '../../schemas/registry.js';
import { AUDIT_ACTIONS } from '../../schemas/vocabulary.js';
import { assertGoldenJson } from '../../test/golden.js';
import { googleEventMapping, KNOWN_GOOGLE_EVENTS } from './event-types.js';
import { explodeActivity, normalizeGoogleActivity, normalizeGoogleActivityEvent } from './normalize-activity.js';

const here = new URL('./testdata/', import.meta.url);
const INGESTED_AT = Date.parse('2024-01-02T03:04:05.006Z');
const ctx = { instance: 'default', ingestedAt: INGESTED_AT };
type Raw = Record<string, any>;

function sampleLines(file: string): string[] {
  return readFileSync(new URL(`samples/${file}`, here), 'utf8').split('\n').filter((line) => line.trim() !== '');
}

function goldenPath(name: string): string {
  return new URL(`golden/${name}`, here).pathname;
}

function expectNormalizeFailure(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isAppwardenError(err, 'AW_NORMALIZE_FAILED'), `expected AW_NORMALIZE_FAILED, got ${String(err)}`);
    assert.equal(err.details.field, field);
    return true;
  });
}

/** Each sample activity as its text: the activities file line by line, then the items of the whole-page sample. */
const page = JSON.parse(sampleLines('reports_activities_list_response_page.jsonl')[0]!) as { items: Raw[]; nextPageToken: string };
const samples: string[] = [...sampleLines('reports_activities.jsonl'), ...page.items.map((item) => JSON.stringify(item))];

function nameOf(raw: Raw, i: number): string {
  return `${String(i + 1).padStart(2, '0')}-${raw.id.applicationName}-${raw.events[0].name}`;
}

type Target = [type: string, id: string | null, name: string | null, email: string | null];
/** What each sample's events must come out as, read off the samples by hand: action, outcome, targets. */
const EXPECTED: Record<string, Array<{ action: string; category: string; outcome: string; targets: Target[] }>> = {
  '01-token-revoke': [{ action: 'app_revoke', category: 'app', outcome: 'unknown', targets: [['app', '77185499999.apps.googleusercontent.com', 'Google Chrome', null]] }],
  '02-login-login_success': [{ action: 'login', category: 'logon', outcome: 'success', targets: [] }],
  '03-token-authorize': [{ action: 'app_grant', category: 'app', outcome: 'unknown', targets: [['app', '433621349790-9qchlplr8d8lp6fbt3ngn56t5856et37.apps.googleusercontent.com', 'Panther', null]] }],
  '04-admin-SUSPEND_USER': [{ action: 'user_suspend', category: 'user', outcome: 'unknown', targets: [['user', null, null, 'jdoe@example.net']] }],
  '05-admin-DELETE_USER': [{ action: 'user_delete', category: 'user', outcome: 'unknown', targets: [['user', null, null, 'janedoe@example.com']] }],
  '06-drive-edit': [
    { action: 'file_edit', category: 'file', outcome: 'unknown', targets: [['file', '1111111111', 'Doc Temp', null]] },
    // new_value can_edit: a share; the fixture redacted the person it was shared with.
    { action: 'file_share', category: 'file', outcome: 'unknown', targets: [['file', '11111', 'Doc Temp', null], ['user', 'redacted', null, null]] },
  ],
  '07-saml-login_success': [{ action: 'sso', category: 'logon', outcome: 'success', targets: [['app', null, 'AWS', null]] }],
  '08-user_accounts-email_forwarding_out_of_domain': [{ action: 'mail_forward_set', category: 'user', outcome: 'unknown', targets: [['other', null, null, 'jane.doe@example.net']] }],
  '09-groups_enterprise-remove_user': [
    { action: 'group_member_remove', category: 'admin', outcome: 'unknown', targets: [['user', null, null, 'john.doe@example.com'], ['group', null, null, 'team@example.com']] },
    { action: 'group_member_remove', category: 'admin', outcome: 'unknown', targets: [['user', null, null, 'john.doe@example.com'], ['group', null, null, 'team@example.com']] },
  ],
  // The grove fixture labels these Drive events `admin`; read as the record says, they are unknown admin events.
  '10-admin-upload': ['upload', 'edit', 'change_user_access', 'change_acl_editors', 'add_to_folder'].map((_, i) => ({
    action: 'other', category: 'admin', outcome: 'unknown',
    targets: [['file', 'COFFEECOFFEECOFFEECOFFEECOFFEE', 'fromIterable.d.ts', null] as Target, ...(i === 2 ? [['user', null, null, 'a-user@example.org'] as Target] : [])],
  })),
  '11-admin-ADD_GROUP_MEMBER': [
    { action: 'group_member_add', category: 'admin', outcome: 'unknown', targets: [['user', null, null, 'added@hashicorp.com'], ['group', null, null, 'added@hashicorp.com']] },
    { action: 'group_member_remove', category: 'admin', outcome: 'unknown', targets: [['user', null, null, 'replaced@hashicorp.com'], ['group', null, null, 'replaced@hashicorp.com']] },
  ],
};

describe('normalizeGoogleActivity on the real samples', () => {
  test('there are samples to test, and each has expectations', () => {
    assert.equal(samples.length, 11);
    assert.deepEqual(samples.map((line, i) => nameOf(JSON.parse(line), i)), Object.keys(EXPECTED));
  });

  samples.forEach((line, i) => {
    const raw = JSON.parse(line) as Raw;
    const name = nameOf(raw, i);

    test(`${name}: matches its golden file (one event per entry of events[])`, () => {
      const events = normalizeGoogleActivity(raw, { ...ctx, rawText: line });
      assertGoldenJson(goldenPath(`${name}.raw.json`), raw);
      assertGoldenJson(goldenPath(`${name}.expected.json`), events.map((e) => toJsonView(e)));
    });

    test(`${name}: carries the activity's own facts`, () => {
      const events = normalizeGoogleActivity(raw, { ...ctx, rawText: line });
      assert.equal(events.length, raw.events.length);
      events.forEach((event, index) => {
        const expected = EXPECTED[name]![index]!;
        assert.equal(event.action_raw, raw.events[index].name);
        assert.equal(event.action, expected.action, `${name} event ${index}`);
        assert.equal(event.category, expected.category);
        assert.equal(event.outcome, expected.outcome);
        assert.deepEqual(event.targets.map((t) => [t.type, t.id, t.name, t.email]), expected.targets, `${name} event ${index} targets`);
        assert.equal(event.actor.email, raw.actor.email ?? null);
        assert.equal(event.actor.id, raw.actor.profileId ?? null);
        assert.equal(event.source.ip, raw.ipAddress ?? null);
        assert.equal(event.occurred_at, Date.parse(raw.id.time));
        assert.equal(new Date(event.occurred_at).toISOString(), raw.id.time);
        assert.equal(event.ingested_at, INGESTED_AT);
        assert.equal(event.event_id, eventId('google_workspace', 'default', `${raw.id.applicationName}/${raw.id.time}/${raw.id.uniqueQualifier}/${index}/${raw.events[index].name}`));
        assert.equal(event.raw, line, 'raw is the received activity, byte for byte');
        assert.equal(event.attributes.event_index, String(index));
        assert.equal(event.attributes.application, raw.id.applicationName);
      });
    });

    test(`${name}: encodes and decodes with the published schema`, () => {
      for (const event of normalizeGoogleActivity(raw, ctx)) {
        const decoded = decode(encode('audit-event', event));
        assert.equal(decoded.schema.id, 'audit-event.v1');
        assert.deepEqual(toJsonView(decoded.record as typeof event), toJsonView(event));
      }
    });
  });

  test('every event of every sample has its own event id, and the same record always gets the same ids', () => {
    const ids = samples.flatMap((line) => normalizeGoogleActivity(JSON.parse(line), ctx).map((e) => e.event_id));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(samples.flatMap((line) => normalizeGoogleActivity(JSON.parse(line), ctx).map((e) => e.event_id)), ids);
    const other = normalizeGoogleActivity(JSON.parse(samples[1]!), { ...ctx, instance: 'emea' })[0]!;
    assert.notEqual(other.event_id, ids[1], 'event ids depend on the instance');
  });

  test('the actor of a system action (callerType KEY, key SYSTEM) is the system; the network region is the country', () => {
    const groups = normalizeGoogleActivity(JSON.parse(samples[8]!), ctx)[0]!;
    assert.deepEqual(groups.actor, { id: null, email: null, name: 'SYSTEM', type: 'system' });
    const forwarding = normalizeGoogleActivity(JSON.parse(samples[7]!), ctx)[0]!;
    assert.equal(forwarding.source.country, 'FR');
    assert.equal(forwarding.attributes.ip_asn, '12345');
    assert.equal(forwarding.attributes.email_forwarding_destination_address, 'jane.doe@example.net');
  });

  test('parameters become attributes: values, booleans, int values, lists; message lists as JSON', () => {
    const drive = normalizeGoogleActivity(JSON.parse(samples[5]!), ctx)[1]!;
    assert.equal(drive.attributes.visibility, 'shared_externally');
    assert.equal(drive.attributes.new_value, 'can_edit');
    assert.equal(drive.attributes.billable, 'true');
    assert.equal(drive.attributes.event_type, 'acl_change');
    const revoke = normalizeGoogleActivity(JSON.parse(samples[0]!), ctx)[0]!;
    assert.equal(revoke.attributes.scope, 'https://www.google.com/accounts/OAuthLogin');
    assert.deepEqual(JSON.parse(revoke.attributes.scope_data!), [{ parameter: [{ name: 'scope_name', value: 'https://www.google.com/accounts/OAuthLogin' }, { multiValue: ['IDENTITY'], name: 'product_bucket' }] }]);
  });
});

describe('normalizeGoogleActivityEvent mapping', () => {
  const login = JSON.parse(samples[1]!) as Raw;
  const withEvent = (application: string, event: Raw): Raw => ({ ...login, id: { ...login.id, applicationName: application }, events: [event] });

  test('outcomes: only events that say so succeed or fail; everything else is unknown', () => {
    const cases: Array<[string, Raw, string, string | null]> = [
      ['login', { name: 'login_failure', parameters: [{ name: 'login_failure_type', value: 'login_failure_invalid_password' }] }, 'failure', 'login_failure_invalid_password'],
      ['login', { name: 'logout' }, 'success', null],
      ['login', { name: 'login_challenge', parameters: [{ name: 'login_challenge_status', value: 'Challenge Passed' }] }, 'success', null],
      ['login', { name: 'login_verification', parameters: [{ name: 'login_challenge_status', value: 'Challenge Failed' }] }, 'failure', 'Challenge Failed'],
      ['login', { name: 'login_challenge', parameters: [{ name: 'login_challenge_status', value: '' }] }, 'unknown', null],
      ['login', { name: 'suspicious_login' }, 'unknown', null],
      ['saml', { name: 'login_failure', parameters: [{ name: 'failure_type', value: 'failure_app_not_configured_for_user' }] }, 'failure', 'failure_app_not_configured_for_user'],
      ['admin', { name: 'SUSPEND_USER' }, 'unknown', null],
    ];
    for (const [application, event, outcome, reason] of cases) {
      const normalized = normalizeGoogleActivityEvent(withEvent(application, event), 0, ctx);
      assert.deepEqual([normalized.outcome, normalized.outcome_reason], [outcome, reason], `${application} ${event.name}`);
    }
  });

  test('Drive sharing events are read by their values: unshare, link created, link removed', () => {
    const param = (values: Record<string, string>) => (name: string) => values[name] ?? null;
    assert.equal(googleEventMapping('drive', 'change_user_access', param({ new_value: 'none' })).action, 'file_unshare');
    assert.equal(googleEventMapping('drive', 'change_user_access', param({ new_value: 'can_view' })).action, 'file_share');
    assert.equal(googleEventMapping('drive', 'change_document_visibility', param({ visibility: 'people_with_link', old_visibility: 'private' })).action, 'file_link_create');
    assert.equal(googleEventMapping('drive', 'change_document_visibility', param({ visibility: 'private', old_visibility: 'public_on_the_web' })).action, 'file_link_remove');
    assert.equal(googleEventMapping('drive', 'change_document_access_scope', param({ new_value: 'none' })).action, 'file_link_remove');
  });

  test('every mapped event uses our documented vocabulary and encodes', () => {
    for (const [application, name] of KNOWN_GOOGLE_EVENTS) {
      const event = normalizeGoogleActivityEvent(withEvent(application, { name }), 0, ctx);
      assert.ok((AUDIT_ACTIONS as readonly string[]).includes(event.action), `${application} ${name}`);
      assert.ok(Object.values(OCSF_CLASS).includes(event.class_uid as never), `${application} ${name}`);
      encode('audit-event', event);
    }
  });

  test('unknown events and applications still flow, as action other in their application\'s category', () => {
    const cases: Array<[string, string, string]> = [
      ['login', 'something_new', 'logon'], ['admin', 'SOMETHING_NEW', 'admin'], ['drive', 'something_new', 'file'], ['token', 'something_new', 'app'],
      ['mobile', 'SOMETHING_NEW', 'admin'], ['chat', 'something_new', 'user'], ['meet', 'something_new', 'user'],
      ['rules', 'something_new', 'security'], ['chrome', 'something_new', 'other'], ['brand_new_app', 'something', 'other'],
    ];
    for (const [application, name, category] of cases) {
      const event = normalizeGoogleActivityEvent(withEvent(application, { name }), 0, ctx);
      assert.deepEqual([event.action, event.category, event.action_raw], ['other', category, name], `${application} ${name}`);
    }
  });
});

describe('normalizeGoogleActivityEvent on malformed records', () => {
  const base = JSON.parse(samples[1]!) as Raw;

  test('a value that is not an object names the record; explode still yields it once so it reaches the dead letters', () => {
    for (const raw of [null, 'text', 42, [base]]) {
      assert.equal(explodeActivity(raw).length, 1);
      expectNormalizeFailure(() => normalizeGoogleActivity(raw, ctx), '(record)');
    }
  });

  test('a missing or invalid id names the field', () => {
    expectNormalizeFailure(() => normalizeGoogleActivity({ ...base, id: undefined }, ctx), 'id');
    expectNormalizeFailure(() => normalizeGoogleActivity({ ...base, id: { ...base.id, time: 'yesterday' } }, ctx), 'id.time');
    expectNormalizeFailure(() => normalizeGoogleActivity({ ...base, id: { ...base.id, uniqueQualifier: undefined } }, ctx), 'id.uniqueQualifier');
    expectNormalizeFailure(() => normalizeGoogleActivity({ ...base, id: { ...base.id, applicationName: '' } }, ctx), 'id.applicationName');
  });

  test('missing or broken events name the field', () => {
    expectNormalizeFailure(() => normalizeGoogleActivity({ ...base, events: [] }, ctx), 'events');
    expectNormalizeFailure(() => normalizeGoogleActivity({ ...base, events: [{ parameters: [] }] }, ctx), 'events[0].name');
    expectNormalizeFailure(() => normalizeGoogleActivity({ ...base, events: [{ name: 'logout' }, 'x'] }, ctx), 'events[1]');
  });

  test('missing optional parts (actor, ip, parameters) still normalize', () => {
    const minimal = { id: { time: '2024-05-01T00:00:00.000Z', uniqueQualifier: '1', applicationName: 'login' }, events: [{ name: 'logout' }] };
    const [event] = normalizeGoogleActivity(minimal, ctx);
    assert.deepEqual(event!.actor, { id: null, email: null, name: null, type: 'unknown' });
    assert.deepEqual(event!.source, { ip: null, user_agent: null, country: null, city: null });
    assert.deepEqual(event!.targets, []);
    encode('audit-event', event!);
  });
});
