import type { FastifyInstance } from 'fastify';
import { boxErrors } from './box-errors.js';
import { groupJson, membershipJson, miniUser, pick, userJson } from './render.js';
import { page, q, type RouteContext } from './route-context.js';
import type { SimUser } from './tenant.js';

type Json = Record<string, unknown>;

/** Users (managed users of the enterprise; external users only by exact login), groups and memberships, and the user changes admins make. */
export function registerDirectoryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { tenant, events } = ctx;
  const render = (fields: string | undefined) => (u: SimUser) => pick(userJson(tenant, u), fields);

  app.get('/2.0/users', async (request) => {
    const userType = q(request, 'user_type') ?? 'all';
    const term = q(request, 'filter_term')?.toLowerCase();
    const fields = q(request, 'fields');
    const matches = (u: { name: string; login: string }) => term === undefined || u.login.toLowerCase().startsWith(term) || u.name.toLowerCase().startsWith(term);
    const managed = userType === 'external' ? [] : tenant.users.filter(matches);
    // Box finds external users only by their exact login.
    const external = userType === 'managed' || term === undefined ? [] : tenant.externals.filter((e) => e.login.toLowerCase() === term);
    const all: Json[] = [...managed.map(render(fields)), ...external.map((e) => pick({ ...miniUser(e), status: 'active' }, fields))];
    return page(request, all, (x) => x, { fallback: 100, max: 1000 });
  });

  app.get('/2.0/users/me', async (request) => render(q(request, 'fields'))(ctx.actingUser(request)));

  app.get<{ Params: { id: string } }>('/2.0/users/:id', async (request) => {
    const user = tenant.user(request.params.id);
    if (!user) throw boxErrors.notFound();
    return render(q(request, 'fields'))(user);
  });

  app.put<{ Params: { id: string }; Body: Json | undefined }>('/2.0/users/:id', async (request) => {
    const user = tenant.user(request.params.id);
    if (!user) throw boxErrors.notFound();
    const body = request.body ?? {};
    if (body.status !== undefined) {
      if (body.status !== 'active' && body.status !== 'inactive' && body.status !== 'cannot_delete_edit' && body.status !== 'cannot_delete_edit_upload') {
        throw boxErrors.badRequest(`Invalid value '${String(body.status)}' for field 'status'.`, 'bad_request');
      }
      // The primary admin and the app's own service account cannot be deactivated.
      if (user.role === 'admin' || user === tenant.serviceAccount) throw boxErrors.forbidden();
      if (user.status !== body.status) {
        user.status = body.status === 'inactive' ? 'inactive' : 'active';
        user.modifiedAt = new Date(ctx.clock.now()).toISOString();
        events.record('EDIT_USER', miniUser(user), { additional_details: { status: user.status } });
      }
    }
    return render(q(request, 'fields'))(user);
  });

  app.post<{ Body: Json | undefined }>('/2.0/users/terminate_sessions', async (request, reply) => {
    const body = request.body ?? {};
    const ids = Array.isArray(body.user_ids) ? body.user_ids.map(String) : [];
    const logins = Array.isArray(body.user_logins) ? body.user_logins.map((l) => String(l).toLowerCase()) : [];
    const users = tenant.users.filter((u) => ids.includes(u.id) || logins.includes(u.login.toLowerCase()));
    if (users.length === 0 || users.length < ids.length) throw boxErrors.badRequest('User ids or logins are invalid', 'bad_request');
    for (const user of users) user.sessionsTerminated++;
    return reply.status(202).send({ message: 'Request is successful, please check the admin events for the status of the job' });
  });

  app.get('/2.0/groups', async (request) => page(request, tenant.groups, (g) => pick(groupJson(g), q(request, 'fields')), { fallback: 100, max: 1000 }));

  app.get<{ Params: { id: string } }>('/2.0/groups/:id/memberships', async (request) => {
    if (!tenant.groups.some((g) => g.id === request.params.id)) throw boxErrors.notFound();
    const members = tenant.memberships.filter((m) => m.groupId === request.params.id && tenant.user(m.userId));
    return page(request, members, (m) => membershipJson(tenant, m), { fallback: 100, max: 1000 });
  });
}
