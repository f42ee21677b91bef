import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestBaseUrl } from '../common/http-server.js';
import { cloneJson, isoString, queryValue } from '../common/json.js';
import { graph } from './api-errors.js';
import type { DriveState, Identity, Item } from './drives.js';
import { decodeToken, encodeToken, itemId, permissionId } from './ids.js';
import type { Prng } from '../common/prng.js';
import { findUser } from './directory-routes.js';
import { graphPage, requireGraph, type RouteContext } from './route-context.js';

type Params = Record<string, string>;

function driveOf(ctx: RouteContext, id: string): DriveState {
  const state = ctx.tenant.drives.get(decodeURIComponent(id));
  if (!state) throw graph.itemNotFound();
  return state;
}

function itemOf(state: DriveState, id: string): Item {
  const item = id === 'root' ? state.items.get(state.rootId) : state.items.get(decodeURIComponent(id));
  if (!item) throw graph.itemNotFound();
  return item;
}

/** OneDrive and SharePoint: drives, items, permissions, sensitivity labels, the delta feed, and sharing governance. */
export function registerDriveRoutes(app: FastifyInstance, ctx: RouteContext, prng: Prng): void {
  const { tenant } = ctx;
  const target = (request: FastifyRequest) => {
    const { driveId, itemId: id } = request.params as Params;
    const state = driveOf(ctx, driveId!);
    return { state, item: itemOf(state, id ?? 'root') };
  };

  app.get('/v1.0/users/:id/drive', async (request) => {
    requireGraph(ctx, request, 'readFiles');
    const user = findUser(ctx, (request.params as Params).id!);
    const id = tenant.oneDrives.get(user.id);
    // A user without a OneDrive (a guest, or one never provisioned) gets 404.
    if (id === undefined) throw graph.itemNotFound();
    return cloneJson(tenant.drives.get(id)!.drive);
  });

  app.get('/v1.0/sites', async (request) => {
    requireGraph(ctx, request, 'readFiles');
    if (queryValue((request.query as Record<string, unknown>).search) === undefined) throw graph.badRequest('Listing sites needs a search query (search=*).');
    return graphPage(ctx, request, tenant.sites.map((s) => cloneJson(s)), 'sites');
  });

  app.get('/v1.0/sites/:siteId/drives', async (request) => {
    requireGraph(ctx, request, 'readFiles');
    const ids = tenant.siteDrives.get(decodeURIComponent((request.params as Params).siteId!));
    if (!ids) throw graph.itemNotFound();
    return graphPage(ctx, request, ids.map((id) => cloneJson(tenant.drives.get(id)!.drive)), 'drives');
  });

  app.get('/v1.0/drives/:driveId', async (request) => {
    requireGraph(ctx, request, 'readFiles');
    return cloneJson(driveOf(ctx, (request.params as Params).driveId!).drive);
  });

  const children = async (request: FastifyRequest) => {
    requireGraph(ctx, request, 'readFiles');
    const { state, item } = target(request);
    if (!item.folder) throw graph.invalidRequest('The item is not a folder.');
    return graphPage(ctx, request, state.children(item.id).sort((a, b) => a.name.localeCompare(b.name)).map((c) => state.render(c)), 'driveItems');
  };
  app.get('/v1.0/drives/:driveId/root/children', children);
  app.get('/v1.0/drives/:driveId/items/:itemId/children', children);

  app.get('/v1.0/drives/:driveId/items/:itemId', async (request) => {
    requireGraph(ctx, request, 'readFiles');
    const { state, item } = target(request);
    return state.render(item);
  });

  // Create a folder (the quarantine folder).
  app.post('/v1.0/drives/:driveId/root/children', async (request, reply) => {
    requireGraph(ctx, request, 'writeFiles');
    const { state, item: root } = target(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.name !== 'string' || body.name === '' || typeof body.folder !== 'object') throw graph.invalidRequest('A folder needs a name and a folder facet.');
    if (state.children(root.id).some((c) => c.name === body.name)) throw graph.nameConflict(body.name);
    const now = isoString(ctx.clock.now());
    const actor = { id: ctx.options.clientId, displayName: 'Appwarden' };
    const folder = state.addItem({ id: itemId(prng), name: body.name, parentId: root.id, folder: true, size: 0, mimeType: null, createdDateTime: now, lastModifiedDateTime: now, createdBy: actor, lastModifiedBy: actor, labelId: null });
    state.permissions.set(folder.id, []);
    return reply.status(201).send(state.render(folder));
  });

  // Move or rename (within the drive).
  app.patch('/v1.0/drives/:driveId/items/:itemId', async (request) => {
    requireGraph(ctx, request, 'writeFiles');
    const { state, item } = target(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parent = body.parentReference as Record<string, unknown> | undefined;
    if (parent !== undefined) {
      if (typeof parent.driveId === 'string' && parent.driveId !== state.drive.id) throw graph.invalidRequest('Moving items across drives is not supported.');
      const destination = itemOf(state, String(parent.id));
      if (!destination.folder) throw graph.invalidRequest('The destination is not a folder.');
      if (state.children(destination.id).some((c) => c.name === (typeof body.name === 'string' ? body.name : item.name) && c.id !== item.id)) throw graph.nameConflict(item.name);
      item.parentId = destination.id;
    }
    if (typeof body.name === 'string' && body.name !== '') item.name = body.name;
    state.touch(item, true);
    return state.render(item);
  });

  app.delete('/v1.0/drives/:driveId/items/:itemId', async (request, reply) => {
    requireGraph(ctx, request, 'writeFiles');
    const { state, item } = target(request);
    if (item.parentId === null) throw graph.invalidRequest('The root cannot be deleted.');
    state.deleteItem(item);
    return reply.status(204).send();
  });

  app.get('/v1.0/drives/:driveId/items/:itemId/permissions', async (request) => {
    requireGraph(ctx, request, 'readFiles');
    const { state, item } = target(request);
    return { '@odata.context': `${requestBaseUrl(request)}/v1.0/$metadata#permissions`, value: cloneJson(state.permissions.get(item.id) ?? []) };
  });

  app.delete('/v1.0/drives/:driveId/items/:itemId/permissions/:permissionId', async (request, reply) => {
    requireGraph(ctx, request, 'writeFiles');
    const { state, item } = target(request);
    const permissionId = (request.params as Params).permissionId!;
    const permission = (state.permissions.get(item.id) ?? []).find((p) => p.id === permissionId);
    if (!permission) throw graph.itemNotFound();
    if (permission.roles.includes('owner')) throw graph.accessDenied();
    state.removePermission(item, permissionId);
    return reply.status(204).send();
  });

  // A sharing link (Graph driveItem: createLink): the existing link of that type and scope (200), or a new one (201).
  app.post('/v1.0/drives/:driveId/items/:itemId/createLink', async (request, reply) => {
    requireGraph(ctx, request, 'writeFiles');
    const { state, item } = target(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const type = body.type;
    const scope = body.scope ?? 'anonymous';
    if (type !== 'view' && type !== 'edit') throw graph.invalidRequest('type must be view or edit.');
    if (scope !== 'anonymous' && scope !== 'organization' && scope !== 'users') throw graph.invalidRequest('scope must be anonymous, organization or users.');
    const existing = (state.permissions.get(item.id) ?? []).find((p) => {
      const link = p.link as Record<string, unknown> | undefined;
      return link?.type === type && link.scope === scope;
    });
    if (existing) return reply.status(200).send(cloneJson(existing));
    const permission = {
      id: permissionId(prng), roles: [type === 'edit' ? 'write' : 'read'], hasPassword: false,
      link: { scope, type, webUrl: `${state.drive.webUrl}/:${item.folder ? 'f' : 'x'}:/g/${prng.chars(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}` },
    };
    state.addPermission(item, permission);
    return reply.status(201).send(cloneJson(permission));
  });

  // Grants people access (Graph driveItem: invite); a person outside the tenant gets an invitation.
  app.post('/v1.0/drives/:driveId/items/:itemId/invite', async (request) => {
    requireGraph(ctx, request, 'writeFiles');
    const { state, item } = target(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const recipients = Array.isArray(body.recipients) ? body.recipients as Array<Record<string, unknown>> : [];
    const roles = Array.isArray(body.roles) ? body.roles.map(String) : [];
    if (recipients.length === 0 || recipients.some((r) => typeof r?.email !== 'string' && typeof r?.objectId !== 'string')) {
      throw graph.invalidRequest('recipients must list at least one { email } or { objectId }.');
    }
    if (roles.length === 0 || roles.some((r) => r !== 'read' && r !== 'write')) throw graph.invalidRequest('roles must be read or write.');
    const granted = recipients.map((recipient) => {
      const byId = typeof recipient.objectId === 'string' ? tenant.users.find((u) => u.id === recipient.objectId) : undefined;
      if (typeof recipient.objectId === 'string' && !byId) throw graph.notFound(recipient.objectId);
      const email = String(recipient.email ?? byId!.mail ?? byId!.userPrincipalName).toLowerCase();
      const member = byId ?? tenant.users.find((u) => u.mail?.toLowerCase() === email || u.userPrincipalName.toLowerCase() === email);
      const existing = (state.permissions.get(item.id) ?? []).find((p) => {
        const user = (p.grantedToV2 as { user?: Identity } | undefined)?.user;
        return user?.email?.toLowerCase() === email && p.link === undefined;
      });
      if (existing) {
        existing.roles = roles;
        state.touch(item);
        return existing;
      }
      const user = { id: member?.id ?? prng.uuid(), displayName: member?.displayName ?? email, email };
      const permission = {
        id: permissionId(prng), roles, grantedToV2: { user },
        ...(member && member.userType !== 'Guest' ? {} : { invitation: { email, signInRequired: body.requireSignIn !== false } }),
      };
      state.addPermission(item, permission);
      return permission;
    });
    return { '@odata.context': `${requestBaseUrl(request)}/v1.0/$metadata#Collection(permission)`, value: cloneJson(granted) };
  });

  app.post('/v1.0/drives/:driveId/items/:itemId/extractSensitivityLabels', async (request) => {
    requireGraph(ctx, request, 'readFiles');
    const { item } = target(request);
    if (item.folder) throw graph.invalidRequest('Sensitivity labels apply to files only.');
    return { labels: item.labelId === null ? [] : [{ sensitivityLabelId: item.labelId, assignmentMethod: 'standard', tenantId: tenant.org.id }] };
  });

  app.post('/v1.0/drives/:driveId/items/:itemId/assignSensitivityLabel', async (request, reply) => {
    requireGraph(ctx, request, 'writeFiles');
    const { state, item } = target(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (item.folder) throw graph.invalidRequest('Sensitivity labels apply to files only.');
    const label = tenant.labels.find((l) => l.id === body.sensitivityLabelId);
    if (!label) throw graph.invalidRequest(`Unknown sensitivity label ${String(body.sensitivityLabelId)}.`);
    item.labelId = label.id;
    state.touch(item, true);
    // Graph answers 202 and applies the label asynchronously; the monitor URL tells the status.
    return reply.status(202).header('location', `${requestBaseUrl(request)}/v1.0/drives/${state.drive.id}/operations/${prng.uuid()}`).send();
  });

  app.get('/v1.0/drives/:driveId/root/delta', async (request) => {
    requireGraph(ctx, request, 'readFiles');
    const state = driveOf(ctx, (request.params as Params).driveId!);
    const token = queryValue((request.query as Record<string, unknown>).token);
    const base = `${requestBaseUrl(request)}/v1.0/drives/${state.drive.id}/root/delta`;
    const deltaLink = (seq: number) => `${base}?token=${encodeToken({ s: seq })}`;
    if (token === 'latest') return { '@odata.context': `${requestBaseUrl(request)}/v1.0/$metadata#Collection(driveItem)`, value: [], '@odata.deltaLink': deltaLink(state.seq) };
    let after = 0;
    let upTo = state.seq;
    let offset = 0;
    if (token !== undefined) {
      const decoded = decodeToken(token);
      if (decoded === null || typeof decoded.s !== 'number') throw graph.resyncRequired();
      after = decoded.s;
      if (typeof decoded.e === 'number') upTo = decoded.e;
      if (typeof decoded.o === 'number') offset = decoded.o;
    }
    // A first round (no token) lists every item there is; later rounds the changes since the token.
    const changes = token === undefined
      ? [...state.items.values()].filter((i) => i.seq <= upTo).sort((a, b) => a.seq - b.seq).map((i) => ({ seq: i.seq, render: () => state.render(i) }))
      : state.changesBetween(after, upTo);
    const page = changes.slice(offset, offset + ctx.options.deltaPageSize);
    const body: Record<string, unknown> = { '@odata.context': `${requestBaseUrl(request)}/v1.0/$metadata#Collection(driveItem)`, value: page.map((c) => c.render()) };
    if (offset + page.length < changes.length) body['@odata.nextLink'] = `${base}?token=${encodeToken({ s: after, e: upTo, o: offset + page.length })}`;
    else body['@odata.deltaLink'] = deltaLink(upTo);
    return body;
  });
}
