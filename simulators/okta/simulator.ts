import type { FastifyInstance } from 'fastify';
import type { Clock } from '../common/clock.js';
import { createHttpApp, startHttpServer } from '../common/http-server.js';
import { createPrng } from '../common/prng.js';
import { createRateLimiter, type RateLimitDecision } from '../common/rate-limiter.js';
import type { Directory, OktaUser } from './directory.js';
import { generateDirectory } from './directory-generator.js';
import { loadEventKinds, type OktaLogEvent } from './event-kinds.js';
import type { LogEntry } from './event-store.js';
import { Governance } from './governance.js';
import { registerDirectoryRoutes } from './directory-routes.js';
import { oktaErrorId } from './ids.js';
import { registerGovernanceRoutes } from './governance-routes.js';
import { registerLogsRoute } from './logs-route.js';
import { OktaApiError, oktaContinuation, oktaErrors } from './okta-errors.js';
import { permissionOf, type OktaPermission } from './permissions.js';
import { resolveOktaOptions, type OktaSimulatorOptions, type ResolvedOktaOptions } from './options.js';
import { SystemLog, type TimeInput } from './system-log.js';
import { UserLookup } from './user-lookup.js';
import { generationDay } from '../common/anchored-history.js';

/** The org's data, live: governance calls change it, and tests may read it. */
export interface OktaState extends Directory {
  /** Every System Log entry, in published order (generated ones are rendered when served). */
  readonly events: readonly LogEntry[];
}

/** Requests received per endpoint family (`logs`, `users`, `groups`, ...) and how many were refused with 429. */
export interface OktaRequestCounters {
  byFamily: Record<string, number>;
  throttledByFamily: Record<string, number>;
  throttled: number;
}

export interface OktaSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the org URL a connector is configured with). */
  url: string;
  /** The API token to send as `Authorization: SSWS <token>`. */
  token: string;
  state: OktaState;
  requests: OktaRequestCounters;
  options: Readonly<ResolvedOktaOptions>;
  clock: Clock;
  close(): Promise<void>;
  /** Adds a well-formed event (uuid and published filled when missing), readable from `visibleAt` (default now). */
  addEvent(event: OktaLogEvent, options?: { visibleAt?: TimeInput }): OktaLogEvent;
  /** Puts any value in the log stream as is, e.g. a record without `published`, for dead-letter tests. */
  injectRawEvent(raw: unknown, options?: { visibleAt?: TimeInput }): void;
  /** From now on, calls that need `permission` (`okta.logs.read`...) answer 403 E0000006, until `allow`. */
  deny(permission: OktaPermission): void;
  allow(permission: OktaPermission): void;
  /** Answers the next `count` API requests with 429, reporting a reset `resetInMs` from now. */
  throttleNext(count: number, options?: { resetInMs?: number }): void;
  userByLogin(login: string): OktaUser | undefined;
  /** Deletes a user for good, as two `DELETE /api/v1/users/{id}` calls do (deactivate, then delete). */
  deleteUser(idOrLogin: string): void;
  /** What `GET /api/v1/logs` would return for this actor and range once every event is visible. */
  eventsFor(query?: { actorLogin?: string; since?: TimeInput; until?: TimeInput }): OktaLogEvent[];
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The rate-limit bucket of a path: the resource after `/api/v1/` (`logs`, `users`, `groups`...). */
function familyOf(path: string): string {
  return /^\/api\/v1\/([^/?]+)/.exec(path)?.[1] ?? 'api';
}

function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    'x-rate-limit-limit': String(decision.limit),
    'x-rate-limit-remaining': String(decision.remaining),
    // Okta reports the reset as UTC epoch seconds.
    'x-rate-limit-reset': String(Math.ceil(decision.resetAtMs / 1000)),
  };
}

/**
 * Starts a local stand-in for an Okta org's API (System Log, users, groups, roles, grants and the
 * governance calls), seeded deterministically, with Okta's auth, paging, rate-limit answers and errors.
 */
