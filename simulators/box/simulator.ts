import type { FastifyInstance, FastifyRequest } from 'fastify';
import { generationDay } from '../common/anchored-history.js';
import type { Clock } from '../common/clock.js';
import { createHttpApp, startHttpServer } from '../common/http-server.js';
import { createPrng } from '../common/prng.js';
import { createRateLimiter } from '../common/rate-limiter.js';
import { BoxApiError, boxContinuation, boxErrors } from './box-errors.js';
import { registerContentRoutes } from './content-routes.js';
import { registerDirectoryRoutes } from './directory-routes.js';
import { EventLog } from './event-log.js';
import { registerEventsRoute } from './events-route.js';
import { TokenIssuer } from './oauth.js';
import { resolveBoxOptions, type BoxSimulatorOptions, type ResolvedBoxOptions } from './options.js';
import type { RouteContext } from './route-context.js';
import { itemJson, miniUser } from './render.js';
import { Tenant, type ItemType, type SimLink, type SimUser } from './tenant.js';

/** The application scopes an endpoint needs (Box Developer Console → Application Scopes). */
export const BOX_SCOPES = ['manage_enterprise_properties', 'manage_managed_users', 'manage_groups', 'root_readwrite'] as const;

function scopeOf(path: string): string | null {
  if (path.startsWith('/2.0/events')) return 'manage_enterprise_properties';
  if (path.startsWith('/2.0/users/me')) return null;
  if (path.startsWith('/2.0/users')) return 'manage_managed_users';
  if (path.startsWith('/2.0/groups')) return 'manage_groups';
  if (/^\/2\.0\/(files|folders|collaborations)/.test(path)) return 'root_readwrite';
  return null;
}

export interface BoxSimulator {
  /** The API base (`baseUrl` of the connector: `<url>/2.0`). */
  apiUrl: string;
  url: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  enterpriseId: string;
  publicKeyId: string;
  /** The app's private key (encrypted with `passphrase`) when the simulator made the pair. */
  privateKey: string | null;
  passphrase: string | null;
  domain: string;
  tenant: Tenant;
  events: EventLog;
  options: Readonly<ResolvedBoxOptions>;
  clock: Clock;
  requests: { total: number; throttled: number; tokenRequests: number; tokenRefusals: number };
  /** Answers the next `count` API requests with 429 and `retry-after`. */
  throttleNext(count: number): void;
  /** From now on calls that need `scope` answer 403 (insufficient scope), until `allow`. */
  deny(scope: string): void;
  allow(scope: string): void;
  /** The owner of an item gives it a shared link in the web app: the item changes and the event stream says so. */
  shareItem(type: ItemType, id: string, access: SimLink['access']): void;
  /** Revokes every token: the next calls answer 401. */
  expireTokens(): void;
  close(): Promise<void>;
}

/**
 * Starts a local stand-in for a Box enterprise: the OAuth token endpoint (Client Credentials Grant
 * and JWT), enterprise events (admin_logs and admin_logs_streaming with large stream positions),
 * users, groups, the content tree with shared links, collaborations and classification, and the
 * changes admins make, with Box's paging, As-User, errors and 429 answers.
 */
