import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { createClock } from '../common/clock.js';
import { readJsonLines } from '../common/json.js';
import { startOktaSimulator, type OktaLogEvent, type OktaSimulator, type OktaSimulatorOptions } from './index.js';

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  next?: string;
}

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function call(sim: OktaSimulator, pathOrUrl: string, init: RequestInit & { token?: string | null } = {}): Promise<Answer> {
  const { token = sim.token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set('authorization', `SSWS ${token}`);
  const response = await fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.url}${pathOrUrl}`, { ...rest, headers });
  const text = await response.text();
  const next = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text), ...(next ? { next } : {}) };
}

/** Follows `next` links from `path` until a page has none (bounded reads) or is empty (polls). */
async function readAll(sim: OktaSimulator, path: string, maxPages = 500): Promise<{ events: OktaLogEvent[]; pages: Answer[] }> {
  const events: OktaLogEvent[] = [];
  const pages: Answer[] = [];
  let url: string | undefined = path;
  for (let i = 0; url !== undefined; i++) {
    assert.ok(i < maxPages, 'paging did not end');
    const page = await call(sim, url);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    pages.push(page);
    const batch = page.body as OktaLogEvent[];
    events.push(...batch);
    url = batch.length === 0 ? undefined : page.next;
  }
  return { events, pages };
}

/** Follows a polling read to its first empty page; returns that page's next link (the caught-up cursor). */
async function pollToEnd(sim: OktaSimulator, path: string, maxPages = 100): Promise<string> {
  let page = await call(sim, path);
  for (let i = 0; (page.body as unknown[]).length > 0; i++) {
    assert.ok(i < maxPages, 'polling did not catch up');
    page = await call(sim, page.next!);
  }
  return page.next!;
}

function logsPath(params: Record<string, string | number>): string {
  return `/api/v1/logs?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function withSimulator(options: OktaSimulatorOptions, body: (sim: OktaSimulator) => Promise<void>): Promise<void> {
  const sim = await startOktaSimulator(options);
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

describe('okta simulator', () => {
  let sim: OktaSimulator;
  before(async () => {
    sim = await startOktaSimulator({ seed: 'shared', users: 45, groups: 6, eventsPerDay: 2400, days: 1 });
  });
  after(async () => {
    await sim.close();
  });

  test('refuses a missing or wrong token with E0000011', async () => {
    for (const token of [null, 'wrong-token']) {
      const answer = await call(sim, '/api/v1/logs', { token });
      assert.equal(answer.status, 401);
      const body = answer.body as Record<string, unknown>;
      assert.deepEqual({ ...body, errorId: 'x' }, { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorLink: 'E0000011', errorId: 'x', errorCauses: [] });
      assert.match(String(body.errorId), /^oae\w{22}$/);
    }
    const bearer = await fetch(`${sim.url}/api/v1/users`, { headers: { authorization: `Bearer ${sim.token}` } });
    assert.equal(bearer.status, 401);
  });

  test('pages through a bounded window: each event exactly once, then no next link', async () => {
    const now = sim.clock.now();
    const since = iso(now - 20 * HOUR);
    const until = iso(now - 2 * HOUR);
    const { events, pages } = await readAll(sim, logsPath({ since, until, limit: 150 }));
    const expected = sim.eventsFor({ since, until }).map((e) => e.uuid);
    assert.ok(expected.length > 1000, `window holds ${expected.length} events`);
    assert.deepEqual(events.map((e) => e.uuid), expected);
    assert.equal(new Set(expected).size, expected.length);
    for (const e of events) {
      const published = Date.parse(String(e.published));
      assert.ok(published >= Date.parse(since) && published < Date.parse(until));
    }
    assert.equal(pages.at(-1)!.next, undefined, 'the last page of a bounded read has no next link');
    for (const page of pages.slice(0, -1)) assert.ok(page.next!.startsWith(`${sim.url}/api/v1/logs?`), page.next);
    assert.match(pages[0]!.headers.get('link')!, /rel="self"/);
  });

  test('reads DESCENDING in reverse published order', async () => {
    const now = sim.clock.now();
    const params = { since: iso(now - 6 * HOUR), until: iso(now - 3 * HOUR), limit: 200 };
    const ascending = (await readAll(sim, logsPath(params))).events.map((e) => e.uuid);
    const descending = (await readAll(sim, logsPath({ ...params, sortOrder: 'DESCENDING' }))).events;
    assert.deepEqual(descending.map((e) => e.uuid), [...ascending].reverse());
  });

  test('a polling request returns a next link even on an empty page, and later events through it', async () => {
    const empty = await call(sim, logsPath({ since: iso(sim.clock.now()) }));
    assert.deepEqual(empty.body, []);
    assert.ok(empty.next);
    const stillEmpty = await call(sim, empty.next);
    assert.deepEqual(stillEmpty.body, []);
    assert.ok(stillEmpty.next);
    const added = sim.addEvent({ eventType: 'user.session.start', actor: { alternateId: 'late-poller@example.com' } });
    const withEvent = await call(sim, stillEmpty.next);
    assert.deepEqual((withEvent.body as OktaLogEvent[]).map((e) => e.uuid), [added.uuid]);
    assert.ok(withEvent.next);
  });

  test('filters by eventType and actor.alternateId, and refuses a bad filter', async () => {
    const now = sim.clock.now();
    const window = { since: iso(now - 24 * HOUR), until: iso(now), limit: 1000 };
    const sessions = (await readAll(sim, logsPath({ ...window, filter: 'eventType eq "user.session.start"' }))).events;
    assert.ok(sessions.length > 0);
    assert.ok(sessions.every((e) => e.eventType === 'user.session.start'));
    const all = sim.eventsFor({ since: window.since, until: window.until });
    assert.equal(sessions.length, all.filter((e) => e.eventType === 'user.session.start').length);

    const alice = sim.state.users[0]!;
    const byAlice = (await readAll(sim, logsPath({ ...window, filter: `actor.alternateId eq "${alice.profile.login}"` }))).events;
    assert.deepEqual(byAlice.map((e) => e.uuid), sim.eventsFor({ actorLogin: alice.profile.login, ...window }).map((e) => e.uuid));
    assert.ok(byAlice.length > 0 && byAlice.every((e) => (e.actor as { id: string }).id === alice.id));

    const failures = (await readAll(sim, logsPath({ ...window, filter: 'eventType eq "user.session.start" and outcome.reason eq "INVALID_CREDENTIALS"' }))).events;
    assert.ok(failures.length > 0 && failures.every((e) => (e.outcome as { result: string }).result === 'FAILURE'));

    const keyword = (await readAll(sim, logsPath({ ...window, q: 'Madrid' }))).events;
    assert.ok(keyword.length > 0 && keyword.every((e) => JSON.stringify(e).includes('Madrid')));

    const bad = await call(sim, logsPath({ filter: 'eventType eq' }));
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { errorCode: string }).errorCode, 'E0000031');
  });

  test('refuses since older than 90 days, unreadable dates and a bad sortOrder with E0000001', async () => {
    const old = await call(sim, logsPath({ since: iso(sim.clock.now() - 91 * 24 * HOUR) }));
    const unreadable = await call(sim, logsPath({ until: '01-01-2017' }));
    const order = await call(sim, logsPath({ sortOrder: 'SIDEWAYS' }));
    for (const answer of [old, unreadable, order]) {
      assert.equal(answer.status, 400);
      const body = answer.body as { errorCode: string; errorSummary: string; errorCauses: unknown[] };
      assert.equal(body.errorCode, 'E0000001');
      assert.match(body.errorSummary, /^Api validation failed/);
      assert.ok(body.errorCauses.length > 0);
    }
  });

  test('serves events made from the samples, with the mix of a real org', async () => {
    const events = sim.eventsFor();
    const types = new Map<string, number>();
    for (const e of events) types.set(String(e.eventType), (types.get(String(e.eventType)) ?? 0) + 1);
    const mostCommon = [...types.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    assert.equal(mostCommon, 'user.session.start');
    for (const type of ['policy.evaluate_sign_on', 'user.authentication.sso', 'user.authentication.auth_via_mfa', 'user.session.access_admin_app']) {
      assert.ok(types.has(type), `has ${type}`);
    }
    for (const e of events.slice(0, 200)) {
      assert.match(String(e.uuid), /^[0-9a-f-]{36}$/);
      assert.ok(!Number.isNaN(Date.parse(String(e.published))));
      const client = e.client as { ipAddress: string; geographicalContext: { country: string } };
      assert.ok(client.ipAddress && client.geographicalContext.country);
      assert.ok((e.actor as { alternateId?: string }).alternateId);
    }
  });

  test('users have the shape of the Okta docs sample', async () => {
    const [sample] = readJsonLines(new URL('./testdata/users.jsonl', import.meta.url)) as Record<string, Record<string, unknown>>[];
    const served = (await call(sim, '/api/v1/users/alice@example.com')).body as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(served).sort(), Object.keys(sample!).sort());
    assert.deepEqual(Object.keys(served.profile!).sort(), Object.keys(sample!.profile!).sort());
    assert.deepEqual(served.credentials!.provider, sample!.credentials!.provider);
    assert.match(String(served.id), /^00u\w{17}$/);
  });

  test('lists users with paging and search, and finds one by login', async () => {
    const { pages } = await readAll(sim, '/api/v1/users?limit=20');
    const listed = pages.flatMap((p) => p.body as { id: string; status: string }[]);
    const expected = sim.state.users.filter((u) => u.status !== 'DEPROVISIONED');
    assert.deepEqual(listed.map((u) => u.id), expected.map((u) => u.id));
    assert.equal(pages.length, Math.ceil(expected.length / 20));
    const suspended = await call(sim, `/api/v1/users?search=${encodeURIComponent('status eq "SUSPENDED"')}`);
    assert.deepEqual((suspended.body as { id: string }[]).map((u) => u.id), sim.state.users.filter((u) => u.status === 'SUSPENDED').map((u) => u.id));

    const alice = await call(sim, '/api/v1/users/alice@example.com');
    assert.equal((alice.body as { id: string }).id, sim.userByLogin('alice@example.com')!.id);
    const groups = await call(sim, `/api/v1/users/${sim.state.users[0]!.id}/groups`);
    assert.ok((groups.body as { profile: { name: string } }[]).some((g) => g.profile.name === 'Everyone'));
    const grants = await call(sim, '/api/v1/users/alice/grants?expand=scope');
    for (const grant of grants.body as { scopeId: string; userId: string; issuer: string; _embedded: { scope: { id: string } } }[]) {
      assert.equal(grant.userId, sim.state.users[0]!.id);
      assert.equal(grant._embedded.scope.id, grant.scopeId);
      assert.equal(grant.issuer, sim.url);
    }
    const roles = await call(sim, '/api/v1/users/alice@example.com/roles');
    assert.ok((roles.body as { type: string; assignmentType: string }[]).some((r) => r.type === 'SUPER_ADMIN' && r.assignmentType === 'USER'));
    const missing = await call(sim, '/api/v1/users/nobody@example.com');
    assert.equal(missing.status, 404);
    assert.deepEqual({ ...(missing.body as object), errorId: 'x' }, {
      errorCode: 'E0000007', errorSummary: 'Not found: Resource not found: nobody@example.com (User)', errorLink: 'E0000007', errorId: 'x', errorCauses: [],
    });
  });
});

