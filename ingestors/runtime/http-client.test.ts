import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { AppwardenError, isAppwardenError } from '../../core/errors.js';
import { createLogger, silentLogger } from '../../core/logger.js';
import type { Clock } from './backoff.js';
import { HttpClient, linkHeaderNext, parseLinkHeader, type HttpClientOptions } from './http-client.js';
import { headerBudgetThrottle, type ThrottlePolicy } from './rate-limit.js';
import { startServer, type Reply, type TestServer } from '../../test/support/http-server.js';

// ---------------------------------------------------------------------------------------------
// Helpers: a clock that records waits, and a deadline-bound wait (the scripted server is in test/support).

/**
 * Virtual time. `auto`: every sleep is recorded and returns at once, moving time forward.
 * Manual: sleeps stay pending until `advance` moves time past their end (or their signal aborts).
 */
class TestClock implements Clock {
  nowMs = Date.parse('2024-05-01T12:00:00Z');
  readonly sleeps: number[] = [];
  #pending: Array<{ until: number; resolve(): void }> = [];

  constructor(readonly auto: boolean) {}

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.auto) {
      this.nowMs += ms;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = { until: this.nowMs + ms, resolve };
      this.#pending.push(entry);
      signal?.addEventListener('abort', () => {
        this.#pending = this.#pending.filter((p) => p !== entry);
        reject(signal.reason);
      }, { once: true });
    });
  }

  get pendingSleeps(): number {
    return this.#pending.length;
  }

  advance(ms: number): void {
    this.nowMs += ms;
    const due = this.#pending.filter((p) => p.until <= this.nowMs);
    this.#pending = this.#pending.filter((p) => p.until > this.nowMs);
    for (const p of due) p.resolve();
  }
}

async function waitFor(condition: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function clientFor(server: TestServer, clock: Clock, overrides: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    baseUrl: server.url,
    limits: { concurrency: 4 },
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, maxThrottleWaitMs: 600_000 },
    timeoutMs: 5_000,
    log: silentLogger,
    clock,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the request to fail');
}