export async function startBoxSimulator(input: BoxSimulatorOptions = {}): Promise<BoxSimulator> {
  const options = resolveBoxOptions(input);
  const { clock } = options;
  const seed = String(options.seed);
  const log = options.log.child({ component: 'simulator', provider: 'box' });
  const tenant = new Tenant(createPrng(`${seed}:tenant`), options.domain, options.enterpriseId, {
    users: options.users, groups: options.groups, foldersPerUser: options.foldersPerUser, filesPerFolder: options.filesPerFolder, nowMs: generationDay(clock.now()),
  });
  const events = new EventLog(tenant, clock, { seed, eventsPerDay: options.eventsPerDay, days: options.days, live: options.live, repeatFraction: options.streamingRepeatFraction });
  let baseUrl = '';
  const issuer = new TokenIssuer({
    clientId: options.clientId, clientSecret: options.clientSecret, enterpriseId: options.enterpriseId, publicKey: options.publicKey,
    publicKeyId: options.publicKeyId, audience: () => `${baseUrl}/oauth2/token`, lifetimeMs: options.tokenLifetimeMs, clock, prng: createPrng(`${seed}:tokens`),
  });
  const limiter = createRateLimiter({ ...options.rateLimit, clock });
  const requests = { total: 0, throttled: 0, tokenRequests: 0, tokenRefusals: 0 };
  let forced = 0;
  const denied = new Set<string>();
  const acting = new WeakMap<FastifyRequest, SimUser>();

  const app = createHttpApp(log, { continuation: boxContinuation });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });
  app.addContentTypeParser('application/json-patch+json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(typeof body === 'string' ? body : body.toString('utf8')));
    } catch {
      done(Object.assign(new Error('the request body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
  app.post('/oauth2/token', async (request) => {
    requests.tokenRequests++;
    try {
      return issuer.exchange((request.body ?? {}) as Record<string, string>);
    } catch (err) {
      requests.tokenRefusals++;
      throw err;
    }
  });
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/2.0/')) return;
    requests.total++;
    if (!issuer.valid(request.headers.authorization)) throw boxErrors.invalidToken();
    if (forced > 0 || !limiter.take('api').allowed) {
      if (forced > 0) forced--;
      requests.throttled++;
      throw boxErrors.throttled(options.retryAfterSeconds);
    }
    const scope = scopeOf(path);
    if (scope !== null && denied.has(scope)) throw boxErrors.insufficientScope();
    const asUser = request.headers['as-user'];
    let user: SimUser = tenant.serviceAccount;
    if (typeof asUser === 'string' && asUser !== '') {
      const found = tenant.user(asUser);
      if (!found) throw boxErrors.notFound();
      if (found.status !== 'active') throw boxErrors.forbidden('Access denied - the user is inactive');
      user = found;
    }
    acting.set(request, user);
  });
  installErrorAnswers(app);
  const ctx: RouteContext = { tenant, events, clock, actingUser: (request) => acting.get(request) ?? tenant.serviceAccount };
  registerEventsRoute(app, ctx);
  registerDirectoryRoutes(app, ctx);
  registerContentRoutes(app, ctx);

  const server = await startHttpServer(app, { host: options.host, port: options.port });
  baseUrl = server.url;
  log.info({ url: server.url, users: tenant.users.length, items: tenant.items.size }, 'box simulator started');
  return {
    apiUrl: `${server.url}/2.0`,
    url: server.url,
    tokenUrl: `${server.url}/oauth2/token`,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    enterpriseId: options.enterpriseId,
    publicKeyId: options.publicKeyId,
    privateKey: options.privateKey,
    passphrase: options.passphrase,
    domain: options.domain,
    tenant,
    events,
    options,
    clock,
    requests,
    throttleNext: (count) => { forced = count; },
    deny: (scope) => { denied.add(scope); },
    allow: (scope) => { denied.delete(scope); },
    shareItem: (type, id, access) => {
      const item = tenant.item(type, id);
      if (!item) throw new Error(`no ${type} ${id}`);
      const created = item.sharedLink === null;
      item.sharedLink = { access, isPasswordEnabled: false, unsharedAt: null, canDownload: true };
      const { metadata: _m, ...source } = itemJson(tenant, item);
      const owner = tenant.anyUser(item.owner);
      events.record(created ? 'ITEM_SHARED_CREATE' : 'ITEM_SHARED_UPDATE', source, owner ? { created_by: miniUser(owner) } : {});
    },
    expireTokens: () => issuer.revokeAll(),
    close: async () => {
      await server.close();
      log.info('box simulator stopped');
    },
  };
}

function installErrorAnswers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof BoxApiError) return error.send(reply);
    if ((error as { statusCode?: number }).statusCode === 400) return boxErrors.badRequest('Invalid JSON body').send(reply);
    request.log.error({ err: error, url: request.url }, 'box simulator failed a request');
    return boxErrors.internal().send(reply);
  });
  app.setNotFoundHandler((_request, reply) => boxErrors.notFound().send(reply));
}
