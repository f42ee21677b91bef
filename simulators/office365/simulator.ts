import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../common/clock.js';
import { createHttpApp, startHttpServer } from '../common/http-server.js';
import { isoString, queryValue } from '../common/json.js';
import { createPrng } from '../common/prng.js';
import { createRateLimiter, type RateLimiter } from '../common/rate-limiter.js';
import { ApiError, graph, management, office365Continuation } from './api-errors.js';
import { AuditLog, type BlobTiming, type ContentBlob } from './audit-log.js';
import { loadRecordKinds, type AuditRecord, type ContentType } from './audit-records.js';
import { TokenAuthority, type Api, type TokenClaims } from './auth.js';
import { registerDirectoryRoutes } from './directory-routes.js';
import { registerDriveRoutes } from './drive-routes.js';
import type { DriveState, Item, Permission } from './drives.js';
import { itemId, permissionId } from './ids.js';
import { registerLoginRoute } from './login-route.js';
import { registerManagementRoutes } from './management-routes.js';
import { resolveOffice365Options, type Office365SimulatorOptions, type ResolvedOffice365Options } from './options.js';
import type { RouteContext } from './route-context.js';
import { generateTenant, type GraphUser, type Tenant } from './tenant.js';
import { generationDay } from '../common/anchored-history.js';

/** Requests received per API, and how many were answered with a throttle answer. */
export interface Office365RequestCounters {
  login: number;
  graph: number;
  management: number;
  throttled: { graph: number; management: number };
}

/** A drive item with what tests need to address it: `fileId` is `<driveId>/<itemId>`, as file events carry it. */
export interface SimFile {
  fileId: string;
  drive: DriveState;
  item: Item;
  permissions: Permission[];
}

export type ShareKind = 'anonymous' | 'organization' | 'internal' | 'external';

export interface Office365Simulator {
  /** Base URL of every API here (login, Graph, Management), e.g. `http://127.0.0.1:41234`. */
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  state: Tenant;
  audit: AuditLog;
  /** Content types with a started subscription. */
  subscriptions: ReadonlySet<ContentType>;
  requests: Office365RequestCounters;
  options: Readonly<ResolvedOffice365Options>;
  clock: Clock;
  close(): Promise<void>;
  /** A well-formed record of a kind (`UserLoggedIn`, `FileDownloaded`, ...), not stored. */
  makeRecord(kind: string, options?: { userUpn?: string; at?: number }): AuditRecord;
  /** Stores records as one new content blob of their content type. */
  addBlob(records: AuditRecord[], timing: BlobTiming & { contentType: ContentType }): ContentBlob;
  /** What a complete read of the last 7 days returns now (distinct by Id). */
  expectedRecords(contentTypes?: readonly string[]): AuditRecord[];
  /** Answers the next `count` requests to an API with its throttle answer (Graph 429 + Retry-After; Management 403 AF429). */
  throttleNext(count: number, options: { api: 'graph' | 'management'; retryAfterSeconds?: number }): void;
  /**
   * Withdraws an application permission (`ActivityFeed.Read`, `Files.ReadWrite.All`...): calls that need
   * it answer 403 (Graph `Authorization_RequestDenied`, Management `AF10001`) until `allow`. Tokens issued
   * meanwhile lack it, as Entra ID's do until the consent is granted again and a new token is fetched.
   */
  deny(permission: string): void;
  allow(permission: string): void;
  /** Every token issued so far stops working (the next request gets 401). */
  revokeTokens(): void;
  userByUpn(upn: string): GraphUser | undefined;
  /** Every file and folder (not drive roots). */
  files(): SimFile[];
  file(fileId: string): SimFile | undefined;
  /** Shares an item the way a user would, as the delta feed then reports. */
  share(fileId: string, kind: ShareKind): Permission;
  /** Creates a file in a drive's root. */
  addFile(driveId: string, name: string): SimFile;
  /** From now on, the method and URL of every Graph and Management request are appended to the returned list (tests). */
  recordRequests(): string[];
}

const GRAPH_401: Record<string, string> = {
  missing: 'Access token is empty.',
  invalid: 'Invalid JWT token. Token format not valid.',
  expired: 'Access token has expired or is not yet valid.',
  audience: 'Invalid audience.',
};

/**
 * Starts a local stand-in for a Microsoft 365 tenant: Entra ID's token endpoint, Microsoft Graph (users,
 * groups, roles, apps, grants, OneDrive/SharePoint with delta) and the Office 365 Management Activity API,
 * seeded deterministically, with their auth, paging, throttling answers and errors, and availability delays.
 */
