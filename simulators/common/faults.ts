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
 * - `expired_token`: a request that carries a continuation (a page token, cursor or query locator) is
 *   refused as expired, the way its provider refuses one past its lifetime. Where the continuation
 *   lives and how the provider refuses it is the simulator's `ContinuationContract` (given to
 *   `createHttpApp`); by default a query parameter named like a token, refused with a generic 400.
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

/** A provider's answer to an expired continuation. */
export interface ContinuationRefusal {
  status: number;
  body: unknown;
  /** Default `application/json`. */
  contentType?: string;
}

/** Where a provider's continuation lives, and how the provider refuses one that expired. */
export interface ContinuationContract {
  /** Whether this request carries a continuation; the body is parsed by then. */
  carries(request: FastifyRequest): boolean;
  refusal(request: FastifyRequest): ContinuationRefusal;
}

/** Values that point at the start of a list (`sysparm_offset=0`, Box `stream_position=now`, Graph delta `token=latest`): a first page, not a continuation. */
const START = new Set(['', '0', 'now', 'latest']);

/**
 * The query parameter of `request` that carries a continuation, and its value: one of `names` (the
 * provider's own: Google's `pageToken`), or by default any named like one (`after`, `cursor`...).
 */
export function queryContinuationParam(request: FastifyRequest, names?: readonly string[]): { name: string; value: string } | null {
  const url = new URL(request.url, 'http://x');
  // A token endpoint's parameters are credentials, not continuations.
  if (/token$/.test(url.pathname)) return null;
  const isContinuation = (name: string) => (names ? names.includes(name) : CONTINUATION.test(name));
  for (const [name, value] of url.searchParams) if (isContinuation(name) && !START.has(value)) return { name, value };
  return null;
}

/** A continuation in a query parameter (see `queryContinuationParam`, with the provider's `names`), refused with `refusal`. */
export function queryContinuation(refusal: (request: FastifyRequest, param: { name: string; value: string }) => ContinuationRefusal, names?: readonly string[]): ContinuationContract {
  return {
    carries: (request) => queryContinuationParam(request, names) !== null,
    refusal: (request) => refusal(request, queryContinuationParam(request, names)!),
  };
}

/** A string field of a JSON request body (parsed, or raw bytes as a simulator with its own parser keeps them). */
export function bodyField(request: FastifyRequest, name: string): string | null {
  let body: unknown = request.body;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    try {
      body = JSON.parse(body.toString());
    } catch {
      return null;
    }
  }
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Where no provider documents its answer: a plausible 400. */
const GENERIC_CONTINUATION = queryContinuation(() => ({ status: 400, body: { error: 'invalid_page_token', message: 'The page token has expired.' } }));

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

  /**
   * The fault this request gets, if any (consumed). An expired token is matched once the body is
   * parsed (a continuation may be a body field); the other faults as the request arrives.
   */
  take(request: FastifyRequest, continuation: ContinuationContract | null): Armed | undefined {
    const hit = this.armed.find((a) => a.left > 0 && (a.kind === 'expired_token') === (continuation !== null) && matches(a, request, continuation));
    if (!hit) return undefined;
    hit.left--;
    this.injected[hit.kind]++;
    return hit;
  }
}

function matches(fault: Armed, request: FastifyRequest, continuation: ContinuationContract | null): boolean {
  if (fault.method === 'write' ? request.method === 'GET' || request.method === 'HEAD' : fault.method && request.method !== fault.method) return false;
  if (fault.path && !fault.path.test(request.url.split('?')[0]!)) return false;
  return continuation === null || continuation.carries(request);
}

const byApp = new WeakMap<FastifyInstance, SimulatorFaults>();
const byPort = new Map<number, SimulatorFaults>();

/** Installs the fault hooks on a simulator's app (done by `createHttpApp`), answering an expired continuation as `continuation` says. */
export function installFaults(app: FastifyInstance, continuation: ContinuationContract = GENERIC_CONTINUATION): SimulatorFaults {
  const faults = new SimulatorFaults();
  byApp.set(app, faults);
  const chosen = new WeakMap<FastifyRequest, Armed>();
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const key = `${request.method} ${request.url.split('?')[0]}`;
      faults.writes.set(key, (faults.writes.get(key) ?? 0) + 1);
    }
    const fault = faults.take(request, null);
    if (!fault) return;
    if (fault.kind === 'status') {
      await reply.code(fault.status ?? 500).header('retry-after', '1').send({ error: 'injected', status: fault.status ?? 500 });
      return reply;
    }
    chosen.set(request, fault);
    return undefined;
  });
  app.addHook('preHandler', async (request, reply) => {
    if (!faults.take(request, continuation)) return undefined;
    const refusal = continuation.refusal(request);
    const contentType = refusal.contentType ?? 'application/json';
    await reply.code(refusal.status).header('content-type', contentType).send(typeof refusal.body === 'string' ? refusal.body : JSON.stringify(refusal.body));
    return reply;
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
