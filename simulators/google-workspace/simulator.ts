import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../common/clock.js';
import { createHttpApp, requestBaseUrl, startHttpServer } from '../common/http-server.js';
import { createPrng } from '../common/prng.js';
import { createRateLimiter, type RateLimiter } from '../common/rate-limiter.js';
import { ActivityGenerator, loadTemplates } from './activity-kinds.js';
import { findUser, generateDirectory, type Directory, type SimUser } from './directory.js';
import { registerDirectoryRoutes } from './directory-routes.js';
import { DriveState, type SimPermission } from './drive.js';
import { registerDriveRoutes } from './drive-routes.js';
import { GoogleApiError, googleContinuation, googleErrors, OAuthError } from './google-errors.js';
import { Governance } from './governance.js';
import { TokenIssuer } from './oauth.js';
import { resolveGoogleWorkspaceOptions, type ApiFamily, type GoogleWorkspaceSimulatorOptions, type ResolvedGoogleWorkspaceOptions, type ThrottleStyle } from './options.js';
import { Reports, type TimeInput } from './reports.js';
import { registerReportsRoutes } from './reports-routes.js';
import type { Principal } from './route-context.js';
import { generationDay } from '../common/anchored-history.js';

type Json = Record<string, any>;

/** Requests received per API family, and how many were refused for quota. */
export interface GoogleRequestCounters {
  byFamily: Record<string, number>;
  throttledByFamily: Record<string, number>;
  throttled: number;
  /** Token requests, and those refused (bad signature, unauthorized scope, unknown subject...). */
  tokenRequests: number;
  tokenRefusals: number;
}

export interface GoogleWorkspaceSimulator {
  /** Base URL of the Admin SDK and Drive (`adminBaseUrl` and `driveBaseUrl` of the connector). */
  url: string;
  /** The token endpoint (`tokenUrl` of the connector, and the `aud` of every assertion). */
  tokenUrl: string;
  clientEmail: string;
  /** The private key, when the simulator made the key pair itself (otherwise the caller holds it). */
  privateKey: string | null;
  adminEmail: string;
  domain: string;
  customerId: string;
  directory: Directory;
  drive: DriveState;
  reports: Reports;
  requests: GoogleRequestCounters;
  options: Readonly<ResolvedGoogleWorkspaceOptions>;
  clock: Clock;
  close(): Promise<void>;
  /** Adds a well-formed activity (id.applicationName required), readable from `visibleAt` (default: its time plus the application's lag). */
  addActivity(activity: Json, options?: { visibleAt?: TimeInput }): Json;
  /** Puts any value in an application's log as is, for dead-letter tests. */
  injectRawActivity(raw: unknown, options: { application: string; time?: TimeInput; visibleAt?: TimeInput }): void;
  /** The activities (whole resources) an application holds in [since, until), newest first, visible or not. */
  activitiesFor(query?: { application?: string; since?: TimeInput; until?: TimeInput; actorEmail?: string }): Json[];
  /** Answers the next `count` API requests with a quota refusal of `style` (default per family). Infinity holds until `stopThrottling`. */
  throttleNext(count: number, options?: { style?: ThrottleStyle }): void;
  stopThrottling(): void;
  /** Changes the scopes authorized for domain-wide delegation (new token requests see it). */
  setGrantedScopes(scopes: readonly string[]): void;
  /**
   * From now on the APIs answer 403 (`insufficientPermissions`, PERMISSION_DENIED) to calls that need
   * `scope` (a full scope URL), even with a token issued for it, as when the admin lost the privilege; until `allow`.
   */
  deny(scope: string): void;
  allow(scope: string): void;
  /** From now on the Reports API refuses `application` as for a tenant without a license for that product (403, see `googleErrors.reportingDataRefused`); until `license`. */
  unlicense(application: string): void;
  license(application: string): void;
  /** Holds every API request whose path starts with `pathPrefix` until `release` is called, as a very large or slow tenant would. */
  hold(pathPrefix: string): { release(): void; held(): number };
  /** Revokes every access token issued so far: the next API calls answer 401. */
  expireTokens(): void;
  /** Shares a file as its owner (or `as`), as a user would in Drive: the change feed and the Drive log show it. */
  share(fileId: string, permission: Partial<SimPermission> & Pick<SimPermission, 'type' | 'role'>, options?: { as?: string }): SimPermission;
  user(userKey: string): SimUser | undefined;
}

