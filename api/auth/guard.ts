import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import { recordAuditTrail } from '../../core/audit-trail.js';
import { AppwardenError } from '../../core/errors.js';
import type { KafkaBus } from '../../core/kafka.js';
import { ErrorBodySchema } from '../schemas.js';
import type { KeyStore } from './key-store.js';
import { OidcVerifier } from './oidc.js';
import { hasRole, isRole, type Principal, type Role, type RouteRole } from './roles.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route: a role (or any role above it), or `public`. Every route must say. */
    role?: RouteRole;
    /** A POST that reads only (validate, backtest): not recorded in the audit trail. */
    changesNothing?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated caller; null only on public routes. */
    principal: Principal | null;
    /** What a change did, for the audit trail (a handler may set it; default: the route and its id). */
    auditNote: { target?: string | null; summary: string } | null;
  }
}

export interface SecurityOptions {
  /** Off only on a loopback address (checked with the configuration); every caller is then an admin. */
  authentication: boolean;
  keys: KeyStore | null;
  oidc?: OidcVerifier;
  /** Host names the API answers for (DNS rebinding: a page's own name pointing at this address is refused). */
  allowedHosts: readonly string[];
  /** Origins a browser may call from; empty: no CORS headers at all. */
  corsOrigins: readonly string[];
  /** Publishes the audit trail of every change; without it changes are refused (503). */
  bus: Pick<KafkaBus, 'send' | 'topics'> | null;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Bodies a browser cannot send cross-site without a CORS preflight: never text/plain or a form. */
const WRITE_CONTENT_TYPES = /^(application\/json|application\/yaml|application\/x-yaml|text\/yaml)\s*(;|$)/i;

/** `localhost`, `127.0.0.1`, `::1` and the bind address (unless it is a wildcard), plus `api.allowedHosts`. */
export function allowedHostNames(bindHost: string, configured: readonly string[]): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1', ...configured.map((h) => h.toLowerCase())]);
  if (!['0.0.0.0', '::', ''].includes(bindHost)) names.add(bindHost.toLowerCase().replace(/^\[|\]$/g, ''));
  return [...names];
}

/**
 * Who may do what, enforced in one place. Every route declares its role in its options
 * (`config: { role: 'analyst' }`); a route without one stops the build. The role shows in the
 * OpenAPI document (`x-required-role`, the `bearerAuth` scheme). Before any handler runs: the Host
 * must be one of ours (421), the caller must present a key or token (401) of a role at least the
 * route's (403), and a change must come as JSON (415), so a web page cannot make one cross-site.
 * Every change that succeeds is recorded in the audit trail before it is answered.
 */
