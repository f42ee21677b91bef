/** The HTTP client's streamed bodies and origins learned at run time. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { HttpClient } from './http-client.js';

/** A server whose body is written chunk by chunk, as long as the reader wants, then ended; or an error status. */
async function chunkServer(chunks: number, chunkBytes: number): Promise<{ url: string; written: () => number; close(): Promise<void> }> {
  let written = 0;
  const server = createServer((req, res) => {
    if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv' });
    let sent = 0;
    const pump = (): void => {
      while (sent < chunks) {
        sent++;
        written += chunkBytes;
        if (!res.write(Buffer.alloc(chunkBytes, 'a'))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    written: () => written,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function client(baseUrl: string, timeoutMs = 5_000): HttpClient {
  return new HttpClient({
    baseUrl, limits: { concurrency: 2 }, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, maxThrottleWaitMs: 1000 }, timeoutMs, log: silentLogger,
  });
}

describe('HttpClient: streamed bodies', () => {
  test('a 2xx body is a stream read at the caller pace, and the whole of it arrives', async () => {
    const server = await chunkServer(64, 16_384);
    try {
      const res = await client(server.url).request<Readable>({ path: '/file', responseType: 'stream' });
      let bytes = 0;
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
      assert.equal(bytes, 64 * 16_384);
    } finally {
      await server.close();
    }
  });

  test('a reader that stops early cancels the download: the server does not write the rest', async () => {
    const server = await chunkServer(100_000, 65_536); // 6.5 GB if read whole
    try {
      const res = await client(server.url).request<Readable>({ path: '/file', responseType: 'stream' });
      let bytes = 0;
      for await (const chunk of res.body) {
        bytes += (chunk as Buffer).length;
        if (bytes > 1_000_000) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(server.written() < 200 * 65_536, `the server stopped writing (${server.written()} bytes)`);
    } finally {
      await server.close();
    }
  });

  test('the timeout does not run while the caller does not ask for more', async () => {
    const server = await chunkServer(8, 1024);
    try {
      const res = await client(server.url, 200).request<Readable>({ path: '/file', responseType: 'stream' });
      let bytes = 0;
      for await (const chunk of res.body) {
        bytes += (chunk as Buffer).length;
        await new Promise((resolve) => setTimeout(resolve, 80)); // a slow consumer, 8 × 80 ms > the 200 ms timeout
      }
      assert.equal(bytes, 8 * 1024);
    } finally {
      await server.close();
    }
  });

  test('an error status is decoded as usual, not streamed', async () => {
    const server = await chunkServer(1, 10);
    try {
      const err = await client(server.url).request({ path: '/missing', responseType: 'stream' }).then(() => null, (e: unknown) => e);
      assert.ok(isAppwardenError(err, 'AW_PROVIDER_REQUEST_FAILED'));
      assert.match(String((err.details as { body?: string }).body), /NOT_FOUND/);
    } finally {
      await server.close();
    }
  });
});

describe('HttpClient: origins learned at run time', () => {
  test('an origin is refused until trusted; an http origin off loopback is never trusted', async () => {
    const server = await chunkServer(1, 10);
    try {
      const other = server.url.replace('127.0.0.1', 'localhost');
      const http = client(server.url);
      const refused = await http.request({ url: `${other}/file`, responseType: 'buffer' }).then(() => null, (e: unknown) => e);
      assert.ok(isAppwardenError(refused, 'AW_PROVIDER_REQUEST_FAILED'));
      assert.equal(http.trustOrigin(`${other}/ignored/path`), other);
      assert.throws(() => http.trustOrigin('http://example.com'), (e: unknown) => isAppwardenError(e, 'AW_PROVIDER_RESPONSE_INVALID'));
    } finally {
      await server.close();
    }
  });
});