describe('okta simulator rate limits', () => {
  test('headers count down per endpoint family; over budget answers 429 E0000047 until the reset', async () => {
    const clock = createClock();
    clock.set(Math.ceil(Date.now() / 60_000) * 60_000); // the start of a window
    await withSimulator({ seed: 'limits', days: 0.1, clock, rateLimit: { limit: 3, windowMs: 60_000 } }, async (sim) => {
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const answer = await call(sim, '/api/v1/logs');
        assert.equal(answer.status, 200);
        assert.equal(answer.headers.get('x-rate-limit-limit'), '3');
        remaining.push(answer.headers.get('x-rate-limit-remaining')!);
      }
      assert.deepEqual(remaining, ['2', '1', '0']);
      const refused = await call(sim, '/api/v1/logs');
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('x-rate-limit-remaining'), '0');
      const reset = Number(refused.headers.get('x-rate-limit-reset'));
      assert.equal(reset, Math.ceil((Math.floor(clock.now() / 60_000) + 1) * 60), 'reset is the window end in epoch seconds');
      const body = refused.body as Record<string, unknown>;
      assert.deepEqual({ ...body, errorId: 'x' }, {
        errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.', errorLink: 'E0000047', errorId: 'x', errorCauses: [],
      });
      assert.equal((await call(sim, '/api/v1/users')).status, 200, 'users have their own budget');
      assert.equal(sim.requests.throttled, 1);
      assert.equal(sim.requests.throttledByFamily.logs, 1);
      assert.equal(sim.requests.byFamily.logs, 4);

      clock.set(reset * 1000);
      assert.equal((await call(sim, '/api/v1/logs')).status, 200, 'recovered after the reset');
    });
  });

  test('recovers in real time after a short window', async () => {
    await withSimulator({ seed: 'short-window', days: 0.1, rateLimit: { limit: 1, windowMs: 500 } }, async (sim) => {
      const refused = await waitFor('a 429', async () => {
        const answer = await call(sim, '/api/v1/groups');
        return answer.status === 429 ? answer : undefined;
      });
      assert.ok(Number(refused.headers.get('x-rate-limit-reset')) * 1000 >= Date.now() - 1000);
      await waitFor('the budget to come back', async () => ((await call(sim, '/api/v1/groups')).status === 200 ? true : undefined));
    });
  });

  test('throttleNext answers the next requests with 429 and the given reset', async () => {
    await withSimulator({ seed: 'throttle', days: 0.1 }, async (sim) => {
      sim.throttleNext(2, { resetInMs: 30_000 });
      const before = Date.now();
      for (const path of ['/api/v1/logs', '/api/v1/users']) {
        const answer = await call(sim, path);
        assert.equal(answer.status, 429);
        assert.equal((answer.body as { errorCode: string }).errorCode, 'E0000047');
        assert.ok(Number(answer.headers.get('x-rate-limit-reset')) >= Math.floor((before + 29_000) / 1000));
      }
      assert.equal((await call(sim, '/api/v1/logs')).status, 200);
      assert.equal(sim.requests.throttled, 2);
    });
  });
});

