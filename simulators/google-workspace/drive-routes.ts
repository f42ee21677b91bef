import type { FastifyInstance } from 'fastify';
import { isoString, queryValue } from '../common/json.js';
import { isAdministrator } from './directory.js';
import type { SimFile } from './drive.js';
import { googleErrors } from './google-errors.js';
import { offsetPage, readBoolean, readPageSize, requireScope, type Query, type RouteContext } from './route-context.js';

const BASE = '/drive/v3';
type Params = Record<string, string>;

/** One condition of the `q` subset the simulator reads, joined by `and`. */
type Clause = (file: SimFile, viewer: string) => boolean;

/**
 * Parses the `q` forms connectors use: `'me' in owners`, `'<email>' in owners`, `'<id>' in parents`,
 * `trashed = true|false`, `name = '...'`, `mimeType = '...'` / `!=`. Anything else is 400, as an
 * unparsable query is for Drive.
 */
function parseQuery(q: string | undefined): Clause[] {
  if (q === undefined || q.trim() === '') return [];
  const literal = "'((?:[^'\\\\]|\\\\.)*)'";
  const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
  return q.split(/\s+and\s+/i).map((part) => {
    const text = part.trim();
    let m = new RegExp(`^${literal}\\s+in\\s+owners$`).exec(text);
    if (m) {
      const who = unescape(m[1]!).toLowerCase();
      return (file, viewer) => file.owner !== undefined && file.owner === (who === 'me' ? viewer : who);
    }
    m = new RegExp(`^${literal}\\s+in\\s+parents$`).exec(text);
    if (m) {
      const parent = unescape(m[1]!);
      return (file) => file.parents.includes(parent);
    }
    m = /^trashed\s*=\s*(true|false)$/i.exec(text);
    if (m) {
      const trashed = m[1]!.toLowerCase() === 'true';
      return (file) => file.trashed === trashed;
    }
    m = new RegExp(`^(name|mimeType)\\s*(=|!=)\\s*${literal}$`).exec(text);
    if (m) {
      const [, field, op, value] = m as unknown as [string, 'name' | 'mimeType', string, string];
      const wanted = unescape(value);
      return (file) => (file[field] === wanted) === (op === '=');
    }
    throw googleErrors.invalid('Invalid Value', 'q');
  });
}

function includeLabelsOf(query: Query): Set<string> | null {
  const text = queryValue(query.includeLabels);
  return text === undefined || text === '' ? null : new Set(text.split(',').map((s) => s.trim()).filter(Boolean));
}

