import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cloneJson, isoString } from '../common/json.js';
import { graph } from './api-errors.js';
import { graphPage, project, requireGraph, selected, type RouteContext } from './route-context.js';
import type { GraphUser } from './tenant.js';

type Params = Record<string, string>;

/** Users are found by id or by user principal name, as Graph allows. */
export function findUser(ctx: RouteContext, idOrUpn: string): GraphUser {
  const key = decodeURIComponent(idOrUpn).toLowerCase();
  const user = ctx.tenant.users.find((u) => u.id === key || u.userPrincipalName.toLowerCase() === key);
  if (!user) throw graph.notFound(idOrUpn);
  return user;
}

function userView(ctx: RouteContext, request: FastifyRequest, user: GraphUser): Record<string, unknown> {
  const select = selected(request);
  if (select?.has('signinactivity')) requireGraph(ctx, request, 'readSignInActivity');
  // signInActivity and passwordProfile are returned only when selected.
  return project(cloneJson(user) as unknown as Record<string, unknown>, select, ['signInActivity', 'passwordProfile']);
}

/** A directory object as member lists return it, typed by `@odata.type`. */
function memberView(ctx: RouteContext, request: FastifyRequest, id: string): Record<string, unknown> | null {
  const select = selected(request);
  const user = ctx.tenant.users.find((u) => u.id === id);
  if (user) return { '@odata.type': '#microsoft.graph.user', ...project(cloneJson(user) as unknown as Record<string, unknown>, select, ['signInActivity', 'passwordProfile']) };
  const group = ctx.tenant.groups.find((g) => g.id === id);
  if (group) return { '@odata.type': '#microsoft.graph.group', ...project(cloneJson(group) as unknown as Record<string, unknown>, select) };
  return null;
}