export async function startOffice365Simulator(input: Office365SimulatorOptions = {}): Promise<Office365Simulator> {
  const options = resolveOffice365Options(input);
  const { clock } = options;
  const log = options.log.child({ component: 'simulator', provider: 'office365' });
  const seed = String(options.seed);
  const tenant = generateTenant(createPrng(`${seed}:directory`), {
    tenantId: options.tenantId, domain: options.domain, users: options.users, groups: options.groups, sites: options.sites,
    itemsPerDrive: options.itemsPerDrive, nowMs: generationDay(clock.now()), clock: () => clock.now(),
  });
  const audit = new AuditLog(tenant, loadRecordKinds(), String(seed), clock, { ...options, appId: options.clientId });
  // Permissions withdrawn at run time: left out of new tokens, and no longer honoured in tokens already issued.
  const denied = new Set<string>();
  const withoutDenied = (roles: readonly string[]) => roles.filter((r) => !denied.has(r));
  const authority = new TokenAuthority({
    tenantId: options.tenantId, clientId: options.clientId, lifetimeMs: options.tokenLifetimeMs,
    roles: { get graph() { return withoutDenied(options.grantedPermissions.graph); }, get management() { return withoutDenied(options.grantedPermissions.management); } },
  }, clock);
  const limiter = createRateLimiter({ ...options.rateLimit, clock });
  const requests: Office365RequestCounters = { login: 0, graph: 0, management: 0, throttled: { graph: 0, management: 0 } };
  const forced = { graph: { count: 0, retryAfterS: 1 }, management: { count: 0, retryAfterS: 1 } };
  const claimsOf = new WeakMap<FastifyRequest, TokenClaims>();
  const subscriptions = new Set<ContentType>();
  const runtime = createPrng(`${seed}:runtime`);

  const app = createHttpApp(log, { continuation: office365Continuation });
  const requestLog: { requests: string[] | null } = { requests: null };
  installGuard(app, { authority, limiter, requests, forced, log: requestLog, claimsOf, options, clock });
  installErrorAnswers(app);
  const ctx: RouteContext = {
    tenant, audit, options, clock, subscriptions,
    claims: (request) => {
      const claims = claimsOf.get(request);
      if (!claims) throw graph.unauthenticated(GRAPH_401.missing!);
      return { ...claims, roles: withoutDenied(claims.roles) };
    },
  };
  registerLoginRoute(app, options, authority, tenant.org.verifiedDomains.map((d) => d.name));
  registerDirectoryRoutes(app, ctx);
  registerDriveRoutes(app, ctx, runtime);
  registerManagementRoutes(app, ctx);

  const server = await startHttpServer(app, { host: options.host, port: options.port });
  log.info({ url: server.url, tenantId: options.tenantId, users: tenant.users.length, drives: tenant.drives.size, blobs: audit.blobs.length }, 'office365 simulator started');

  const files = (): SimFile[] => [...tenant.drives.values()].flatMap((drive) => [...drive.items.values()]
    .filter((item) => item.parentId !== null)
    .map((item) => ({ fileId: `${drive.drive.id}/${item.id}`, drive, item, permissions: drive.permissions.get(item.id) ?? [] })));
  const file = (fileId: string): SimFile | undefined => files().find((f) => f.fileId === fileId);

  return {
    url: server.url,
    tenantId: options.tenantId,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    state: tenant,
    audit,
    subscriptions,
    requests,
    options,
    clock,
    close: async () => {
      await server.close();
      log.info('office365 simulator stopped');
    },
    makeRecord: (kind, opts = {}) => {
      const user = opts.userUpn === undefined ? undefined : tenant.users.find((u) => u.userPrincipalName === opts.userUpn);
      return audit.render(kind, { ...(user ? { user } : {}), ...(opts.at === undefined ? {} : { at: opts.at }) });
    },
    addBlob: (records, timing) => audit.addBlob(records, timing),
    expectedRecords: (contentTypes) => audit.expectedRecords(clock.now(), contentTypes),
    throttleNext: (count, opts) => {
      forced[opts.api] = { count, retryAfterS: opts.retryAfterSeconds ?? 1 };
    },
    deny: (permission) => { denied.add(permission); },
    allow: (permission) => { denied.delete(permission); },
    revokeTokens: () => authority.revokeAll(),
    userByUpn: (upn) => tenant.users.find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase()),
    files,
    file,
    share: (fileId, kind) => {
      const found = file(fileId);
      if (!found) throw new Error(`no file ${fileId}`);
      const colleague = tenant.users.find((u) => u.userType === 'Member' && u.id !== found.item.createdBy.id) ?? tenant.users[0]!;
      const permission: Permission = kind === 'anonymous'
        ? { id: permissionId(runtime), roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: `${found.drive.drive.webUrl}/:u:/${runtime.hex(16)}` }, hasPassword: false }
        : kind === 'organization'
          ? { id: permissionId(runtime), roles: ['read'], link: { scope: 'organization', type: 'view', webUrl: `${found.drive.drive.webUrl}/:u:/${runtime.hex(16)}` } }
          : kind === 'internal'
            ? { id: permissionId(runtime), roles: ['write'], grantedToV2: { user: { id: colleague.id, displayName: colleague.displayName, email: colleague.mail ?? colleague.userPrincipalName } } }
            : { id: permissionId(runtime), roles: ['read'], grantedToV2: { user: { id: runtime.uuid(), displayName: 'Eve Outsider', email: 'eve@outsider.example' } }, invitation: { email: 'eve@outsider.example', signInRequired: true } };
      found.drive.addPermission(found.item, permission);
      return permission;
    },
    addFile: (driveId, name) => {
      const drive = tenant.drives.get(driveId);
      if (!drive) throw new Error(`no drive ${driveId}`);
      const now = isoString(clock.now());
      const owner = drive.drive.owner.user ?? { id: drive.drive.owner.group!.id, displayName: drive.drive.owner.group!.displayName };
      const item = drive.addItem({
        id: itemId(runtime), name, parentId: drive.rootId, folder: false, size: 1234, mimeType: 'text/plain',
        createdDateTime: now, lastModifiedDateTime: now, createdBy: owner, lastModifiedBy: owner, labelId: null,
      }, [{ id: permissionId(runtime), roles: ['owner'], grantedToV2: { user: { ...owner } } }]);
      return { fileId: `${driveId}/${item.id}`, drive, item, permissions: drive.permissions.get(item.id)! };
    },
    recordRequests: () => (requestLog.requests = []),
  };
}