/** Drive API v3: shared drives, files and their permissions, the changes feed, and the write calls governance uses. */
export function registerDriveRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { drive, governance } = ctx;
  const caller = (request: Parameters<RouteContext['principalOf']>[0], write = false) => {
    const principal = ctx.principalOf(request);
    if (write) requireScope(principal, 'drive');
    else requireScope(principal, 'drive', 'drive.readonly');
    return principal;
  };
  const visibleFile = (fileId: string, viewer: string): SimFile => {
    const file = drive.files.get(fileId);
    if (!file || !drive.canSee(file, viewer)) throw googleErrors.fileNotFound(fileId);
    return file;
  };

  app.get(`${BASE}/drives`, async (request) => {
    const principal = caller(request);
    const query = request.query as Query;
    const asAdmin = readBoolean(query, 'useDomainAdminAccess');
    if (asAdmin && !isAdministrator(principal.user)) throw googleErrors.forbidden('forbidden', 'The user does not have sufficient permissions for this operation.');
    const drives = drive.drives.filter((d) => asAdmin || d.members.some((m) => m.email === principal.user.primaryEmail));
    const { page, nextPageToken } = offsetPage(drives, query, `drives/${principal.user.id}`, readPageSize(query, 'pageSize', 10, 100));
    return {
      kind: 'drive#driveList',
      drives: page.map((d) => ({ kind: 'drive#drive', id: d.id, name: d.name, createdTime: isoString(d.createdTime) })),
      ...(nextPageToken ? { nextPageToken } : {}),
    };
  });

  app.get(`${BASE}/files`, async (request) => {
    const principal = caller(request);
    const viewer = principal.user.primaryEmail;
    const query = request.query as Query;
    const corpora = queryValue(query.corpora) ?? 'user';
    const allDrives = readBoolean(query, 'includeItemsFromAllDrives');
    if (allDrives && !readBoolean(query, 'supportsAllDrives')) {
      throw googleErrors.invalid('The includeItemsFromAllDrives parameter can only be set to true when supportsAllDrives is also set to true.', 'includeItemsFromAllDrives');
    }
    const clauses = parseQuery(queryValue(query.q));
    let candidates: SimFile[];
    if (corpora === 'drive') {
      const driveId = queryValue(query.driveId);
      if (!driveId || !allDrives) throw googleErrors.invalid('The driveId parameter must be specified with corpora=drive and includeItemsFromAllDrives=true.', 'driveId');
      const shared = drive.sharedDrive(driveId);
      if (!shared || !shared.members.some((m) => m.email === viewer)) throw googleErrors.notFound(`Shared drive not found: ${driveId}`);
      candidates = [...drive.files.values()].filter((f) => f.driveId === driveId);
    } else if (corpora === 'user' || corpora === 'allDrives') {
      candidates = [...drive.files.values()].filter((f) => drive.canSee(f, viewer) && (f.driveId === undefined || (corpora === 'allDrives' && allDrives)));
    } else {
      throw googleErrors.invalid(`Invalid value for corpora: ${corpora}`, 'corpora');
    }
    const files = candidates.filter((f) => clauses.every((clause) => clause(f, viewer)));
    const { page, nextPageToken } = offsetPage(files, query, `files/${principal.user.id}`, readPageSize(query, 'pageSize', 100, 1000));
    const labels = includeLabelsOf(query);
    return { kind: 'drive#fileList', incompleteSearch: false, files: page.map((f) => drive.render(f, viewer, labels)), ...(nextPageToken ? { nextPageToken } : {}) };
  });

  app.post(`${BASE}/files`, async (request) => {
    const principal = caller(request, true);
    const file = governance.createFile(principal.user.primaryEmail, (request.body ?? {}) as Record<string, unknown>);
    return drive.render(file, principal.user.primaryEmail, null);
  });

  app.get(`${BASE}/files/:fileId`, async (request) => {
    const principal = caller(request);
    const viewer = principal.user.primaryEmail;
    return drive.render(visibleFile((request.params as Params).fileId!, viewer), viewer, includeLabelsOf(request.query as Query));
  });

  app.patch(`${BASE}/files/:fileId`, async (request) => {
    const principal = caller(request, true);
    const query = request.query as Query;
    const list = (name: string) => (queryValue(query[name]) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const file = governance.updateFile(principal.user.primaryEmail, (request.params as Params).fileId!, {
      addParents: list('addParents'), removeParents: list('removeParents'), body: (request.body ?? {}) as Record<string, unknown>,
    });
    return drive.render(file, principal.user.primaryEmail, null);
  });

  app.get(`${BASE}/files/:fileId/permissions`, async (request) => {
    const principal = caller(request);
    const file = visibleFile((request.params as Params).fileId!, principal.user.primaryEmail);
    if (file.driveId && !readBoolean(request.query as Query, 'supportsAllDrives')) throw googleErrors.fileNotFound(file.id);
    const query = request.query as Query;
    const { page, nextPageToken } = offsetPage(drive.permissionsOf(file), query, `permissions/${file.id}`, readPageSize(query, 'pageSize', 100, 100));
    return { kind: 'drive#permissionList', permissions: page, ...(nextPageToken ? { nextPageToken } : {}) };
  });

  app.post(`${BASE}/files/:fileId/permissions`, async (request) => {
    const principal = caller(request, true);
    const permission = governance.createPermission(principal.user.primaryEmail, (request.params as Params).fileId!, (request.body ?? {}) as Record<string, unknown>,
      readBoolean(request.query as Query, 'transferOwnership'));
    return { kind: 'drive#permission', ...permission };
  });

  app.delete(`${BASE}/files/:fileId/permissions/:permissionId`, async (request, reply) => {
    const principal = caller(request, true);
    const { fileId, permissionId } = request.params as Params;
    governance.deletePermission(principal.user.primaryEmail, fileId!, permissionId!);
    return reply.status(204).send();
  });

  app.post(`${BASE}/files/:fileId/modifyLabels`, async (request) => {
    const principal = caller(request, true);
    const body = (request.body ?? {}) as { labelModifications?: unknown };
    if (!Array.isArray(body.labelModifications)) throw googleErrors.invalid('labelModifications is required', 'labelModifications');
    const modified = governance.modifyLabels(principal.user.primaryEmail, (request.params as Params).fileId!, body.labelModifications as Record<string, unknown>[]);
    return { kind: 'drive#modifyLabelsResponse', modifiedLabels: modified };
  });

  app.get(`${BASE}/changes/startPageToken`, async (request) => {
    caller(request);
    return { kind: 'drive#startPageToken', startPageToken: drive.startPageToken() };
  });

  app.get(`${BASE}/changes`, async (request) => {
    const principal = caller(request);
    const viewer = principal.user.primaryEmail;
    const query = request.query as Query;
    const token = Number(queryValue(query.pageToken));
    if (!Number.isInteger(token) || token < 1) throw googleErrors.invalid('Invalid Value', 'pageToken');
    const allDrives = readBoolean(query, 'includeItemsFromAllDrives');
    const { entries, next, done } = drive.changesFor(viewer, token, readPageSize(query, 'pageSize', 100, 1000));
    const labels = includeLabelsOf(query);
    const changes = entries.flatMap((change) => {
      const file = drive.files.get(change.fileId);
      if (file?.driveId && !allDrives) return [];
      const base = { kind: 'drive#change', changeType: 'file', time: isoString(change.time), fileId: change.fileId };
      if (!file || !drive.canSee(file, viewer)) return [{ ...base, removed: true }];
      return [{ ...base, removed: false, ...(file.driveId ? { driveId: file.driveId } : {}), file: drive.render(file, viewer, labels) }];
    });
    return { kind: 'drive#changeList', changes, ...(done ? { newStartPageToken: String(next) } : { nextPageToken: String(next) }) };
  });
}