describe('okta simulator governance', () => {
  test('suspend changes the status, shows on GET user, logs user.lifecycle.suspend; a second suspend is refused', async () => {
    await withSimulator({ seed: 'governance', users: 30, days: 0.5 }, async (sim) => {
      const target = sim.state.users.find((u, i) => i > 0 && u.status === 'ACTIVE')!;
      const poll = await call(sim, logsPath({ since: iso(sim.clock.now()) }));
      assert.ok(poll.next);

      const suspended = await call(sim, `/api/v1/users/${target.id}/lifecycle/suspend`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      assert.equal(suspended.status, 200);
      assert.equal(((await call(sim, `/api/v1/users/${target.id}`)).body as { status: string }).status, 'SUSPENDED');

      const events = (await call(sim, poll.next)).body as OktaLogEvent[];
      const event = events.find((e) => e.eventType === 'user.lifecycle.suspend');
      assert.ok(event, 'the next poll shows the suspension');
      assert.equal((event.target as { id: string }[])[0]!.id, target.id);
      assert.equal((event.actor as { alternateId: string }).alternateId, 'alice@example.com');
      assert.equal((event.debugContext as { debugData: { requestUri: string } }).debugData.requestUri, `/api/v1/users/${target.id}/lifecycle/suspend`);

      const again = await call(sim, `/api/v1/users/${target.id}/lifecycle/suspend`, { method: 'POST' });
      assert.equal(again.status, 400);
      assert.equal((again.body as { errorCode: string }).errorCode, 'E0000001');
      const unknown = await call(sim, '/api/v1/users/00uNOPE/lifecycle/suspend', { method: 'POST' });
      assert.equal(unknown.status, 404);
      assert.equal((unknown.body as { errorCode: string }).errorCode, 'E0000007');

      assert.equal((await call(sim, `/api/v1/users/${target.id}/lifecycle/unsuspend`, { method: 'POST' })).status, 200);
      assert.equal(sim.state.users.find((u) => u.id === target.id)!.status, 'ACTIVE');
    });
  });

  test('sessions, grants, group membership and roles are revoked and logged', async () => {
    await withSimulator({ seed: 'revoke', users: 30, groups: 4, days: 0.5 }, async (sim) => {
      const alice = sim.state.users[0]!;
      const start = sim.clock.now();

      assert.equal((await call(sim, `/api/v1/users/${alice.id}/sessions?oauthTokens=true`, { method: 'DELETE' })).status, 204);

      const grants = (await call(sim, `/api/v1/users/${alice.id}/grants`)).body as { id: string }[];
      assert.ok(grants.length >= 2);
      assert.equal((await call(sim, `/api/v1/users/${alice.id}/grants/${grants[0]!.id}`, { method: 'DELETE' })).status, 204);
      assert.equal(((await call(sim, `/api/v1/users/${alice.id}/grants`)).body as unknown[]).length, grants.length - 1);
      assert.equal((await call(sim, `/api/v1/users/${alice.id}/grants`, { method: 'DELETE' })).status, 204);
      assert.deepEqual((await call(sim, `/api/v1/users/${alice.id}/grants`)).body, []);

      const group = sim.state.groups.find((g) => g.type === 'OKTA_GROUP' && sim.state.memberships.get(g.id)!.has(alice.id))!;
      assert.equal((await call(sim, `/api/v1/groups/${group.id}/users/${alice.id}`, { method: 'DELETE' })).status, 204);
      const members = (await call(sim, `/api/v1/groups/${group.id}/users`)).body as { id: string }[];
      assert.ok(!members.some((m) => m.id === alice.id));

      const adminEntry = [...sim.state.userRoles.entries()].find(([userId]) => userId !== alice.id)!;
      const [adminId, [role]] = adminEntry as [string, { id: string }[]];
      assert.equal((await call(sim, `/api/v1/users/${adminId}/roles/${role!.id}`, { method: 'DELETE' })).status, 204);
      assert.ok(!((await call(sim, `/api/v1/users/${adminId}/roles`)).body as { id: string }[]).some((r) => r.id === role!.id));
      assert.equal((await call(sim, `/api/v1/users/${adminId}/roles/${role!.id}`, { method: 'DELETE' })).status, 404);

      const logged = (await readAll(sim, logsPath({ since: iso(start), until: iso(sim.clock.now() + 1000), limit: 100 }))).events.map((e) => e.eventType);
      assert.deepEqual(logged.filter((t) => t !== 'app.oauth2.as.consent.revoke'), ['user.session.clear', 'group.user_membership.remove', 'user.account.privilege.revoke']);
      assert.equal(logged.filter((t) => t === 'app.oauth2.as.consent.revoke').length, grants.length);
    });
  });
});

describe('okta simulator late events and raw records', () => {
  test('an event is served only once its visibleAt has passed, and polls pick it up by persistence time', async () => {
    const clock = createClock();
    await withSimulator({ seed: 'late', days: 0.5, clock }, async (sim) => {
      const now = clock.now();
      const cursor = await pollToEnd(sim, logsPath({ since: iso(now - 60_000) }));

      const added = sim.addEvent({ uuid: 'late-event-1', eventType: 'user.session.start', published: iso(now - 10 * 60_000) }, { visibleAt: now + 60_000 });
      const window = logsPath({ since: iso(now - HOUR), until: iso(now + HOUR), limit: 1000 });
      const uuidsNow = (await readAll(sim, window)).events.map((e) => e.uuid);
      assert.ok(!uuidsNow.includes(added.uuid));
      assert.deepEqual(sim.eventsFor({ since: iso(now - 11 * 60_000), until: iso(now - 9 * 60_000) }).filter((e) => e.uuid === added.uuid).length, 1);

      clock.advance(61_000);
      const uuidsLater = (await readAll(sim, window)).events.map((e) => e.uuid);
      assert.ok(uuidsLater.includes(added.uuid));
      const polled = (await call(sim, cursor)).body as OktaLogEvent[];
      assert.deepEqual(polled.map((e) => e.uuid), [added.uuid], 'the poll serves it although it was published before the poll began');
    });
  });

  test('lateFraction holds back some generated events for lateByMs', async () => {
    const clock = createClock();
    await withSimulator({ seed: 'late-fraction', days: 0.5, eventsPerDay: 5000, lateFraction: 0.5, lateByMs: HOUR, clock }, async (sim) => {
      const now = clock.now();
      const window = logsPath({ since: iso(now - HOUR), until: iso(now), limit: 1000 });
      const expected = sim.eventsFor({ since: iso(now - HOUR), until: iso(now) }).map((e) => e.uuid);
      const servedNow = (await readAll(sim, window)).events.map((e) => e.uuid);
      assert.ok(servedNow.length < expected.length);
      clock.advance(HOUR);
      assert.deepEqual((await readAll(sim, window)).events.map((e) => e.uuid), expected);
    });
  });

  test('a bounded read ends exactly at its last event, even with ties and repeated uuids', async () => {
    await withSimulator({ seed: 'ties', eventsPerDay: 0, days: 1 }, async (sim) => {
      const at = iso(sim.clock.now() - HOUR);
      for (const uuid of ['b', 'a', 'b', 'c']) sim.addEvent({ uuid, eventType: 'user.session.start', published: at });
      const { events, pages } = await readAll(sim, logsPath({ since: iso(sim.clock.now() - 2 * HOUR), until: iso(sim.clock.now()), limit: 2 }));
      assert.deepEqual(events.map((e) => e.uuid), ['a', 'b', 'b', 'c']);
      assert.equal(pages.length, 2, 'no empty third page: the second, full page has no next link');
      const descending = await readAll(sim, logsPath({ since: iso(sim.clock.now() - 2 * HOUR), until: iso(sim.clock.now()), limit: 3, sortOrder: 'DESCENDING' }));
      assert.deepEqual(descending.events.map((e) => e.uuid), ['c', 'b', 'b', 'a']);
    });
  });

  test('live mode keeps generating activity as the clock moves on', async () => {
    const clock = createClock();
    await withSimulator({ seed: 'live', days: 0.1, eventsPerDay: 86_400, live: true, clock }, async (sim) => {
      const start = clock.now();
      const cursor = await pollToEnd(sim, logsPath({ since: iso(start - 60_000) }));
      clock.advance(120_000);
      const fresh = (await call(sim, cursor)).body as OktaLogEvent[];
      assert.ok(fresh.length > 60, `${fresh.length} new events in two minutes at one a second`);
      assert.ok(fresh.every((e) => Date.parse(String(e.published)) >= start - 1000));
    });
  });

  test('injected raw records are served exactly as given', async () => {
    await withSimulator({ seed: 'raw', days: 0.2 }, async (sim) => {
      const poll = await call(sim, logsPath({ since: iso(sim.clock.now()) }));
      const raws = [{ uuid: 'no-published', eventType: 'user.session.start' }, { uuid: 'bad-date', published: 'not a date' }, 'not even an object'];
      for (const raw of raws) sim.injectRawEvent(raw);
      assert.deepEqual((await call(sim, poll.next!)).body, raws);
    });
  });
});

describe('okta simulator determinism and options', () => {
  test('the same seed gives the same org and events; another seed does not', async () => {
    const first = await startOktaSimulator({ seed: 99, days: 0.5 });
    const second = await startOktaSimulator({ seed: 99, days: 0.5 });
    const other = await startOktaSimulator({ seed: 100, days: 0.5 });
    try {
      assert.equal(first.state.users[0]!.id, second.state.users[0]!.id);
      assert.equal(first.state.events[0]!.uuid, second.state.events[0]!.uuid);
      assert.equal(first.token, second.token);
      const page = async (sim: OktaSimulator) => ((await call(sim, logsPath({ limit: 50 }))).body as OktaLogEvent[]).map((e) => [e.uuid, e.eventType]);
      assert.deepEqual(await page(first), await page(second));
      assert.notEqual(first.state.users[0]!.id, other.state.users[0]!.id);
      assert.notEqual(first.state.events[0]!.uuid, other.state.events[0]!.uuid);
      assert.equal(first.state.users[0]!.profile.login, 'alice@example.com');
      assert.equal(first.userByLogin('ALICE@example.com'), first.state.users[0]);
    } finally {
      await Promise.all([first.close(), second.close(), other.close()]);
    }
  });

  test('invalid options are reported all at once', async () => {
    await assert.rejects(startOktaSimulator({ users: 0, days: 120, rateLimit: { limit: -1 }, domain: 'not a domain' }), (err: unknown) => {
      assert.ok(isAppwardenError(err, 'AW_CONFIG_INVALID'));
      assert.deepEqual(err.details.problems, ['users: must be >= 1', 'days: must be <= 90', 'rateLimit.limit: must be >= 1', 'domain: must match /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i']);
      return true;
    });
  });

  test('unknown endpoints answer 404 with an Okta error body', async () => {
    await withSimulator({ seed: 'unknown', days: 0.1 }, async (sim) => {
      const answer = await call(sim, '/api/v1/nothing-here');
      assert.equal(answer.status, 404);
      assert.equal((answer.body as { errorCode: string }).errorCode, 'E0000007');
      assert.ok(answer.headers.get('x-rate-limit-remaining'));
    });
  });
});

describe('okta simulator: permissions', () => {
  test('a denied permission answers 403 E0000006 to the calls that need it, others go on; allowed again, they work', async () => {
    const sim = await startOktaSimulator({ users: 3, eventsPerDay: 10, days: 1, denyPermissions: ['okta.logs.read'] });
    try {
      const refused = await call(sim, '/api/v1/logs?limit=1');
      assert.equal(refused.status, 403);
      assert.equal((refused.body as { errorCode: string }).errorCode, 'E0000006');
      assert.equal((await call(sim, '/api/v1/users?limit=1')).status, 200);
      sim.allow('okta.logs.read');
      assert.equal((await call(sim, '/api/v1/logs?limit=1')).status, 200);
      sim.deny('okta.users.manage');
      const user = sim.state.users[1]!;
      assert.equal((await call(sim, `/api/v1/users/${user.id}/lifecycle/suspend`, { method: 'POST' })).status, 403);
      assert.equal((await call(sim, `/api/v1/users/${user.id}`)).status, 200, 'reading still works');
    } finally {
      await sim.close();
    }
  });

  test('an unknown permission to deny is refused with the known ones named', async () => {
    await assert.rejects(startOktaSimulator({ denyPermissions: ['okta.logs.write'] }), (err: Error) => isAppwardenError(err, 'AW_CONFIG_INVALID') && /denyPermissions: .*okta\.logs\.read/.test(err.message));
  });
});
