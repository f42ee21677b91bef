import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string | string[]>;
  /** Objects are sent as JSON. */
  body?: unknown;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

export interface TestServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** A scripted loopback HTTP server: answers each request with what `handler` says, and records what it received. */
export async function startServer(handler: (req: Seen, index: number) => Reply | Promise<Reply>): Promise<TestServer> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const index = seen.push(entry) - 1;
      void Promise.resolve(handler(entry, index)).then((reply) => {
        if (reply.hang) return;
        const json = reply.body !== undefined && typeof reply.body !== 'string';
        const text = json ? JSON.stringify(reply.body) : (reply.body as string | undefined) ?? '';
        res.writeHead(reply.status ?? 200, { ...(json ? { 'content-type': 'application/json' } : {}), ...reply.headers });
        res.end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
