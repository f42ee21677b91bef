import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppwardenError, providerStatus, ProviderHttpError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { startServer, type Seen, type TestServer } from '../../test/support/http-server.js';
import { withCallerSignal } from './caller-signal.js';
import { HttpClient, pathSegment, type HttpClientOptions } from './http-client.js';

function clientFor<C = unknown>(server: TestServer, overrides: Partial<HttpClientOptions<C>> = {}): HttpClient<C> {
  return new HttpClient<C>({
    baseUrl: server.url,
    limits: { concurrency: 4 },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, maxThrottleWaitMs: 60_000 },
    timeoutMs: 5_000,
    log: silentLogger,
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

async function withServers<T>(count: number, handler: (servers: TestServer[], req: Seen, which: number) => { status?: number; headers?: Record<string, string>; body?: unknown }, fn: (servers: TestServer[]) => Promise<T>): Promise<T> {
  const servers: TestServer[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startServer((req) => handler(servers, req, i)));
    return await fn(servers);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
}

// A request signature in the manner of AWS SigV4: it covers the method, the path and query, the
// signed headers and the SHA-256 of the body, so the hook must see the request exactly as sent.
const SIGNING_KEY = 'signing-key-of-the-test';
function signature(method: string, pathAndQuery: string, contentType: string, body: string): string {
  const canonical = [method, pathAndQuery, `content-type:${contentType}`, createHash('sha256').update(body).digest('hex')].join('\n');
  return createHmac('sha256', SIGNING_KEY).update(canonical).digest('hex');
}

describe('HttpClient: the signing hook sees the final request', () => {
  test('method, URL with its query, headers and body bytes reach the hook, so a body-hash signature verifies', async () => {
    await withServers(1, (_s, req) => {
      const expected = signature(req.method, req.url, String(req.headers['content-type'] ?? ''), req.body);
      return req.headers['x-signature'] === expected ? { body: { ok: true } } : { status: 403, body: { error: 'SignatureDoesNotMatch' } };
    }, async ([server]) => {
      const client = clientFor(server!, {
        authenticate: (req) => {
          const body = typeof req.body === 'string' ? req.body : Buffer.from(req.body ?? '').toString('utf8');
          return { 'x-signature': signature(req.method, `${req.url.pathname}${req.url.search}`, req.headers['content-type'] ?? '', body) };
        },
      });
      const res = await client.request({ method: 'POST', path: '/queue', query: { Action: 'SendMessage', Version: '2012-11-05' }, body: { message: 'héllo' } });
      assert.deepEqual(res.body, { ok: true });
      const raw = await client.request({
        method: 'PUT', path: '/object', rawBody: new TextEncoder().encode('raw bytes'), headers: { 'Content-Type': 'application/octet-stream' },
      });
      assert.equal(raw.status, 200);
    });
  });

  test('each request names its credential (a token audience), and the hook picks the token from it', async () => {
    await withServers(1, () => ({ body: {} }), async ([server]) => {
      const tokens = { graph: 'graph-token', management: 'management-token' } as const;
      const client = clientFor<keyof typeof tokens>(server!, {
        authenticate: (req) => ({ authorization: `Bearer ${tokens[req.credential ?? 'graph']}` }),
      });
      await client.request({ path: '/v1.0/users' });
      await client.request({ path: '/api/v1.0/tenant/activity/feed/subscriptions/list', credential: 'management' });
      assert.deepEqual(server!.seen.map((s) => s.headers.authorization), ['Bearer graph-token', 'Bearer management-token']);
    });
  });
});

describe('HttpClient: redirects', () => {
  test('a redirect within the origin is followed and signed again for its own URL; a 307 keeps the method and body', async () => {
    await withServers(1, (_s, req) => {
      if (req.url === '/old') return { status: 307, headers: { location: '/new?x=1' } };
      if (req.url === '/see-other') return { status: 303, headers: { location: '/result' } };
      return { body: { url: req.url, method: req.method, body: req.body } };
    }, async ([server]) => {
      const signedFor: string[] = [];
      const client = clientFor(server!, {
        authenticate: (req) => {
          signedFor.push(`${req.method} ${req.url.pathname}${req.url.search}`);
          return { authorization: 'Bearer same-origin-token' };
        },
      });
      const moved = await client.request<{ url: string; method: string; body: string }>({ method: 'POST', path: '/old', body: { a: 1 } });
      assert.deepEqual(moved.body, { url: '/new?x=1', method: 'POST', body: '{"a":1}' });
      assert.equal(moved.url, `${server!.url}/new?x=1`);
      const seeOther = await client.request<{ method: string; body: string }>({ method: 'POST', path: '/see-other', body: { a: 1 } });
      assert.deepEqual(seeOther.body, { url: '/result', method: 'GET', body: '' });
      assert.deepEqual(signedFor, ['POST /old', 'POST /new?x=1', 'POST /see-other', 'GET /result']);
    });
  });

  test('a redirect to another origin is refused: that origin receives nothing, neither credentials nor body', async () => {
    await withServers(2, (servers, req, which) => (which === 0
      ? { status: 302, headers: { location: `${servers[1]!.url}/steal?from=${encodeURIComponent(req.url)}` } }
      : { body: { stolen: true } }), async ([provider, other]) => {
      const client = clientFor(provider!, { authenticate: () => ({ authorization: 'Bearer must-stay-home' }) });
      const err = await rejection(client.request({ method: 'POST', path: '/token', rawBody: 'client_secret=abc', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
      assert.ok(isAppwardenError(err, 'AW_PROVIDER_REQUEST_FAILED'), String(err));
      assert.match(err.message, /redirect to http:\/\/127\.0\.0\.1:\d+; credentials are never sent to another origin/);
      assert.equal(other!.seen.length, 0);
      assert.equal(provider!.seen.length, 1);
    });
  });

  test('a redirect loop within the origin stops after a few hops', async () => {
    await withServers(1, (_s, req) => ({ status: 301, headers: { location: `${req.url}x` } }), async ([server]) => {
      const err = await rejection(clientFor(server!).request({ path: '/a' }));
      assert.ok(isAppwardenError(err, 'AW_PROVIDER_RESPONSE_INVALID'), String(err));
      assert.match(err.message, /redirected more than 3 times/);
      assert.deepEqual(server!.seen.map((s) => s.url), ['/a', '/ax', '/axx', '/axxx']);
    });
  });
});

describe('HttpClient: where credentials may go', () => {
  const options = (baseUrl: string, trustedOrigins: string[] = []) => ({
    baseUrl, trustedOrigins, limits: { concurrency: 1 }, retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxThrottleWaitMs: 0 }, timeoutMs: 1000, log: silentLogger,
  });

  test('https anywhere, plain http only to a loopback address', () => {
    for (const ok of ['https://acme.okta.com', 'https://graph.microsoft.com/v1.0', 'http://127.0.0.1:8081', 'http://127.1.2.3', 'http://localhost:80', 'http://[::1]:9000/api']) {
      assert.doesNotThrow(() => new HttpClient(options(ok)), ok);
    }
    for (const refused of ['http://acme.okta.com', 'http://10.0.0.8', 'http://localhost.example.com', 'ftp://acme.okta.com', 'https://user:pass@acme.okta.com']) {
      assert.throws(() => new HttpClient(options(refused)), (err: unknown) => isAppwardenError(err, 'AW_CONFIG_INVALID') && err.message.includes(`baseUrl: ${refused}`), refused);
    }
    assert.throws(() => new HttpClient(options('https://admin.googleapis.com', ['http://www.googleapis.com'])),
      (err: unknown) => isAppwardenError(err, 'AW_CONFIG_INVALID') && /trustedOrigins: http:\/\/www\.googleapis\.com must be https/.test(err.message));
  });
});

describe('HttpClient: errors', () => {
  test('a refusal is a ProviderHttpError with the provider status; the API status of the error stays its own', async () => {
    await withServers(1, () => ({ status: 404, body: { error: 'gone' } }), async ([server]) => {
      const err = await rejection(clientFor(server!).request({ path: '/users/u1' }));
      assert.ok(err instanceof ProviderHttpError);
      assert.equal(providerStatus(err), 404);
      assert.equal(err.httpStatus, 404);
      assert.equal(err.status, 502);
      assert.equal(providerStatus(new Error('not from a provider')), null);
    });
  });

  test('a secret request body (a client secret, a signed assertion) and the configured secrets never reach an error, even when echoed', async () => {
    const clientSecret = 'Cl1ent~Secret+With/Special=Chars';
    const assertion = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJzYSJ9.c2lnbmF0dXJlLWJ5dGVz';
    await withServers(1, (_s, req) => ({ status: 400, body: { error: 'invalid_client', error_description: `received ${req.body}`, decoded: Object.fromEntries(new URLSearchParams(req.body)) } }), async ([server]) => {
      const client = clientFor(server!, { secrets: ['configured-api-key-123'] });
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_secret: clientSecret, assertion, note: 'configured-api-key-123' }).toString();
      const err = await rejection(client.request({
        method: 'POST', path: '/oauth2/token', rawBody: form, secretBody: true, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }));
      assert.ok(err instanceof ProviderHttpError);
      const text = `${err.message}\n${JSON.stringify(err.details)}\n${err.stack ?? ''}`;
      for (const secret of [clientSecret, encodeURIComponent(clientSecret), assertion, 'configured-api-key-123']) {
        assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
      }
      assert.match(String(err.details.body), /\[redacted\]/);
      assert.equal(client.scrub(`said ${clientSecret}`), 'said [redacted]');
    });
  });
});

describe('HttpClient: cancellation by the caller', () => {
  test('a request made under withCallerSignal is cancelled by that signal; the same client keeps serving others', async () => {
    await withServers(1, (_s, req) => (req.url === '/slow' ? { status: 503, headers: { 'retry-after': '30' } } : { body: { ok: true } }), async ([server]) => {
      const client = clientFor(server!, { retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5, maxThrottleWaitMs: 60_000 } });
      const runner = new AbortController();
      const slow = withCallerSignal(runner.signal, () => client.request({ path: '/slow' }));
      await new Promise((resolve) => setImmediate(resolve));
      runner.abort(new Error('runner stopped'));
      const err = await rejection(slow);
      assert.equal((err as Error).message, 'runner stopped');
      assert.deepEqual((await client.request({ path: '/fast' })).body, { ok: true });
    });
  });
});

describe('pathSegment', () => {
  test('encodes an id as one path segment', () => {
    assert.equal(pathSegment('alice@example.com'), 'alice%40example.com');
    assert.equal(pathSegment('b!x y?z#'), 'b!x%20y%3Fz%23');
    assert.equal(pathSegment('site.contoso.com,1,2'), 'site.contoso.com%2C1%2C2');
  });

  test('refuses empty, dot segments, slashes and backslashes', () => {
    for (const id of ['', '.', '..', 'a/b', '../users', 'a\\b']) {
      assert.throws(() => pathSegment(id), (err: unknown) => isAppwardenError(err, 'AW_BAD_REQUEST') && err.message.includes('cannot be used as an id in a URL path'), JSON.stringify(id));
    }
  });
});
