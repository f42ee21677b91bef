import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { HttpClient } from './http-client.js';
import { bodyLinkPages, bodyTokenPages, collect, itemPages, linkHeaderPages } from './paging.js';

// A provider with 7 items served 3 a page, in each of the three paging styles.
const ITEMS = [1, 2, 3, 4, 5, 6, 7];
const PAGE = 3;
let server: Server;
let http: HttpClient;
let base: string;

function slice(from: number) {
  const items = ITEMS.slice(from, from + PAGE);
  return { items, more: from + PAGE < ITEMS.length };
}

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const from = Number(url.searchParams.get('from') ?? url.searchParams.get('pageToken') ?? 0);
    const { items, more } = slice(from);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    let body: unknown;
    if (url.pathname === '/link-header') {
      if (more) headers.link = `<${base}/link-header?from=${from + PAGE}>; rel="next"`;
      body = items;
    } else if (url.pathname === '/next-link') {
      body = { value: items, ...(more ? { '@odata.nextLink': `/next-link?from=${from + PAGE}` } : {}) };
    } else if (url.pathname === '/token') {
      body = { files: items, ...(more ? { nextPageToken: String(from + PAGE) } : {}) };
    } else if (url.pathname === '/broken') {
      body = { nothing: true };
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  http = new HttpClient({
    baseUrl: base, limits: { concurrency: 2 }, retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, maxThrottleWaitMs: 1000 }, timeoutMs: 5000, log: silentLogger,
  });
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('paging helpers', () => {
  test('follow a Link header, a next link in the body and a page token, page by page', async () => {
    const pages: number[][] = [];
    for await (const items of itemPages<number>(http, { path: '/link-header' }, linkHeaderPages())) pages.push(items);
    assert.deepEqual(pages, [[1, 2, 3], [4, 5, 6], [7]]);
    assert.deepEqual(await collect(itemPages<number>(http, { path: '/next-link', query: { from: 0 } }, bodyLinkPages('value', '@odata.nextLink'))), ITEMS);
    assert.deepEqual(await collect(itemPages<number>(http, { path: '/token', query: { pageSize: PAGE } }, bodyTokenPages('files', 'nextPageToken', 'pageToken'))), ITEMS);
  });

  test('a page without its list is a provider error, not an empty list', async () => {
    await assert.rejects(collect(itemPages(http, { path: '/broken' }, bodyLinkPages('value', '@odata.nextLink'))),
      (err: unknown) => isAppwardenError(err, 'AW_PROVIDER_RESPONSE_INVALID') && /value array/.test(err.message));
  });
});
