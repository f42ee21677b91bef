import type { FastifyInstance, FastifyRequest } from 'fastify';
import { boxErrors } from './box-errors.js';
import { CLASSIFICATION_TEMPLATE, classificationJson, collaborationJson, itemJson, miniUser, pick } from './render.js';
import { page, q, type RouteContext } from './route-context.js';
import { boxTime, ROOT, type ItemType, type SimItem, type SimLink, type SimUser } from './tenant.js';

type Json = Record<string, any>;
const TYPES: Record<string, ItemType> = { files: 'file', folders: 'folder' };
const ACCESS = new Set(['open', 'company', 'collaborators']);
const ROLES = new Set(['editor', 'viewer', 'previewer', 'uploader', 'previewer uploader', 'viewer uploader', 'co-owner']);

/** Files, folders, their shared links, collaborations and classification, as the acting user may see and change them. */
export function registerContentRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { tenant, events, clock } = ctx;
  const render = (request: FastifyRequest, item: SimItem) => pick(itemJson(tenant, item), q(request, 'fields'));
  const editors = new Set(['editor', 'co-owner']);
  /** The item if the acting user can see it (Box answers 404 otherwise); `edit` also needs its owner or an editor. */
  const visible = (request: FastifyRequest, type: ItemType, id: string, edit = false): { item: SimItem; user: SimUser } => {
    const user = ctx.actingUser(request);
    const item = tenant.item(type, id);
    if (!item || !tenant.canSee(user.id, item)) throw boxErrors.notFound();
    if (edit && item.owner !== user.id && ![item, ...tenant.ancestors(item)].some((i) => tenant.collaborationsOf(i).some((c) => c.accessibleBy.id === user.id && editors.has(c.role)))) {
      throw boxErrors.forbidden();
    }
    return { item, user };
  };
  const source = (item: SimItem) => {
    const { metadata: _m, ...rest } = itemJson(tenant, item);
    return rest;
  };
  const touch = (item: SimItem) => { item.modifiedAt = boxTime(clock.now()); };

  app.get('/2.0/folders/0', async (request) => {
    const user = ctx.actingUser(request);
    return pick({ type: 'folder', id: ROOT, name: 'All Files', owned_by: miniUser(user), path_collection: { total_count: 0, entries: [] }, parent: null, shared_link: null, item_status: 'active' }, q(request, 'fields'));
  });

  app.get<{ Params: { id: string } }>('/2.0/folders/:id/items', async (request) => {
    const user = ctx.actingUser(request);
    const list = request.params.id === ROOT ? tenant.rootItems(user.id) : tenant.children(visible(request, 'folder', request.params.id).item.id);
    const sorted = [...list].sort((a, b) => (a.type === b.type ? 0 : a.type === 'folder' ? -1 : 1) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return page(request, sorted, (i) => render(request, i), { fallback: 100, max: 1000 });
  });

  for (const [collection, type] of Object.entries(TYPES)) {
    app.get<{ Params: { id: string } }>(`/2.0/${collection}/:id`, async (request) => render(request, visible(request, type, request.params.id).item));

    app.put<{ Params: { id: string }; Body: Json | undefined }>(`/2.0/${collection}/:id`, async (request) => {
      const { item, user } = visible(request, type, request.params.id, true);
      const body = request.body ?? {};
      if ('shared_link' in body) {
        const link = body.shared_link as Json | null;
        if (link === null) {
          if (item.sharedLink) events.record('ITEM_SHARED_UNSHARE', source(item));
          item.sharedLink = null;
        } else {
          const access = link.access ?? item.sharedLink?.access ?? 'open';
          if (!ACCESS.has(access)) throw boxErrors.badRequest(`Invalid value '${String(access)}' for field 'shared_link.access'.`);
          const created = item.sharedLink === null;
          const next: SimLink = {
            access, isPasswordEnabled: typeof link.password === 'string' && link.password !== '' ? true : link.password === null ? false : item.sharedLink?.isPasswordEnabled ?? false,
            unsharedAt: typeof link.unshared_at === 'string' ? link.unshared_at : item.sharedLink?.unsharedAt ?? null,
            canDownload: typeof link.permissions?.can_download === 'boolean' ? link.permissions.can_download : item.sharedLink?.canDownload ?? true,
          };
          item.sharedLink = next;
          events.record(created ? 'ITEM_SHARED_CREATE' : 'ITEM_SHARED_UPDATE', source(item));
        }
        touch(item);
      }
      if (body.parent && typeof body.parent.id === 'string' && body.parent.id !== item.parent) {
        const folder = body.parent.id === ROOT ? null : visible(request, 'folder', body.parent.id, true).item;
        if (folder && (folder.id === item.id || tenant.ancestors(folder).some((a) => a.id === item.id))) throw boxErrors.badRequest('Cannot move a folder into itself', 'bad_request');
        tenant.move(item, folder, user.id);
        events.record('ITEM_MOVE', source(item));
        touch(item);
      }
      if (typeof body.name === 'string' && body.name !== '' && body.name !== item.name) {
        item.name = body.name;
        events.record('ITEM_RENAME', source(item));
        touch(item);
      }
      return render(request, item);
    });

    app.get<{ Params: { id: string } }>(`/2.0/${collection}/:id/collaborations`, async (request) => {
      const { item } = visible(request, type, request.params.id);
      return page(request, tenant.collaborationsOf(item), (c) => pick(collaborationJson(tenant, c), q(request, 'fields')), { fallback: 100, max: 1000 });
    });

    const metadataPath = `/2.0/${collection}/:id/metadata/enterprise/:template`;
    const template = (request: FastifyRequest<{ Params: { id: string; template: string } }>) => {
      if (request.params.template !== CLASSIFICATION_TEMPLATE) throw boxErrors.notFound();
    };
    app.get<{ Params: { id: string; template: string } }>(metadataPath, async (request) => {
      template(request);
      const { item } = visible(request, type, request.params.id);
      if (item.classification === null) throw boxErrors.notFound();
      return classificationJson(tenant, item);
    });
    app.post<{ Params: { id: string; template: string }; Body: Json | undefined }>(metadataPath, async (request, reply) => {
      template(request);
      const { item } = visible(request, type, request.params.id, true);
      if (item.classification !== null) throw boxErrors.conflict('tuple_already_exists', 'A resource with this value already exists');
      const key = request.body?.Box__Security__Classification__Key;
      if (typeof key !== 'string' || key === '') throw boxErrors.badRequest('Box__Security__Classification__Key is required', 'bad_request');
      item.classification = key;
      events.record('METADATA_INSTANCE_CREATE', source(item));
      return reply.status(201).send(classificationJson(tenant, item));
    });
    app.put<{ Params: { id: string; template: string }; Body: unknown }>(metadataPath, async (request) => {
      template(request);
      const { item } = visible(request, type, request.params.id, true);
      if (item.classification === null) throw boxErrors.notFound();
      const ops = Array.isArray(request.body) ? request.body as Json[] : [];
      for (const op of ops) {
        if ((op.op === 'replace' || op.op === 'add') && op.path === '/Box__Security__Classification__Key' && typeof op.value === 'string') item.classification = op.value;
      }
      events.record('METADATA_INSTANCE_UPDATE', source(item));
      return classificationJson(tenant, item);
    });
  }

  app.post<{ Body: Json | undefined }>('/2.0/folders', async (request, reply) => {
    const user = ctx.actingUser(request);
    const body = request.body ?? {};
    const parentId = String(body.parent?.id ?? '');
    if (typeof body.name !== 'string' || body.name === '' || parentId === '') throw boxErrors.badRequest('name and parent.id are required', 'bad_request');
    const parent = parentId === ROOT ? null : visible(request, 'folder', parentId, true).item;
    const siblings = parent ? tenant.children(parent.id) : tenant.rootItems(user.id);
    if (siblings.some((s) => s.name === body.name && s.type === 'folder')) throw boxErrors.conflict('item_name_in_use', 'Item with the same name already exists');
    const folder = tenant.addItem({ type: 'folder', name: body.name, owner: parent?.owner ?? user.id, parent: parentId, createdAt: boxTime(clock.now()) });
    events.record('ITEM_CREATE', source(folder));
    return reply.status(201).send(render(request, folder));
  });

  app.post<{ Body: Json | undefined }>('/2.0/collaborations', async (request, reply) => {
    const body = request.body ?? {};
    const type = body.item?.type === 'file' || body.item?.type === 'folder' ? body.item.type as ItemType : null;
    if (type === null || typeof body.item?.id !== 'string') throw boxErrors.badRequest('item is required', 'bad_request');
    const { item, user } = visible(request, type, body.item.id, true);
    const role = String(body.role ?? '');
    if (!ROLES.has(role)) throw boxErrors.badRequest(`Invalid value '${role}' for field 'role'.`, 'bad_request');
    const who = body.accessible_by ?? {};
    let target: { type: 'user' | 'group'; id: string } | null = null;
    if (who.type === 'group') target = tenant.groups.some((g) => g.id === who.id) ? { type: 'group', id: who.id } : null;
    else if (typeof who.id === 'string') target = tenant.anyUser(who.id) ? { type: 'user', id: who.id } : null;
    else if (typeof who.login === 'string') {
      const login = who.login.toLowerCase();
      const found = [...tenant.users, ...tenant.externals].find((u) => u.login.toLowerCase() === login);
      const external = found ?? (() => { const e = { id: tenant.newId(), name: who.login, login: who.login }; tenant.externals.push(e); return e; })();
      target = { type: 'user', id: external.id };
    }
    if (target === null) throw boxErrors.notFound();
    if (tenant.collaborationsOf(item).some((c) => c.accessibleBy.type === target!.type && c.accessibleBy.id === target!.id)) {
      throw boxErrors.badRequest('User is already a collaborator', 'user_already_collaborator');
    }
    const c = tenant.addCollaboration(item, target, role, user.id, boxTime(clock.now()));
    const invited = target.type === 'user' ? tenant.anyUser(target.id) : undefined;
    events.record('COLLABORATION_INVITE', item.type === 'folder'
      ? { folder_id: item.id, folder_name: item.name, owned_by: source(item).owned_by, parent: null, user_id: target.id, user_name: invited?.name ?? null }
      : source(item), { accessible_by: invited ? miniUser(invited) : { type: 'group', id: target.id }, additional_details: { collab_id: c.id, role, is_performed_by_admin: true } });
    return reply.status(201).send(collaborationJson(tenant, c));
  });

  app.delete<{ Params: { id: string } }>('/2.0/collaborations/:id', async (request, reply) => {
    const c = tenant.collaborations.get(request.params.id);
    const user = ctx.actingUser(request);
    const item = c ? tenant.item(c.itemType, c.itemId) : undefined;
    if (!c || !item || !tenant.canSee(user.id, item)) throw boxErrors.notFound();
    if (item.owner !== user.id && c.accessibleBy.id !== user.id) throw boxErrors.forbidden();
    tenant.collaborations.delete(c.id);
    const removed = c.accessibleBy.type === 'user' ? tenant.anyUser(c.accessibleBy.id) : undefined;
    events.record('COLLABORATION_REMOVE', item.type === 'folder'
      ? { folder_id: item.id, folder_name: item.name, owned_by: source(item).owned_by, parent: null, user_id: c.accessibleBy.id, user_name: removed?.name ?? null }
      : source(item), { accessible_by: removed ? miniUser(removed) : { type: 'group', id: c.accessibleBy.id }, additional_details: { collab_id: c.id, role: c.role, is_performed_by_admin: true } });
    return reply.status(204).send();
  });
}
