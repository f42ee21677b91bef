import type { FastifyInstance } from 'fastify';
import { queryValue } from '../common/json.js';
import { requestBaseUrl } from '../common/http-server.js';
import { rolesOfUser, type OktaGroup, type OktaUser } from './directory.js';
import { oktaErrors } from './okta-errors.js';
import { linkHeaders, pageAfterId, readLimit } from './paging.js';
import { grantResource, groupResource, roleResource, userResource } from './resources.js';
import type { OktaRouteContext } from './route-context.js';
import { FilterSyntaxError, matchesFilter, parseFilter, readPath } from './scim-filter.js';

type Query = Record<string, unknown>;
type Params = Record<string, string>;

/** Group members and grants have their own page sizes in Okta (1000 and 200). */
const MEMBERS_PAGE = 1000;
const GRANTS_DEFAULT_PAGE = 20;
const GRANTS_MAX_PAGE = 200;

/** Applies `search` or `filter` (SCIM expressions) to objects; 400 E0000031 when one does not parse. */
function searchPredicate(query: Query): ((item: object) => boolean) | undefined {
  const text = queryValue(query.search) ?? queryValue(query.filter);
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const expression = parseFilter(text);
    return (item) => matchesFilter(expression, (attribute) => readPath(item, attribute));
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw oktaErrors.invalidSearch(err.message);
    throw err;
  }
}

function prefixMatch(q: string | undefined, ...fields: string[]): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return fields.some((f) => f.toLowerCase().startsWith(needle));
}

/** The read-only directory endpoints: users, groups, memberships, roles and grants. */
export function registerDirectoryRoutes(app: FastifyInstance, ctx: OktaRouteContext): void {
  const { directory, users, options } = ctx;

  const groupById = (id: string): OktaGroup => {
    const group = directory.groups.find((g) => g.id === id);
    if (!group) throw oktaErrors.notFound(id, 'UserGroup');
    return group;
  };

  app.get('/api/v1/users', async (request, reply) => {
    const query = request.query as Query;
    const predicate = searchPredicate(query);
    const q = queryValue(query.q);
    // Without a search, Okta lists every user except deprovisioned ones.
    const matching = directory.users.filter((u) => !directory.deleted.has(u.id) &&
      (predicate ? predicate(u) : u.status !== 'DEPROVISIONED') && prefixMatch(q, u.profile.firstName, u.profile.lastName, u.profile.email));
    const limit = readLimit(query.limit, options.maxPageSize.users, options.maxPageSize.users);
    const { page, nextAfter } = pageAfterId(matching, queryValue(query.after), limit);
    const base = requestBaseUrl(request);
    return reply.header('link', linkHeaders(base, request.url, query, nextAfter)).send(page.map((u) => userResource(u, base)));
  });

  app.get('/api/v1/users/:id', async (request) => userResource(users.get((request.params as Params).id!).user, requestBaseUrl(request)));

  app.get('/api/v1/users/:id/groups', async (request) => {
    const { user } = users.get((request.params as Params).id!);
    const base = requestBaseUrl(request);
    return directory.groups.filter((g) => directory.memberships.get(g.id)?.has(user.id)).map((g) => groupResource(g, base));
  });

  app.get('/api/v1/users/:id/factors', async (request) => {
    const { user } = users.get((request.params as Params).id!);
    return structuredClone(directory.factors.get(user.id) ?? []);
  });

  app.get('/api/v1/users/:id/roles', async (request) => {
    const { user } = users.get((request.params as Params).id!);
    const base = requestBaseUrl(request);
    const groupOf = new Map<string, string>();
    for (const [groupId, roles] of directory.groupRoles) for (const role of roles) groupOf.set(role.id, groupId);
    return rolesOfUser(directory, user.id).map((role) => {
      const groupId = groupOf.get(role.id);
      return roleResource(role, base, groupId ? { kind: 'groups', id: groupId } : { kind: 'users', id: user.id });
    });
  });

  app.get('/api/v1/users/:id/grants', async (request, reply) => {
    const query = request.query as Query;
    const { user } = users.get((request.params as Params).id!);
    const scopeId = queryValue(query.scopeId);
    const grants = (directory.grants.get(user.id) ?? []).filter((g) => scopeId === undefined || g.scopeId === scopeId);
    const limit = readLimit(query.limit, GRANTS_DEFAULT_PAGE, GRANTS_MAX_PAGE);
    const { page, nextAfter } = pageAfterId(grants, queryValue(query.after), limit);
    const base = requestBaseUrl(request);
    const expandScope = queryValue(query.expand) === 'scope';
    return reply
      .header('link', linkHeaders(base, request.url, query, nextAfter))
      .send(page.map((g) => grantResource(g, base, directory.apps.find((a) => a.clientId === g.clientId), user, expandScope)));
  });

  app.get('/api/v1/users/:id/grants/:grantId', async (request) => {
    const { id, grantId } = request.params as Params;
    const { user } = users.get(id!);
    const grant = (directory.grants.get(user.id) ?? []).find((g) => g.id === grantId);
    if (!grant) throw oktaErrors.notFound(grantId!, 'OAuth2ScopeConsentGrant');
    const expandScope = queryValue((request.query as Query).expand) === 'scope';
    return grantResource(grant, requestBaseUrl(request), directory.apps.find((a) => a.clientId === grant.clientId), user, expandScope);
  });

  app.get('/api/v1/groups', async (request, reply) => {
    const query = request.query as Query;
    const predicate = searchPredicate(query);
    const q = queryValue(query.q);
    const matching = directory.groups.filter((g) => (!predicate || predicate(g)) && prefixMatch(q, g.profile.name));
    const limit = readLimit(query.limit, options.maxPageSize.groups, options.maxPageSize.groups);
    const { page, nextAfter } = pageAfterId(matching, queryValue(query.after), limit);
    const base = requestBaseUrl(request);
    return reply.header('link', linkHeaders(base, request.url, query, nextAfter)).send(page.map((g) => groupResource(g, base)));
  });

  app.get('/api/v1/groups/:id', async (request) => groupResource(groupById((request.params as Params).id!), requestBaseUrl(request)));

  app.get('/api/v1/groups/:id/users', async (request, reply) => {
    const query = request.query as Query;
    const group = groupById((request.params as Params).id!);
    const memberIds = directory.memberships.get(group.id) ?? new Set<string>();
    const members = directory.users.filter((u) => memberIds.has(u.id));
    const limit = readLimit(query.limit, MEMBERS_PAGE, MEMBERS_PAGE);
    const { page, nextAfter } = pageAfterId<OktaUser>(members, queryValue(query.after), limit);
    const base = requestBaseUrl(request);
    return reply.header('link', linkHeaders(base, request.url, query, nextAfter)).send(page.map((u) => userResource(u, base)));
  });

  app.get('/api/v1/groups/:id/roles', async (request) => {
    const group = groupById((request.params as Params).id!);
    const base = requestBaseUrl(request);
    return (directory.groupRoles.get(group.id) ?? []).map((role) => roleResource(role, base, { kind: 'groups', id: group.id }));
  });
}