export function installSecurity(app: FastifyInstance, options: SecurityOptions): void {
  const hosts = new Set(options.allowedHosts);
  app.decorateRequest('principal', null);
  app.decorateRequest('auditNote', null);

  app.addHook('onRoute', (route) => declareRole(route));

  app.addHook('onRequest', async (request, reply) => {
    const host = hostName(request.headers.host);
    if (host === null || !hosts.has(host)) {
      throw new AppwardenError('AW_MISDIRECTED', `this server does not answer for Host ${JSON.stringify(request.headers.host ?? '')}; add it to api.allowedHosts`);
    }
    const origin = request.headers.origin;
    if (origin && options.corsOrigins.includes(origin)) {
      void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    }
    const role = request.routeOptions.config.role;
    if (role === 'public' || role === undefined) return; // undefined: no route matched (404)
    request.principal = await authenticate(request, options);
    if (!hasRole(request.principal.role, role)) {
      throw new AppwardenError('AW_FORBIDDEN', `${request.method} ${request.routeOptions.url} needs the role ${role} or above; this credential is ${request.principal.role}`);
    }
    if (WRITE_METHODS.has(request.method)) {
      const type = request.headers['content-type'];
      // DELETE carries no body: a browser sends a cross-site DELETE only after a CORS preflight, which we never grant.
      if (request.method !== 'DELETE' || type !== undefined) {
        if (!type || !WRITE_CONTENT_TYPES.test(type)) {
          throw new AppwardenError('AW_UNSUPPORTED_MEDIA_TYPE', `a change needs a JSON body with Content-Type: application/json${type ? `, not ${type}` : ''}`);
        }
      }
    }
  });

  // After the body was read and checked: a change the trail cannot record is not made.
  app.addHook('preHandler', async (request) => {
    if (!WRITE_METHODS.has(request.method) || request.routeOptions.config.changesNothing || !request.principal || options.bus) return;
    throw new AppwardenError('AW_NOT_READY', 'this API process has no Kafka, so it cannot record changes in the audit trail');
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if (!WRITE_METHODS.has(request.method) || request.routeOptions.config.changesNothing) return payload;
    if (!request.principal || !options.bus || reply.statusCode >= 300) return payload;
    const note = request.auditNote;
    const params = request.params as { id?: unknown } | undefined;
    await recordAuditTrail(options.bus, {
      actor_id: request.principal.id, actor_name: request.principal.name, actor_role: request.principal.role,
      ip: request.ip, action: `${request.method} ${request.routeOptions.url}`,
      target: note?.target !== undefined ? note.target : typeof params?.id === 'string' ? params.id : null,
      summary: note?.summary ?? `${request.method} ${request.url.split('?')[0]}`, status: reply.statusCode,
    });
    return payload;
  });

  if (options.corsOrigins.length > 0) {
    app.options('/*', { config: { role: 'public' }, schema: { hide: true } }, async (request, reply) => {
      const origin = request.headers.origin;
      if (!origin || !options.corsOrigins.includes(origin)) return reply.status(204).send();
      return reply.status(204)
        .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .send();
    });
  }
}

/** Checks the route's declared role and shows it (and the errors it brings) in the OpenAPI document. */
function declareRole(route: RouteOptions): void {
  const role = (route.config as { role?: unknown } | undefined)?.role;
  if (role !== 'public' && !isRole(role)) {
    throw new Error(`route ${String(route.method)} ${route.url} declares no role: add config: { role: 'analyst' | 'policy-author' | 'responder' | 'admin' | 'public' }`);
  }
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (role === 'public') {
    route.schema = { ...schema, 'x-required-role': 'public' } as FastifySchema;
    return;
  }
  const response = schema.response as Record<string, unknown> | undefined;
  const methods = ([] as string[]).concat(route.method);
  const writes = methods.some((m) => WRITE_METHODS.has(m));
  route.schema = {
    ...schema,
    'x-required-role': role,
    security: [{ bearerAuth: [] }],
    ...(response ? { response: { ...response, 401: ErrorBodySchema, 403: ErrorBodySchema, ...(writes ? { 415: ErrorBodySchema } : {}) } } : {}),
  } as FastifySchema;
}

async function authenticate(request: FastifyRequest, options: SecurityOptions): Promise<Principal> {
  // Authentication off (loopback only): the caller is known by its address alone.
  if (!options.authentication) return { id: `local:${request.ip}`, name: `anonymous at ${request.ip}`, role: 'admin', raw: true };
  const header = request.headers.authorization;
  const token = header && /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!token) throw new AppwardenError('AW_UNAUTHENTICATED', 'this route needs an API key or token: Authorization: Bearer <key>');
  if (options.oidc && OidcVerifier.looksLikeJwt(token)) {
    const result = await options.oidc.authenticate(token);
    if ('principal' in result) return result.principal;
    request.log.info({ reason: result.reason }, 'an OIDC token was refused');
  } else {
    const principal = options.keys?.authenticate(token);
    if (principal) return principal;
  }
  throw new AppwardenError('AW_UNAUTHENTICATED', 'the key or token is not valid (unknown, revoked or expired)');
}

/** The Host header's name without its port, lower-case; `[::1]:8080` → `::1`. */
function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^\[([0-9a-f:.]+)\](?::\d+)?$/i.exec(header) ?? /^([^:[\]]+)(?::\d+)?$/.exec(header);
  return m ? m[1]!.toLowerCase() : null;
}

/** For handlers: the caller (never null on a route with a role). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppwardenError('AW_UNAUTHENTICATED');
  return request.principal;
}

export type { Role };