const FAMILY_DEFAULT_STYLE: Record<ApiFamily, ThrottleStyle> = { reports: 'rateLimitExceeded', directory: 'rateLimitExceeded', drive: 'userRateLimitExceeded' };
const SERVICE: Record<ApiFamily, string> = { reports: 'admin.googleapis.com', directory: 'admin.googleapis.com', drive: 'drive.googleapis.com' };

function familyOf(path: string): ApiFamily | null {
  if (path.startsWith('/admin/reports/')) return 'reports';
  if (path.startsWith('/admin/directory/')) return 'directory';
  if (path.startsWith('/drive/')) return 'drive';
  return null;
}

/**
 * Starts a local stand-in for a Google Workspace tenant: the OAuth token endpoint for a service
 * account with domain-wide delegation, the Reports API, the Directory API and Drive v3, seeded
 * deterministically and shaped like the real samples, with Google's paging, quota answers and errors.
 */
export async function startGoogleWorkspaceSimulator(input: GoogleWorkspaceSimulatorOptions = {}): Promise<GoogleWorkspaceSimulator> {
  const options = resolveGoogleWorkspaceOptions(input);
  const { clock } = options;
  const seed = String(options.seed);
  const log = options.log.child({ component: 'simulator', provider: 'google_workspace' });
  const directory = generateDirectory(createPrng(`${seed}:directory`), {
    users: options.users, groups: options.groups, domain: options.domain, adminEmail: options.adminEmail, nowMs: generationDay(clock.now()),
  });
  const drive = new DriveState(directory, createPrng(`${seed}:drive`));
  drive.generate({ filesPerUser: options.filesPerUser, sharedDrives: options.sharedDrives, adminEmail: options.adminEmail, nowMs: generationDay(clock.now()) });
  const runtimePrng = createPrng(`${seed}:runtime`);
  const generator = new ActivityGenerator(loadTemplates(), directory, drive, createPrng(`${seed}:activity`));
  const reports = new Reports(generator, runtimePrng, clock, { ...options, customerId: directory.customerId });
  reports.generateHistory(`${seed}:history`);
  const governance = new Governance(directory, drive, reports, generator, clock);

  let granted = new Set(options.grantedScopes);
  let baseUrl = '';
  const issuer = new TokenIssuer({
    clientEmail: options.clientEmail, publicKey: options.publicKey, audience: () => `${baseUrl}/token`, grantedScopes: () => granted,
    canImpersonate: (email) => {
      const user = findUser(directory, email);
      return user !== undefined && !user.suspended && !user.archived;
    },
    tokenLifetimeMs: options.tokenLifetimeMs, clock, prng: createPrng(`${seed}:tokens`),
  });
  const limiter = createRateLimiter({ ...options.rateLimit, clock });
  const requests: GoogleRequestCounters = { byFamily: {}, throttledByFamily: {}, throttled: 0, tokenRequests: 0, tokenRefusals: 0 };
  const forced = { remaining: 0, style: null as ThrottleStyle | null };
  const principals = new WeakMap<FastifyRequest, Principal>();

  const app = createHttpApp(log, { continuation: googleContinuation });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });
  app.post('/token', async (request) => {
    requests.tokenRequests++;
    const form = (request.body ?? {}) as Record<string, string>;
    try {
      return issuer.exchange(form.grant_type, form.assertion);
    } catch (err) {
      requests.tokenRefusals++;
      throw err;
    }
  });
  const denied = new Set<string>();
  const holds = new Set<{ prefix: string; released: Promise<void>; count: number }>();
  installApiGuard(app, { issuer, directory, limiter, requests, forced, principals, denied, holds });
  installErrorAnswers(app);
  const ctx = {
    directory, drive, reports, governance, clock,
    principalOf: (request: FastifyRequest) => {
      const principal = principals.get(request);
      if (!principal) throw googleErrors.unauthenticated();
      return principal;
    },
  };
  registerReportsRoutes(app, ctx);
  registerDirectoryRoutes(app, ctx);
  registerDriveRoutes(app, ctx);

  const server = await startHttpServer(app, { host: options.host, port: options.port });
  baseUrl = server.url;
  log.info({ url: server.url, users: directory.users.length, files: drive.files.size, activities: reports.log.size }, 'google workspace simulator started');

  return {
    url: server.url,
    tokenUrl: `${server.url}/token`,
    clientEmail: options.clientEmail,
    privateKey: options.privateKey,
    adminEmail: options.adminEmail,
    domain: options.domain,
    customerId: directory.customerId,
    directory,
    drive,
    reports,
    requests,
    options,
    clock,
    close: async () => {
      await server.close();
      log.info('google workspace simulator stopped');
    },
    addActivity: (activity, opts) => reports.add(activity, opts),
    injectRawActivity: (raw, opts) => reports.injectRaw(raw, opts),
    activitiesFor: (query) => reports.activitiesFor(query),
    throttleNext: (count, opts = {}) => {
      forced.remaining = count;
      forced.style = opts.style ?? null;
    },
    stopThrottling: () => {
      forced.remaining = 0;
    },
    setGrantedScopes: (scopes) => {
      granted = new Set(scopes);
    },
    expireTokens: () => issuer.revokeAll(),
    hold: (prefix) => {
      let release!: () => void;
      const hold = { prefix, released: new Promise<void>((resolve) => { release = resolve; }), count: 0 };
      holds.add(hold);
      return { release: () => { holds.delete(hold); release(); }, held: () => hold.count };
    },
    deny: (scope) => { denied.add(scope); },
    allow: (scope) => { denied.delete(scope); },
    unlicense: (application) => { reports.unlicensed.add(application); },
    license: (application) => { reports.unlicensed.delete(application); },
    share: (fileId, permission, opts = {}) => {
      const file = drive.files.get(fileId);
      const as = opts.as ?? file?.owner ?? options.adminEmail;
      return governance.createPermission(as, fileId, permission, false);
    },
    user: (userKey) => findUser(directory, userKey),
  };
}

