import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../core/clickhouse.js';
import { freshName } from '../test/support/fresh.js';
import { testDataDir, testLog } from '../test/support/stack.js';
import { OPEN_SECURITY } from '../test/support/auth.js';
import { buildApp } from './app.js';
import { CONSOLE_CSP } from './console.js';

let clickhouse: ClickHouse;
let app: FastifyInstance;
let open: FastifyInstance;

before(async () => {
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('aw_console'), log: testLog });
  // Authentication on, no key known: every data route answers 401, the console's files still load.
  app = await buildApp({ security: { ...OPEN_SECURITY, authentication: true }, clickhouse, log: testLog, maxPageSize: 50 });
  open = await buildApp({ security: OPEN_SECURITY, clickhouse, log: testLog, maxPageSize: 50 });
});

after(async () => {
  await app?.close();
  await open?.close();
  await clickhouse?.close();
});

describe('the console\'s static files', () => {
  test('every console path answers the page, with a strict CSP and no inline script or style', async () => {
    for (const url of ['/console/', '/console/activities?user=alice%40example.com', '/console/alerts/0123']) {
      const res = await app.inject({ url, headers: { host: 'localhost:8080' } });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.equal(res.headers['content-security-policy'], CONSOLE_CSP);
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.doesNotMatch(res.body, /<script>|<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i, 'no inline script, style or handler');
    }
    const csp = Object.fromEntries(CONSOLE_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.deepEqual([csp['default-src'], csp['script-src'], csp['style-src'], csp['connect-src'], csp['frame-ancestors'], csp['form-action']],
      ["'none'", "'self'", "'self'", "'self'", "'none'", "'none'"]);
  });

  test('the script and style it names are served, cached for good under their content hash; nothing else is', async () => {
    const page = await app.inject({ url: '/console/' });
    const assets = [...page.body.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.equal(assets.length, 2);
    for (const url of assets) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['cache-control'] as string, /immutable/);
      assert.match(res.headers['content-type'] as string, url.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      assert.ok(res.body.length > 1000);
    }
    assert.equal((await app.inject({ url: '/console/assets/main.js' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/console/assets/..%2F..%2Fpackage.json' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/console' })).headers.location, '/console/');
  });

  test('the console route is public, the data is not: no key, no data; a foreign Host is refused on both', async () => {
    assert.equal((await app.inject({ url: '/v1/activities' })).statusCode, 401);
    assert.equal((await app.inject({ url: '/v1/me' })).statusCode, 401);
    assert.equal((await app.inject({ url: '/console/', headers: { host: 'evil.example:8080' } })).statusCode, 421);
    assert.equal((await app.inject({ url: '/console/', headers: { origin: 'https://evil.example' } })).headers['access-control-allow-origin'], undefined);
  });

  test('GET /v1/me names the caller and its role', async () => {
    const res = await open.inject({ url: '/v1/me' });
    assert.equal(res.statusCode, 200);
    const me = res.json() as { id: string; role: string; raw: boolean };
    assert.equal(me.role, 'admin');
    assert.equal(me.raw, true);
    assert.match(me.id, /^local:/);
  });
});
