import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';

/**
 * Faults every simulator can be told to inject, armed from a test through `simulatorFaults(url)`:
 * wired once in `createHttpApp`, so each simulator answers them the same way.
 *
 * - `status`: answer with this status (500, 503, ...) and a small JSON error body instead of serving.
 * - `hang`: serve the request, then hold the answer `delayMs` (past the client's timeout); the
 *   request's effect (a governance call) has happened, the client never learns it.
 * - `reset`: send the status line, headers and half of the body, then destroy the connection.
 * - `truncate`: answer 200 with the first half of the body (invalid JSON) and a matching length.
 * - `expired_token`: a request that carries a continuation token (a query parameter named like one)
 *   is refused as expired (400), as providers refuse a page token past its lifetime.
 */
export type FaultKind = 'status' | 'hang' | 'reset' | 'truncate' | 'expired_token';

export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests get the fault; default 1. */
  count?: number;
  /** For `status`. */
  status?: number;
  /** For `hang`. */
  delayMs?: number;
  /** Only requests with this method; `write`: any but GET and HEAD (governance calls); default any. */
  method?: string;
  /** Only requests whose path (no query) matches. */
  path?: RegExp;
}

interface Armed extends FaultSpec {
  left: number;
}

const CONTINUATION = /(token|cursor|after|skip|next|position|locator|marker|offset|page)/i;

/** Faults armed on one simulator, and how many of each it injected. */
export class SimulatorFaults {
  private readonly armed: Armed[] = [];
  readonly injected: Record<FaultKind, number> = { status: 0, hang: 0, reset: 0, truncate: 0, expired_token: 0 };
  /** Requests other than GET/HEAD served, by `METHOD path` (no query): how often a change was asked for. */
  readonly writes = new Map<string, number>();

  arm(spec: FaultSpec): void {
    this.armed.push({ ...spec, left: spec.count ?? 1 });
  }

  clear(): void {
    this.armed.length = 0;
  }

  /** Faults still waiting for a request to hit. */
  pending(): number {
    return this.armed.reduce((n, a) => n + a.left, 0);
  }

  /** The fault this request gets, if any (consumed). */
  take(request: FastifyRequest): Armed | undefined {
    const hit = this.armed.find((a) => a.left > 0 && matches(a, request));
    if (!hit) return undefined;
    hit.left--;
    this.injected[hit.kind]++;
    return hit;
  }
}

function matches(fault: Armed, request: FastifyRequest): boolean {
  if (fault.method === 'write' ? request.method === 'GET' || request.method === 'HEAD' : fault.method && request.method !== fault.method) return false;
  if (fault.path && !fault.path.test(request.url.split('?')[0]!)) return false;
  if (fault.kind === 'expired_token') {
    const query = new URL(request.url, 'http://x').searchParams;
    return [...query.keys()].some((k) => CONTINUATION.test(k)) && !/token$/.test(new URL(request.url, 'http://x').pathname);
  }
  return true;
}

const byApp = new WeakMap<FastifyInstance, SimulatorFaults>();
const byPort = new Map<number, SimulatorFaults>();

/** Installs the fault hooks on a simulator's app (done by `createHttpApp`). */
export function installFaults(app: FastifyInstance): SimulatorFaults {
  const faults = new SimulatorFaults();
  byApp.set(app, faults);
  const chosen = new WeakMap<FastifyRequest, Armed>();
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const key = `${request.method} ${request.url.split('?')[0]}`;
      faults.writes.set(key, (faults.writes.get(key) ?? 0) + 1);
    }
    const fault = faults.take(request);
    if (!fault) return;
    if (fault.kind === 'status') {
      await reply.code(fault.status ?? 500).header('retry-after', '1').send({ error: 'injected', status: fault.status ?? 500 });
      return reply;
    }
    if (fault.kind === 'expired_token') {
      await reply.code(400).send({ error: 'invalid_page_token', message: 'The page token has expired.' });
      return reply;
    }
    chosen.set(request, fault);
    return undefined;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const fault = chosen.get(request);
    if (!fault) return payload;
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (fault.kind === 'hang') {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 30_000));
      return payload;
    }
    if (text === undefined) return payload;
    const half = text.slice(0, Math.floor(text.length / 2));
    if (fault.kind === 'truncate') {
      reply.code(200).header('content-length', Buffer.byteLength(half));
      return half;
    }
    // reset: half the body, then the connection is destroyed.
    reply.removeHeader('content-length');
    return new Readable({
      read() {
        this.push(half);
        setTimeout(() => {
          request.raw.socket.destroy();
          this.destroy();
        }, 20);
      },
    });
  });
  return faults;
}

/** Remembers which port a simulator app listens on (done by `startHttpServer`). */
export function registerFaultPort(app: FastifyInstance, port: number): void {
  const faults = byApp.get(app);
  if (faults) byPort.set(port, faults);
}

/** The faults of the simulator listening at `url` (any URL on its port), or undefined. */
export function simulatorFaults(url: string): SimulatorFaults | undefined {
  const port = Number(new URL(url).port);
  return byPort.get(port);
}

/** The faults of every simulator whose URL appears in `settings` (a connector's settings reach one or more). */
export function faultsInSettings(settings: unknown): SimulatorFaults[] {
  const found = new Set<SimulatorFaults>();
  for (const match of JSON.stringify(settings).matchAll(/https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+/g)) {
    const faults = simulatorFaults(match[0]);
    if (faults) found.add(faults);
  }
  return [...found];
}