/** Every API request: counted by family, authenticated (Bearer token of ours), then held to its family's quota. */
function installApiGuard(app: FastifyInstance, guard: {
  issuer: TokenIssuer; directory: Directory; limiter: RateLimiter; requests: GoogleRequestCounters;
  forced: { remaining: number; style: ThrottleStyle | null }; principals: WeakMap<FastifyRequest, Principal>; denied: ReadonlySet<string>;
  holds: ReadonlySet<{ prefix: string; released: Promise<void>; count: number }>;
}): void {
  app.addHook('onRequest', async (request) => {
    const family = familyOf(request.url);
    if (family === null) return;
    const { requests } = guard;
    requests.byFamily[family] = (requests.byFamily[family] ?? 0) + 1;
    const token = guard.issuer.lookup(request.headers.authorization);
    const user = token ? findUser(guard.directory, token.subject) : undefined;
    if (!token || !user) throw googleErrors.unauthenticated();
    let style: ThrottleStyle | null = null;
    if (guard.forced.remaining > 0) {
      guard.forced.remaining--;
      style = guard.forced.style ?? FAMILY_DEFAULT_STYLE[family];
    } else if (!guard.limiter.take(family).allowed) {
      style = FAMILY_DEFAULT_STYLE[family];
    }
    if (style !== null) {
      requests.throttled++;
      requests.throttledByFamily[family] = (requests.throttledByFamily[family] ?? 0) + 1;
      throw googleErrors.throttled(style, SERVICE[family]);
    }
    const scopes = guard.denied.size === 0 ? token.scopes : new Set([...token.scopes].filter((s) => !guard.denied.has(s)));
    guard.principals.set(request, { user, scopes });
    for (const hold of guard.holds) {
      if (!request.url.startsWith(hold.prefix)) continue;
      hold.count++;
      await hold.released;
    }
  });
}

/** Errors and unknown paths answered with Google's error bodies. */
function installErrorAnswers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof GoogleApiError || error instanceof OAuthError) return reply.status(error.status).send(error.body());
    if ((error as { statusCode?: number }).statusCode === 400) {
      const answer = googleErrors.invalid('Invalid JSON payload received.');
      return reply.status(answer.status).send(answer.body());
    }
    request.log.error({ err: error, url: request.url }, 'google workspace simulator failed a request');
    const answer = googleErrors.internal();
    return reply.status(answer.status).send(answer.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = googleErrors.notImplemented(`${requestBaseUrl(request)}${request.url.split('?')[0]}`);
    return reply.status(answer.status).send(answer.body());
  });
}
