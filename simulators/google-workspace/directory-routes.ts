import type { FastifyInstance } from 'fastify';
import { cloneJson, queryValue } from '../common/json.js';
import { findGroup, findUser } from './directory.js';
import { googleErrors } from './google-errors.js';
import { offsetPage, readPageSize, requireAdmin, requireScope, type Query, type RouteContext } from './route-context.js';

const BASE = '/admin/directory/v1';
type Params = Record<string, string>;

/** The Directory API: users, tokens, groups and members, roles and role assignments, and the user write calls. */
export function registerDirectoryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { directory, governance } = ctx;
  const admin = (request: Parameters<RouteContext['principalOf']>[0], ...scopes: string[]) => {
    const principal = ctx.principalOf(request);
    requireScope(principal, ...scopes);
    requireAdmin(principal);
    return principal;
  };
  const customer = (query: Query) => {
    const value = queryValue(query.customer) ?? queryValue(query.domain);
    if (value === undefined) throw googleErrors.invalid('Bad Request: customer or domain is required', 'customer');
    if (value !== 'my_customer' && value !== directory.customerId && value !== directory.domain) throw googleErrors.notAuthorized();
  };
  const customerParam = (params: Params) => {
    if (params.customer !== 'my_customer' && params.customer !== directory.customerId) throw googleErrors.notAuthorized();
  };

  app.get(`${BASE}/users`, async (request) => {
    admin(request, 'admin.directory.user', 'admin.directory.user.readonly');
    const query = request.query as Query;
    customer(query);
    const { page, nextPageToken } = offsetPage(directory.users, query, 'users', readPageSize(query, 'maxResults', 100, 500));
    return { kind: 'admin#directory#users', etag: '"users"', users: cloneJson(page), ...(nextPageToken ? { nextPageToken } : {}) };
  });

  app.get(`${BASE}/users/:userKey`, async (request) => {
    admin(request, 'admin.directory.user', 'admin.directory.user.readonly');
    return cloneJson(governance.user((request.params as Params).userKey!));
  });

  for (const method of ['PATCH', 'PUT'] as const) {
    app.route({
      method, url: `${BASE}/users/:userKey`,
      handler: async (request) => {
        const principal = admin(request, 'admin.directory.user');
        return cloneJson(governance.patchUser(principal.user.primaryEmail, (request.params as Params).userKey!, (request.body ?? {}) as Record<string, unknown>));
      },
    });
  }

  app.post(`${BASE}/users/:userKey/signOut`, async (request, reply) => {
    const principal = admin(request, 'admin.directory.user.security');
    governance.signOut(principal.user.primaryEmail, (request.params as Params).userKey!);
    return reply.status(204).send();
  });

  app.get(`${BASE}/users/:userKey/tokens`, async (request) => {
    admin(request, 'admin.directory.user.security');
    const user = governance.user((request.params as Params).userKey!);
    return { kind: 'admin#directory#tokenList', etag: '"tokens"', items: cloneJson(directory.tokens.get(user.id) ?? []) };
  });

  app.get(`${BASE}/users/:userKey/tokens/:clientId`, async (request) => {
    admin(request, 'admin.directory.user.security');
    const { userKey, clientId } = request.params as Params;
    const token = (directory.tokens.get(governance.user(userKey!).id) ?? []).find((t) => t.clientId === clientId);
    if (!token) throw googleErrors.notFound('clientId');
    return cloneJson(token);
  });

  app.delete(`${BASE}/users/:userKey/tokens/:clientId`, async (request, reply) => {
    const principal = admin(request, 'admin.directory.user.security');
    const { userKey, clientId } = request.params as Params;
    governance.deleteToken(principal.user.primaryEmail, userKey!, clientId!);
    return reply.status(204).send();
  });

  app.get(`${BASE}/groups`, async (request) => {
    admin(request, 'admin.directory.group', 'admin.directory.group.readonly');
    const query = request.query as Query;
    const userKey = queryValue(query.userKey);
    let groups = directory.groups;
    if (userKey !== undefined) {
      const user = findUser(directory, userKey);
      groups = user ? groups.filter((g) => directory.members.get(g.id)?.some((m) => m.id === user.id)) : [];
    } else customer(query);
    const { page, nextPageToken } = offsetPage(groups, query, 'groups', readPageSize(query, 'maxResults', 200, 200));
    return { kind: 'admin#directory#groups', etag: '"groups"', groups: cloneJson(page), ...(nextPageToken ? { nextPageToken } : {}) };
  });

  app.get(`${BASE}/groups/:groupKey/members`, async (request) => {
    admin(request, 'admin.directory.group', 'admin.directory.group.readonly', 'admin.directory.group.member.readonly');
    const group = findGroup(directory, (request.params as Params).groupKey!);
    if (!group) throw googleErrors.notFound('groupKey');
    const query = request.query as Query;
    const { page, nextPageToken } = offsetPage(directory.members.get(group.id) ?? [], query, `members/${group.id}`, readPageSize(query, 'maxResults', 200, 200));
    return { kind: 'admin#directory#members', etag: '"members"', members: cloneJson(page), ...(nextPageToken ? { nextPageToken } : {}) };
  });

  app.get(`${BASE}/groups/:groupKey/members/:memberKey`, async (request) => {
    admin(request, 'admin.directory.group', 'admin.directory.group.readonly', 'admin.directory.group.member', 'admin.directory.group.member.readonly');
    const { groupKey, memberKey } = request.params as Params;
    const group = findGroup(directory, groupKey!);
    if (!group) throw googleErrors.notFound('groupKey');
    const key = memberKey!.toLowerCase();
    const member = (directory.members.get(group.id) ?? []).find((m) => m.id === memberKey || m.email.toLowerCase() === key);
    if (!member) throw googleErrors.notFound('memberKey');
    return cloneJson(member);
  });

  app.delete(`${BASE}/groups/:groupKey/members/:memberKey`, async (request, reply) => {
    const principal = admin(request, 'admin.directory.group', 'admin.directory.group.member');
    const { groupKey, memberKey } = request.params as Params;
    governance.removeGroupMember(principal.user.primaryEmail, groupKey!, memberKey!);
    return reply.status(204).send();
  });

  app.delete(`${BASE}/customer/:customer/roleassignments/:roleAssignmentId`, async (request, reply) => {
    const principal = admin(request, 'admin.directory.rolemanagement');
    customerParam(request.params as Params);
    governance.deleteRoleAssignment(principal.user.primaryEmail, (request.params as Params).roleAssignmentId!);
    return reply.status(204).send();
  });

  app.get(`${BASE}/customer/:customer/roles`, async (request) => {
    admin(request, 'admin.directory.rolemanagement', 'admin.directory.rolemanagement.readonly');
    customerParam(request.params as Params);
    const query = request.query as Query;
    const { page, nextPageToken } = offsetPage(directory.roles, query, 'roles', readPageSize(query, 'maxResults', 100, 100));
    return { kind: 'admin#directory#roles', etag: '"roles"', items: cloneJson(page), ...(nextPageToken ? { nextPageToken } : {}) };
  });

  app.get(`${BASE}/customer/:customer/roleassignments`, async (request) => {
    admin(request, 'admin.directory.rolemanagement', 'admin.directory.rolemanagement.readonly');
    customerParam(request.params as Params);
    const query = request.query as Query;
    const userKey = queryValue(query.userKey);
    const user = userKey === undefined ? undefined : findUser(directory, userKey);
    if (userKey !== undefined && !user) throw googleErrors.notFound('userKey');
    const roleId = queryValue(query.roleId);
    const items = directory.roleAssignments.filter((a) => (user === undefined || a.assignedTo === user.id) && (roleId === undefined || a.roleId === roleId));
    const { page, nextPageToken } = offsetPage(items, query, 'roleassignments', readPageSize(query, 'maxResults', 100, 200));
    return { kind: 'admin#directory#roleAssignments', etag: '"roleassignments"', items: cloneJson(page), ...(nextPageToken ? { nextPageToken } : {}) };
  });
}