function assertCode(err: unknown, code: AppwardenError['code']): asserts err is AppwardenError {
  assert.ok(isAppwardenError(err), `expected an AppwardenError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
}

const oktaThrottle = headerBudgetThrottle({
  limit: 'x-rate-limit-limit', remaining: 'x-rate-limit-remaining', reset: 'x-rate-limit-reset', resetUnit: 'epoch-seconds',
});

// ---------------------------------------------------------------------------------------------

describe('HttpClient: errors and retries', () => {
  test('retries a 503 with backoff, then returns the success', async () => {
    const server = await startServer((_req, i) => (i < 2 ? { status: 503, body: 'busy' } : { body: { ok: true } }));
    try {
      const clock = new TestClock(true);
      const res = await clientFor(server, clock).request<{ ok: boolean }>({ path: '/api/v1/users' });
      assert.deepEqual(res.body, { ok: true });
      assert.equal(server.seen.length, 3);
      // Full jitter: the first retry waits within [0, base], the second within [0, 2 * base].
      assert.equal(clock.sleeps.length, 2);
      assert.ok(clock.sleeps[0]! >= 0 && clock.sleeps[0]! <= 10);
      assert.ok(clock.sleeps[1]! >= 0 && clock.sleeps[1]! <= 20);
    } finally {
      await server.close();
    }
  });

  test('a 400 fails at once with its status and an excerpt of the provider message', async () => {
    const server = await startServer(() => ({ status: 400, body: { errorCode: 'E0000031', errorSummary: 'Invalid search criteria.' } }));
    try {
      const client = clientFor(server, new TestClock(true));
      const err = await rejection(client.request({ path: '/api/v1/logs', query: { filter: 'bad' } }));
      assertCode(err, 'AW_PROVIDER_REQUEST_FAILED');
      assert.equal(err.retriable, false);
      assert.equal(err.details.status, 400);
      assert.equal(err.details.path, '/api/v1/logs');
      assert.match(String(err.details.body), /Invalid search criteria/);
      assert.equal(server.seen.length, 1);
      assert.equal(client.stats().errors, 1);
    } finally {
      await server.close();
    }
  });

  test('a body excerpt in an error is cut to about 500 characters', async () => {
    const server = await startServer(() => ({ status: 404, body: 'x'.repeat(5_000) }));
    try {
      const err = await rejection(clientFor(server, new TestClock(true)).request({ path: '/missing' }));
      assertCode(err, 'AW_PROVIDER_REQUEST_FAILED');
      assert.ok(String(err.details.body).length <= 501);
    } finally {
      await server.close();
    }
  });

  test('5xx until the attempts run out gives a retriable AW_PROVIDER_UNAVAILABLE', async () => {
    const server = await startServer(() => ({ status: 502, body: 'bad gateway' }));
    try {
      const client = clientFor(server, new TestClock(true));
      const err = await rejection(client.request({ path: '/x' }));
      assertCode(err, 'AW_PROVIDER_UNAVAILABLE');
      assert.equal(err.retriable, true);
      assert.equal(err.details.status, 502);
      assert.equal(err.details.attempts, 3);
      assert.equal(server.seen.length, 3);
      assert.equal(client.stats().retries, 2);
    } finally {
      await server.close();
    }
  });

  test('a refused connection is retried, then reported as AW_PROVIDER_UNAVAILABLE', async () => {
    const closed = await startServer(() => ({}));
    await closed.close();
    const clock = new TestClock(true);
    const client = clientFor(closed, clock);
    const err = await rejection(client.request({ path: '/x' }));
    assertCode(err, 'AW_PROVIDER_UNAVAILABLE');
    assert.equal(err.retriable, true);
    assert.equal(err.details.attempts, 3);
    assert.equal(client.stats().requests, 3);
  });

  test('an attempt that gets no answer in time is retried', async () => {
    const server = await startServer((_req, i) => (i === 0 ? { hang: true } : { body: { ok: true } }));
    try {
      const res = await clientFor(server, new TestClock(true), { timeoutMs: 200 }).request({ path: '/slow' });
      assert.deepEqual(res.body, { ok: true });
      assert.equal(server.seen.length, 2);
    } finally {
      await server.close();
    }
  });

  test('a success whose JSON does not parse gives AW_PROVIDER_RESPONSE_INVALID', async () => {
    const server = await startServer(() => ({ headers: { 'content-type': 'application/json' }, body: '{"truncated": ' }));
    try {
      const err = await rejection(clientFor(server, new TestClock(true)).request({ path: '/x' }));
      assertCode(err, 'AW_PROVIDER_RESPONSE_INVALID');
      assert.equal(err.details.status, 200);
    } finally {
      await server.close();
    }
  });

  test('CSV comes back as text and JSON bodies are sent with their content-type', async () => {
    const server = await startServer((req) => (req.method === 'POST'
      ? { body: { echoed: JSON.parse(req.body) as unknown, contentType: req.headers['content-type'] } }
      : { headers: { 'content-type': 'text/csv' }, body: '"EVENT_TYPE","USER_ID"\n"Login","005"\n' }));
    try {
      const client = clientFor(server, new TestClock(true));
      const csv = await client.request<string>({ path: '/services/data/v60.0/sobjects/EventLogFile/0AT/LogFile', responseType: 'text' });
      assert.equal(csv.body, '"EVENT_TYPE","USER_ID"\n"Login","005"\n');
      const posted = await client.request({ method: 'POST', path: '/2/team_log/get_events', body: { limit: 10 } });
      assert.deepEqual(posted.body, { echoed: { limit: 10 }, contentType: 'application/json' });
    } finally {
      await server.close();
    }
  });

  test('a status listed in acceptStatus is returned instead of thrown', async () => {
    const server = await startServer(() => ({ status: 409, body: { error_summary: 'reset/..', error: { '.tag': 'reset' } } }));
    try {
      const res = await clientFor(server, new TestClock(true)).request({ method: 'POST', path: '/2/team_log/get_events/continue', acceptStatus: [409] });
      assert.equal(res.status, 409);
      assert.deepEqual((res.body as { error: unknown }).error, { '.tag': 'reset' });
    } finally {
      await server.close();
    }
  });
});

describe('HttpClient: a refused continuation', () => {
  test('an answer the provider\'s continuationRefused recognises is thrown as AW_PROVIDER_CONTINUATION_EXPIRED, even a status the request accepts; others are not', async () => {
    const server = await startServer((req) => (req.url.includes('/continue')
      ? { status: 409, body: { error_summary: 'reset/..', error: { '.tag': 'reset' } } }
      : { status: 409, body: { error_summary: 'path/not_found/..', error: { '.tag': 'path' } } }));
    try {
      const client = clientFor(server, new TestClock(true), {
        continuationRefused: (res, req) => req.path === '/2/team_log/get_events/continue' && (res.body as { error: { '.tag': string } }).error['.tag'] === 'reset',
      });
      const err = await rejection(client.request({ method: 'POST', path: '/2/team_log/get_events/continue', acceptStatus: [409] }));
      assert.ok(isAppwardenError(err, 'AW_PROVIDER_CONTINUATION_EXPIRED'), String(err));
      assert.equal(err.retriable, false);
      const other = await client.request({ method: 'POST', path: '/2/files/get_metadata', acceptStatus: [409] });
      assert.equal(other.status, 409, 'an endpoint error that is no continuation is answered as before');
    } finally {
      await server.close();
    }
  });
});

describe('HttpClient: authentication', () => {
  test('a 401 calls onUnauthorized once, then retries with the new credentials', async () => {
    const server = await startServer((req) => (req.headers.authorization === 'Bearer fresh' ? { body: { ok: true } } : { status: 401, body: { error: 'expired' } }));
    try {
      let token = 'stale';
      let refreshes = 0;
      const client = clientFor(server, new TestClock(true), {
        authenticate: () => ({ authorization: `Bearer ${token}` }),
        onUnauthorized: async () => {
          refreshes++;
          token = 'fresh';
          return true;
        },
      });
      const res = await client.request({ path: '/v1.0/users' });
      assert.deepEqual(res.body, { ok: true });
      assert.equal(refreshes, 1);
      assert.deepEqual(server.seen.map((s) => s.headers.authorization), ['Bearer stale', 'Bearer fresh']);
    } finally {
      await server.close();
    }
  });

  test('a 401 that persists after the refresh gives AW_PROVIDER_AUTH_FAILED, refreshing only once', async () => {
    const server = await startServer(() => ({ status: 401, body: { error: 'invalid_client' } }));
    try {
      let refreshes = 0;
      const client = clientFor(server, new TestClock(true), {
        authenticate: () => ({ authorization: 'Bearer whatever-token' }),
        onUnauthorized: async () => {
          refreshes++;
          return true;
        },
      });
      const err = await rejection(client.request({ path: '/v1.0/users' }));
      assertCode(err, 'AW_PROVIDER_AUTH_FAILED');
      assert.equal(err.retriable, false);
      assert.equal(err.details.status, 401);
      assert.equal(refreshes, 1);
      assert.equal(server.seen.length, 2);
    } finally {
      await server.close();
    }
  });

  test('the credentials never appear in an error or a log line, even when the provider echoes them', async () => {
    const token = 'SSWS 00aBcDeFgHiJkLmNoPqRsTuVwXyZ-secret';
    // A provider that echoes the request headers in its error bodies.
    const server = await startServer((req) => {
      const status = req.url.startsWith('/bad') ? 400 : req.url.startsWith('/auth') ? 403 : 500;
      return { status, body: { message: 'refused', received: req.headers } };
    });
    const lines: string[] = [];
    const destination = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
    try {
      const client = clientFor(server, new TestClock(true), {
        authenticate: () => ({ authorization: token }),
        log: createLogger({ level: 'debug', destination }),
      });
      const errors = await Promise.all(['/bad', '/auth', '/down'].map((path) => rejection(client.request({ path }))));
      assert.deepEqual(errors.map((e) => (e as AppwardenError).code), ['AW_PROVIDER_REQUEST_FAILED', 'AW_PROVIDER_AUTH_FAILED', 'AW_PROVIDER_UNAVAILABLE']);
      const secretPart = token.slice('SSWS '.length);
      for (const err of errors) {
        const e = err as AppwardenError;
        const text = `${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e.details)}\n${String(e.cause ?? '')}`;
        assert.ok(!text.includes(secretPart), `token leaked in ${e.code}: ${text}`);
        assert.match(String(e.details.body), /\[redacted\]/);
      }
      assert.ok(lines.length > 0, 'the retries of /down were logged');
      assert.ok(!lines.join('').includes(secretPart), 'token leaked in the logs');
    } finally {
      await server.close();
    }
  });

  test('a paging link to another origin is refused before the credentials are sent', async () => {
    const server = await startServer(() => ({ body: [] }));
    try {
      const client = clientFor(server, new TestClock(true), { authenticate: () => ({ authorization: 'Bearer t0ken-value' }) });
      const err = await rejection(client.request({ url: 'http://127.0.0.2:9/api/v1/logs?after=x' }));
      assertCode(err, 'AW_PROVIDER_REQUEST_FAILED');
      assert.equal(server.seen.length, 0);
    } finally {
      await server.close();
    }
  });
});

describe('HttpClient: throttling', () => {
  test('a 429 with Retry-After: 1 waits one second, without using the error retry budget', async () => {
    const clock = new TestClock(true);
    const arrivals: number[] = [];
    const server = await startServer((_req, i) => {
      arrivals.push(clock.now());
      return i < 2 ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests' } } } : { body: { value: [] } };
    });
    try {
      const client = clientFor(server, clock, { retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100, maxThrottleWaitMs: 60_000 } });
      const res = await client.request({ path: '/v1.0/auditLogs/signIns' });
      assert.equal(res.status, 200);
      assert.deepEqual(clock.sleeps, [1_000, 1_000]);
      assert.ok(arrivals[1]! - arrivals[0]! >= 1_000 && arrivals[2]! - arrivals[1]! >= 1_000);
      const stats = client.stats();
      assert.equal(stats.throttled, 2);
      assert.equal(stats.retries, 0);
      assert.equal(stats.throttleWaitMs, 2_000);
    } finally {
      await server.close();
    }
  });

  test('a provider-specific throttle answer (Google 403 rateLimitExceeded) is waited out with backoff', async () => {
    const googleThrottle: ThrottlePolicy = {
      isThrottled: (res) => res.status === 403 && JSON.stringify(res.body).includes('RateLimitExceeded'),
    };
    const server = await startServer((_req, i) => (i === 0
      ? { status: 403, body: { error: { code: 403, errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded' }] } } }
      : { body: { items: [] } }));
    try {
      const clock = new TestClock(true);
      const client = clientFor(server, clock, { throttle: googleThrottle });
      const res = await client.request({ path: '/admin/reports/v1/activity/users/all/applications/login' });
      assert.equal(res.status, 200);
      assert.equal(clock.sleeps.length, 1);
      assert.ok(clock.sleeps[0]! <= 10);
      assert.equal(client.stats().throttled, 1);
    } finally {
      await server.close();
    }
  });

  test('a wait longer than maxThrottleWaitMs fails with AW_PROVIDER_THROTTLED, and the instance fails fast meanwhile', async () => {
    const server = await startServer(() => ({ status: 429, headers: { 'retry-after': '3600' }, body: { code: 'rate_limit_exceeded' } }));
    try {
      const clock = new TestClock(true);
      const client = clientFor(server, clock, { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, maxThrottleWaitMs: 60_000 } });
      const err = await rejection(client.request({ path: '/2.0/events' }));
      assertCode(err, 'AW_PROVIDER_THROTTLED');
      assert.equal(err.retriable, true);
      assert.equal(err.details.waitMs, 3_600_000);
      assert.deepEqual(clock.sleeps, []);
      // The provider said an hour: a second request does not knock again.
      const again = await rejection(client.request({ path: '/2.0/users' }));
      assertCode(again, 'AW_PROVIDER_THROTTLED');
      assert.equal(server.seen.length, 1);
      assert.equal(client.stats().pausedUntil, clock.now() + 3_600_000);
    } finally {
      await server.close();
    }
  });

  test('Okta-style X-Rate-Limit-Remaining: 0 pauses the instance until the reset', async () => {
    const clock = new TestClock(false);
    const resetEpochSeconds = Math.floor(clock.now() / 1000) + 30;
    const arrivals: Array<{ url: string; at: number }> = [];
    const server = await startServer((req, i) => {
      arrivals.push({ url: req.url, at: clock.now() });
      const remaining = i === 0 && req.url.startsWith('/a/') ? 0 : 100;
      return {
        headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String(resetEpochSeconds) },
        body: [{ n: i }],
      };
    });
    try {
      const a = clientFor(server, clock, { throttle: oktaThrottle });
      const witness = clientFor(server, clock, { throttle: oktaThrottle });
      await a.request({ path: '/a/api/v1/logs' });
      assert.equal(a.stats().pausedUntil, resetEpochSeconds * 1000 + 1_000);
      const queued = [1, 2, 3].map((n) => a.request({ path: `/a/api/v1/users/${n}` }));
      // Another client's round trips show time passing: none of the queued requests went out.
      for (let n = 0; n < 3; n++) await witness.request({ path: `/witness/${n}` });
      assert.deepEqual(arrivals.filter((r) => r.url.startsWith('/a/')).length, 1);
      assert.equal(clock.pendingSleeps, 1);
      clock.advance(31_000);
      await Promise.all(queued);
      const late = arrivals.filter((r) => r.url.startsWith('/a/api/v1/users/'));
      assert.equal(late.length, 3);
      for (const r of late) assert.ok(r.at >= resetEpochSeconds * 1000, `${r.url} went out before the reset`);
      assert.equal(a.stats().throttled, 0, 'no request was answered 429');
    } finally {
      await server.close();
    }
  });

  test('two instances: while one waits out a 429, the other keeps going', async () => {
    const clock = new TestClock(false);
    let throttledOnce = false;
    const server = await startServer((req) => {
      if (req.url === '/throttled/first' && !throttledOnce) {
        throttledOnce = true;
        return { status: 429, headers: { 'retry-after': '120' }, body: { errorCode: 'E0000047' } };
      }
      return { body: { url: req.url } };
    });
    try {
      const throttled = clientFor(server, clock);
      const other = clientFor(server, clock);
      const first = throttled.request<{ url: string }>({ path: '/throttled/first' });
      await waitFor(() => clock.pendingSleeps === 1, 'the throttled instance to pause');
      const second = throttled.request<{ url: string }>({ path: '/throttled/second' });
      const done = await Promise.all([1, 2, 3, 4, 5].map((n) => other.request<{ url: string }>({ path: `/other/${n}` })));
      assert.deepEqual(done.map((r) => r.body.url), ['/other/1', '/other/2', '/other/3', '/other/4', '/other/5']);
      assert.equal(other.stats().throttled, 0);
      // The throttled instance sent nothing more while the other completed five requests.
      assert.deepEqual(server.seen.filter((s) => s.url.startsWith('/throttled/')).map((s) => s.url), ['/throttled/first']);
      assert.deepEqual(clock.sleeps, [120_000]);
      clock.advance(120_000);
      assert.deepEqual([(await first).body.url, (await second).body.url], ['/throttled/first', '/throttled/second']);
      assert.equal(throttled.stats().throttled, 1);
    } finally {
      await server.close();
    }
  });

  test('aborting stops a pending throttle wait', async () => {
    const clock = new TestClock(false);
    const server = await startServer(() => ({ status: 429, headers: { 'retry-after': '30' } }));
    try {
      const stop = new AbortController();
      const client = clientFor(server, clock, { signal: stop.signal });
      const pending = client.request({ path: '/api/v1/logs' });
      await waitFor(() => clock.pendingSleeps === 1, 'the throttle wait');
      stop.abort();
      await assert.rejects(pending, { name: 'AbortError' });
      assert.equal(server.seen.length, 1);
      assert.equal(client.stats().errors, 0);
    } finally {
      await server.close();
    }
  });
});

describe('HttpClient: paging and pace', () => {
  test('paginate follows Link rel="next" across pages and stops when there is none', async () => {
    const server = await startServer((req) => {
      const after = Number(new URL(req.url, 'http://x').searchParams.get('after') ?? '0');
      const links = [`<${req.url}>; rel="self"`];
      if (after < 2) links.push(`</api/v1/logs?after=${after + 1}&limit=2>; rel="next"`);
      // Two Link header lines, as Okta sends self and next.
      return { headers: { link: links }, body: [{ uuid: `e${after}a` }, { uuid: `e${after}b` }] };
    });
    try {
      const client = clientFor(server, new TestClock(true));
      const pages: Array<{ index: number; uuids: string[] }> = [];
      const walk = client.paginate<{ uuid: string }>({ path: '/api/v1/logs', query: { limit: 2 } }, (res) => {
        const next = linkHeaderNext(res);
        return { items: res.body as Array<{ uuid: string }>, next: next ? { url: next } : null };
      });
      for await (const page of walk) pages.push({ index: page.index, uuids: page.items.map((e) => e.uuid) });
      assert.deepEqual(pages, [
        { index: 0, uuids: ['e0a', 'e0b'] },
        { index: 1, uuids: ['e1a', 'e1b'] },
        { index: 2, uuids: ['e2a', 'e2b'] },
      ]);
      assert.deepEqual(server.seen.map((s) => s.url), ['/api/v1/logs?limit=2', '/api/v1/logs?after=1&limit=2', '/api/v1/logs?after=2&limit=2']);
    } finally {
      await server.close();
    }
  });

  test('paginate stops a paging loop after maxPages', async () => {
    const server = await startServer(() => ({ headers: { link: '</loop>; rel="next"' }, body: [] }));
    try {
      const client = clientFor(server, new TestClock(true));
      const walk = client.paginate({ path: '/loop' }, (res) => ({ items: [], next: { url: linkHeaderNext(res)! } }), { maxPages: 5 });
      let pages = 0;
      const err = await rejection((async () => { for await (const _ of walk) pages++; })());
      assertCode(err, 'AW_PROVIDER_RESPONSE_INVALID');
      assert.equal(pages, 5);
    } finally {
      await server.close();
    }
  });

  test('no more than `concurrency` requests of an instance are in flight', async () => {
    let maxInFlight = 0;
    const held: Array<() => void> = [];
    const server = await startServer((req) => (req.url === '/witness' ? { body: {} } : new Promise<Reply>((resolve) => {
      held.push(() => resolve({ body: { ok: true } }));
      maxInFlight = Math.max(maxInFlight, held.length);
    })));
    try {
      const clock = new TestClock(true);
      const client = clientFor(server, clock, { limits: { concurrency: 2 } });
      const witness = clientFor(server, clock);
      const all = Promise.all(Array.from({ length: 8 }, (_, n) => client.request({ path: `/r/${n}` })));
      for (let round = 0; round < 4; round++) {
        await waitFor(() => held.length === 2, `two requests in flight (round ${round})`);
        // Another client's round trip lets any third request of the first client arrive, if it was sent.
        await witness.request({ path: '/witness' });
        assert.equal(held.length, 2);
        for (const release of held.splice(0)) release();
      }
      await all;
      assert.equal(maxInFlight, 2);
      assert.equal(server.seen.filter((s) => s.url.startsWith('/r/')).length, 8);
    } finally {
      await server.close();
    }
  });
});

describe('rate-limit policies and Link parsing', () => {
  test('headerBudgetThrottle reads Okta headers into a budget with the reset margin', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    const headers = new Headers({ 'x-rate-limit-limit': '1200', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(now / 1000 + 10) });
    const res = { status: 200, headers, body: [], url: 'https://example.okta.com/api/v1/logs' };
    assert.deepEqual(oktaThrottle.budget?.(res, now), { remaining: 0, limit: 1200, resetInMs: 11_000 });
    assert.equal(oktaThrottle.waitMs?.({ ...res, status: 429 }, now), 11_000);
    headers.set('retry-after', '3');
    assert.equal(oktaThrottle.waitMs?.({ ...res, status: 429 }, now), 3_000);
  });

  test('parseLinkHeader reads several links, quoted and unquoted parameters, and commas inside URLs', () => {
    const value = '<https://x.service-now.com/api/now/table/incident?sysparm_query=a,b&sysparm_offset=0>;rel="first", '
      + '<https://x.service-now.com/api/now/table/incident?sysparm_offset=40>;rel=next;title="page, two"';
    assert.deepEqual(parseLinkHeader(value), [
      { url: 'https://x.service-now.com/api/now/table/incident?sysparm_query=a,b&sysparm_offset=0', params: { rel: 'first' } },
      { url: 'https://x.service-now.com/api/now/table/incident?sysparm_offset=40', params: { rel: 'next', title: 'page, two' } },
    ]);
  });

  test('linkHeaderNext finds next among several rel values and resolves relative links', () => {
    const res = (link: string | null) => ({ headers: new Headers(link === null ? {} : { link }), url: 'https://api.example.com/v1/items?page=1' });
    assert.equal(linkHeaderNext(res('<https://api.example.com/v1/items?page=3>; rel="last", </v1/items?page=2>; REL="prefetch next"')), 'https://api.example.com/v1/items?page=2');
    assert.equal(linkHeaderNext(res('<https://api.example.com/v1/items?page=1>; rel="self"')), null);
    assert.equal(linkHeaderNext(res(null)), null);
  });
});