/** Users, groups, roles, apps and consent grants, and the directory's governance calls. */
export function registerDirectoryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { tenant, audit } = ctx;

  app.get('/v1.0/organization', async (request) => {
    requireGraph(ctx, request, 'readOrganization');
    return graphPage(ctx, request, [project({ id: tenant.org.id, displayName: tenant.org.displayName, verifiedDomains: tenant.org.verifiedDomains }, selected(request))], 'organization');
  });

  app.get('/v1.0/users', async (request) => {
    requireGraph(ctx, request, 'readUsers');
    return graphPage(ctx, request, tenant.users.map((u) => userView(ctx, request, u)), 'users');
  });

  app.get('/v1.0/users/:id', async (request) => {
    requireGraph(ctx, request, 'readUsers');
    return userView(ctx, request, findUser(ctx, (request.params as Params).id!));
  });

  app.patch('/v1.0/users/:id', async (request, reply) => {
    const user = findUser(ctx, (request.params as Params).id!);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw graph.badRequest('The request body must be a JSON object.');
    const known = ['accountEnabled', 'passwordProfile', 'jobTitle', 'department', 'displayName'];
    const unknown = Object.keys(body).filter((k) => !known.includes(k));
    if (unknown.length > 0) throw graph.badRequest(`Property '${unknown[0]}' does not exist or cannot be updated in this simulator.`);
    if ('accountEnabled' in body) requireGraph(ctx, request, 'enableDisableUser');
    if ('passwordProfile' in body) requireGraph(ctx, request, 'writePasswordProfile');
    if (['jobTitle', 'department', 'displayName'].some((k) => k in body)) requireGraph(ctx, request, 'writeUsers');
    if ('accountEnabled' in body) {
      if (typeof body.accountEnabled !== 'boolean') throw graph.badRequest('accountEnabled must be a boolean.');
      if (user.accountEnabled !== body.accountEnabled) {
        user.accountEnabled = body.accountEnabled;
        audit.emit(body.accountEnabled ? 'Enable account.' : 'Disable account.', user);
      }
    }
    if ('passwordProfile' in body) {
      const profile = body.passwordProfile as Record<string, unknown> | null;
      if (profile === null || typeof profile !== 'object' || typeof profile.forceChangePasswordNextSignIn !== 'boolean') {
        throw graph.badRequest('passwordProfile.forceChangePasswordNextSignIn must be a boolean.');
      }
      user.passwordProfile.forceChangePasswordNextSignIn = profile.forceChangePasswordNextSignIn;
      if (profile.forceChangePasswordNextSignIn) audit.emit('Set force change user password.', user);
    }
    for (const key of ['jobTitle', 'department', 'displayName'] as const) {
      if (typeof body[key] === 'string') (user as unknown as Record<string, unknown>)[key] = body[key];
    }
    return reply.status(204).send();
  });

  app.post('/v1.0/users/:id/revokeSignInSessions', async (request) => {
    requireGraph(ctx, request, 'revokeSessions');
    const user = findUser(ctx, (request.params as Params).id!);
    user.signInSessionsValidFromDateTime = isoString(Math.floor(ctx.clock.now() / 1000) * 1000).replace('.000Z', 'Z');
    audit.emit('Update StsRefreshTokenValidFrom Timestamp.', user);
    return { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true };
  });

  app.get('/v1.0/groups', async (request) => {
    requireGraph(ctx, request, 'readGroups');
    const select = selected(request);
    return graphPage(ctx, request, tenant.groups.map((g) => project(cloneJson(g) as unknown as Record<string, unknown>, select)), 'groups');
  });

  app.get('/v1.0/groups/:id/members', async (request) => {
    requireGraph(ctx, request, 'readGroups');
    const id = (request.params as Params).id!;
    const members = tenant.members.get(id);
    if (!members) throw graph.notFound(id);
    return graphPage(ctx, request, members.map((m) => memberView(ctx, request, m)).filter((m) => m !== null), 'directoryObjects');
  });

  app.delete('/v1.0/groups/:id/members/:memberId/$ref', async (request, reply) => {
    requireGraph(ctx, request, 'writeGroupMembers');
    const { id, memberId } = request.params as Params;
    const members = tenant.members.get(id!);
    if (!members) throw graph.notFound(id!);
    const index = members.indexOf(memberId!);
    if (index < 0) throw graph.notFound(memberId!);
    members.splice(index, 1);
    const user = tenant.users.find((u) => u.id === memberId);
    if (user) audit.emit('Remove member from group.', user);
    return reply.status(204).send();
  });

  app.get('/v1.0/directoryRoles', async (request) => {
    requireGraph(ctx, request, 'readRoles');
    return graphPage(ctx, request, tenant.roles.map((r) => cloneJson(r)), 'directoryRoles');
  });

  app.get('/v1.0/directoryRoles/:id/members', async (request) => {
    requireGraph(ctx, request, 'readRoles');
    const id = (request.params as Params).id!;
    if (!tenant.roles.some((r) => r.id === id)) throw graph.notFound(id);
    return graphPage(ctx, request, (tenant.roleMembers.get(id) ?? []).map((m) => memberView(ctx, request, m)).filter((m) => m !== null), 'directoryObjects');
  });

  app.delete('/v1.0/directoryRoles/:id/members/:memberId/$ref', async (request, reply) => {
    requireGraph(ctx, request, 'writeRoles');
    const { id, memberId } = request.params as Params;
    if (!tenant.roles.some((r) => r.id === id)) throw graph.notFound(id!);
    const members = tenant.roleMembers.get(id!) ?? [];
    const index = members.indexOf(memberId!);
    if (index < 0) throw graph.notFound(memberId!);
    members.splice(index, 1);
    const user = tenant.users.find((u) => u.id === memberId);
    if (user) audit.emit('Remove member from role.', user);
    return reply.status(204).send();
  });

  app.get('/v1.0/servicePrincipals', async (request) => {
    requireGraph(ctx, request, 'readApps');
    const select = selected(request);
    return graphPage(ctx, request, tenant.servicePrincipals.map((sp) => project(cloneJson(sp) as unknown as Record<string, unknown>, select)), 'servicePrincipals');
  });

  app.get('/v1.0/servicePrincipals/:id/appRoleAssignedTo', async (request) => {
    requireGraph(ctx, request, 'readApps');
    const id = (request.params as Params).id!;
    if (!tenant.servicePrincipals.some((sp) => sp.id === id)) throw graph.notFound(id);
    return graphPage(ctx, request, tenant.appRoleAssignments.filter((a) => a.resourceId === id).map((a) => cloneJson(a)), 'appRoleAssignments');
  });

  app.delete('/v1.0/servicePrincipals/:id/appRoleAssignedTo/:assignmentId', async (request, reply) => {
    requireGraph(ctx, request, 'writeAppRoleAssignments');
    const { id, assignmentId } = request.params as Params;
    if (!tenant.servicePrincipals.some((sp) => sp.id === id)) throw graph.notFound(id!);
    const index = tenant.appRoleAssignments.findIndex((a) => a.id === assignmentId && a.resourceId === id);
    if (index < 0) throw graph.notFound(assignmentId!);
    tenant.appRoleAssignments.splice(index, 1);
    audit.emit('Remove app role assignment from service principal.', tenant.users[0]!);
    return reply.status(204).send();
  });

  app.get('/v1.0/oauth2PermissionGrants', async (request) => {
    requireGraph(ctx, request, 'readGrants');
    return graphPage(ctx, request, tenant.grants.map((g) => cloneJson(g)), 'oauth2PermissionGrants');
  });

  app.get('/v1.0/oauth2PermissionGrants/:id', async (request) => {
    requireGraph(ctx, request, 'readGrants');
    const grant = tenant.grants.find((g) => g.id === (request.params as Params).id);
    if (!grant) throw graph.notFound((request.params as Params).id!);
    return cloneJson(grant);
  });

  app.delete('/v1.0/oauth2PermissionGrants/:id', async (request, reply) => {
    requireGraph(ctx, request, 'writeGrants');
    const id = (request.params as Params).id!;
    const index = tenant.grants.findIndex((g) => g.id === id);
    if (index < 0) throw graph.notFound(id);
    const [grant] = tenant.grants.splice(index, 1);
    const user = tenant.users.find((u) => u.id === grant!.principalId) ?? tenant.users[0]!;
    audit.emit('Remove delegated permission grant.', user);
    return reply.status(204).send();
  });
}