interface GuardDeps {
  authority: TokenAuthority;
  limiter: RateLimiter;
  requests: Office365RequestCounters;
  forced: Record<Api, { count: number; retryAfterS: number }>;
  log: { requests: string[] | null };
  claimsOf: WeakMap<FastifyRequest, TokenClaims>;
  options: ResolvedOffice365Options;
  clock: Clock;
}

const MANAGEMENT_PATH = /^\/api\/v1\.0\/([^/]+)\/activity\/feed\//;

/** Every API request: counted, authenticated for its API (audience), then held to the tenant's rate limit. */
function installGuard(app: FastifyInstance, deps: GuardDeps): void {
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) {
      deps.requests.login++;
      return;
    }
    const managementMatch = MANAGEMENT_PATH.exec(path);
    const api: Api | null = path.startsWith('/v1.0/') ? 'graph' : managementMatch ? 'management' : null;
    if (api === null) return;
    deps.requests[api]++;
    deps.log.requests?.push(`${request.method} ${request.url}`);
    const check = deps.authority.check(request.headers.authorization, api);
    if (!check.ok) throw api === 'graph' ? graph.unauthenticated(GRAPH_401[check.reason]!) : management.unauthenticated();
    if (managementMatch && decodeURIComponent(managementMatch[1]!) !== check.claims.tid) throw management.tenantMismatch(managementMatch[1]!, check.claims.tid);
    deps.claimsOf.set(request, check.claims);

    const publisher = queryValue((request.query as Record<string, unknown>).PublisherIdentifier) ?? 'shared';
    const forced = deps.forced[api];
    let retryAfterS = forced.retryAfterS;
    let throttled = false;
    if (forced.count > 0) {
      forced.count--;
      throttled = true;
    } else {
      // Management quotas are per PublisherIdentifier; requests without one share a pool.
      const decision = deps.limiter.take(api === 'graph' ? 'graph' : `management:${publisher}`);
      throttled = !decision.allowed;
      retryAfterS = Math.max(1, Math.ceil((decision.resetAtMs - deps.clock.now()) / 1000));
    }
    if (!throttled) return;
    deps.requests.throttled[api]++;
    if (api === 'graph') throw graph.throttled(retryAfterS);
    const method = path.includes('/audit/') ? 'GetBlob' : path.endsWith('/subscriptions/content') ? 'ListContent' : request.method;
    throw management.throttled(method, publisher);
  });
}

function installErrorAnswers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) return reply.status(error.status).headers(error.headers).send(error.body);
    if ((error as { statusCode?: number }).statusCode === 400) {
      const answer = graph.badRequest('The request body is not valid JSON.');
      return reply.status(answer.status).send(answer.body);
    }
    request.log.error({ err: error, url: request.url }, 'office365 simulator failed a request');
    return reply.status(500).send({ error: { code: 'InternalServerError', message: 'An internal server error occurred.' } });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const answer = MANAGEMENT_PATH.test(path) ? management.contentMissing(path) : graph.unknownSegment(path);
    return reply.status(answer.status).send(answer.body);
  });
}