export async function startOktaSimulator(input: OktaSimulatorOptions = {}): Promise<OktaSimulator> {
  const options = resolveOktaOptions(input);
  const { clock } = options;
  const log = options.log.child({ component: 'simulator', provider: 'okta' });
  const seed = String(options.seed);
  const historyMs = options.days * 86_400_000;
  const directory = generateDirectory(createPrng(`${seed}:directory`), {
    users: options.users,
    groups: options.groups,
    domain: options.domain,
    nowMs: generationDay(clock.now()),
    historyMs,
  });
  const runtimePrng = createPrng(`${seed}:runtime`);
  const systemLog = new SystemLog(directory, loadEventKinds(), `${seed}:events`, runtimePrng, clock, options);
  const users = new UserLookup(directory);
  const governance = new Governance(directory, users, systemLog, clock);
  const limiter = createRateLimiter({ ...options.rateLimit, clock });
  const requests: OktaRequestCounters = { byFamily: {}, throttledByFamily: {}, throttled: 0 };

  const app = createHttpApp(log, { continuation: oktaContinuation });
  const requestIds = createPrng(`${seed}:requests`);
  const denied = new Set<OktaPermission>(options.denyPermissions);
  installApiGuard(app, { token: options.token, limiter, requests, denied, requestId: () => requestIds.chars(27, BASE62) });
  installErrorAnswers(app, () => oktaErrorId(runtimePrng));
  const ctx = { directory, users, systemLog, governance, clock, options };
  registerLogsRoute(app, ctx);
  registerDirectoryRoutes(app, ctx);
  registerGovernanceRoutes(app, ctx);

  const server = await startHttpServer(app, { host: options.host, port: options.port });
  log.info({ url: server.url, users: directory.users.length, groups: directory.groups.length, events: systemLog.store.size }, 'okta simulator started');

  const state = Object.defineProperty(directory, 'events', { get: () => systemLog.store.entries, enumerable: true }) as OktaState;
  return {
    url: server.url,
    token: options.token,
    state,
    requests,
    options,
    clock,
    close: async () => {
      await server.close();
      log.info('okta simulator stopped');
    },
    addEvent: (event, opts) => systemLog.add(event, opts),
    injectRawEvent: (raw, opts) => systemLog.injectRaw(raw, opts),
    deny: (permission) => { denied.add(permission); },
    allow: (permission) => { denied.delete(permission); },
    throttleNext: (count, opts = {}) => limiter.throttleNext(count, { resetInMs: opts.resetInMs ?? options.rateLimit.windowMs }),
    userByLogin: (login) => users.find(login)?.user,
    deleteUser(idOrLogin) {
      if (users.get(idOrLogin).user.status !== 'DEPROVISIONED') governance.deleteUser(idOrLogin);
      governance.deleteUser(idOrLogin);
    },
    eventsFor: (query) => systemLog.eventsFor(query),
  };
}

/** Every `/api/` request: counted, authenticated (`SSWS <token>`), then held to its family's rate limit. */
function installApiGuard(
  app: FastifyInstance,
  guard: { token: string; limiter: ReturnType<typeof createRateLimiter>; requests: OktaRequestCounters; denied: ReadonlySet<OktaPermission>; requestId: () => string },
): void {
  const expected = `SSWS ${guard.token}`;
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-okta-request-id', guard.requestId());
    const path = request.url;
    if (!path.startsWith('/api/')) return;
    const family = familyOf(path);
    guard.requests.byFamily[family] = (guard.requests.byFamily[family] ?? 0) + 1;
    if (request.headers.authorization !== expected) {
      reply.headers(rateLimitHeaders(guard.limiter.peek(family)));
      throw oktaErrors.invalidToken();
    }
    const decision = guard.limiter.take(family);
    reply.headers(rateLimitHeaders(decision));
    if (!decision.allowed) {
      guard.requests.throttled++;
      guard.requests.throttledByFamily[family] = (guard.requests.throttledByFamily[family] ?? 0) + 1;
      throw oktaErrors.rateLimited();
    }
    const permission = permissionOf(request.method, path);
    if (permission !== null && guard.denied.has(permission)) throw oktaErrors.forbidden();
  });
}

/** Errors and unknown paths answered with Okta's error body. */
function installErrorAnswers(app: FastifyInstance, errorId: () => string): void {
  app.setErrorHandler((error, request, reply) => {
    let answer: OktaApiError;
    if (error instanceof OktaApiError) answer = error;
    else if ((error as { statusCode?: number }).statusCode === 400) answer = oktaErrors.malformedBody();
    else {
      request.log.error({ err: error, url: request.url }, 'okta simulator failed a request');
      answer = oktaErrors.internal();
    }
    return reply.status(answer.status).send(answer.body(errorId()));
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = oktaErrors.notFound(request.url.split('?')[0]!, 'Endpoint');
    return reply.status(answer.status).send(answer.body(errorId()));
  });
}
