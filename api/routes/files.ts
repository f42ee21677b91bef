import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { ACCESS_LEVELS } from '../../schemas/vocabulary.js';
import { Conditions, keysetPage } from '../conditions.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, pageLimit } from '../pagination.js';
import { ErrorBodySchema } from '../schemas.js';

/** What became of the latest `quarantine` command on a file, from the governance log. */
const QUARANTINE_STATES = ['quarantined', 'pending', 'released', 'failed', 'none'] as const;
/** Governance statuses → quarantine state (a status not listed: none). */
const QUARANTINE_OF_STATUS: Record<string, (typeof QUARANTINE_STATES)[number]> = {
  succeeded: 'quarantined', pending: 'pending', running: 'pending', awaiting_approval: 'pending', reverted: 'released', failed: 'failed',
};
/** Collaborator types that stand for a link: anyone with it, or anyone of the organisation with it. */
const LINK_TYPES = ['anyone', 'domain'];

const QuerySchema = Type.Object({
  provider: Type.Optional(Type.String({ minLength: 1 })),
  instance: Type.Optional(Type.String({ minLength: 1 })),
  file_id: Type.Optional(Type.String({ minLength: 1, description: "the provider's id of the file" })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'case-insensitive substring of the name or path' })),
  access_level: Type.Optional(Type.Enum(ACCESS_LEVELS, { description: 'exposure: public (anyone with the link), external, internal, private' })),
  owner: Type.Optional(Type.String({ minLength: 1, description: "the owner's email (case-insensitive) or provider id" })),
  collaborator: Type.Optional(Type.String({ minLength: 1, description: 'a collaborator\'s email (case-insensitive) or id' })),
  shared_link: Type.Optional(Type.Boolean({ description: 'true: files with a link anyone (or anyone of the organisation) can open; false: without' })),
  label: Type.Optional(Type.String({ minLength: 1, description: 'the sensitivity label or classification, exact' })),
  quarantine: Type.Optional(Type.Enum(QUARANTINE_STATES, { description: 'the state of the latest quarantine command on the file' })),
  deleted: Type.Optional(Type.Boolean({ description: 'true: only files a scan or a change feed found deleted; default false' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
}, { additionalProperties: false });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const FileSchema = Type.Object({
  record_id: Type.String(),
  provider: Type.String(),
  instance: Type.String(),
  file_id: Type.String(),
  observed_at: Type.String(),
  change: Type.String(),
  name: Type.String(),
  path: Nullable(Type.String()),
  mime_type: Nullable(Type.String()),
  size: Type.Union([Type.Number(), Type.Null()]),
  owner: Type.Union([Type.Object({ id: Nullable(Type.String()), email: Nullable(Type.String()), name: Nullable(Type.String()) }), Type.Null()]),
  created_at: Nullable(Type.String()),
  modified_at: Nullable(Type.String()),
  access_level: Type.String(),
  collaborators: Type.Array(Type.Object({ type: Type.String(), id: Nullable(Type.String()), email: Nullable(Type.String()), role: Type.String() })),
  shared_links: Type.Array(Type.Object({ audience: Type.String({ description: 'anyone or domain' }), id: Nullable(Type.String()), role: Type.String() })),
  label: Nullable(Type.String()),
  url: Nullable(Type.String()),
  quarantine: Type.Enum(QUARANTINE_STATES),
  deleted: Type.Boolean(),
  attributes: Type.Record(Type.String(), Type.String()),
});

type Query = Static<typeof QuerySchema>;
type FileItem = Static<typeof FileSchema>;

interface FileRow {
  record_id: string; provider: string; instance: string; file_id: string; observed_at: string; change: string; name: string;
  path: string | null; mime_type: string | null; size: number | null; owner_id: string | null; owner_email: string | null; owner_name: string | null;
  created_at: string | null; modified_at: string | null; access_level: string;
  collaborator_types: string[]; collaborator_ids: Array<string | null>; collaborator_emails: Array<string | null>; collaborator_roles: string[];
  label: string | null; url: string | null; attributes: Record<string, string>; quarantine_status: string;
}

/** The latest quarantine step per file, joined to the files (no step: ''). */
const FILES_WITH_QUARANTINE = `(
  SELECT f.record_id AS record_id, f.provider AS provider, f.instance AS instance, f.file_id AS file_id, f.observed_at AS observed_at,
         f.change AS change, f.name AS name, f.path AS path, f.mime_type AS mime_type, f.size AS size, f.owner_id AS owner_id,
         f.owner_email AS owner_email, f.owner_name AS owner_name, f.created_at AS created_at, f.modified_at AS modified_at,
         f.access_level AS access_level, f.collaborator_types AS collaborator_types, f.collaborator_ids AS collaborator_ids,
         f.collaborator_emails AS collaborator_emails, f.collaborator_roles AS collaborator_roles, f.label AS label, f.url AS url,
         f.attributes AS attributes, q.quarantine_status AS quarantine_status
  FROM files AS f FINAL
  LEFT JOIN (
    SELECT provider AS q_provider, instance AS q_instance, target_id AS q_target, argMax(status, (at, attempt)) AS quarantine_status
    FROM governance_log WHERE action = 'quarantine' GROUP BY q_provider, q_instance, q_target
  ) AS q ON q.q_provider = f.provider AND q.q_instance = f.instance AND q.q_target = f.file_id
)`;

/** `GET /v1/files`: the latest known state of every scanned file, with its sharing and quarantine state. */
export function fileRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; maxPageSize: number }): void {
  app.get('/v1/files', {
    config: { role: 'analyst' },
    schema: {
      summary: 'List files with their exposure, sharing, label and quarantine state',
      description: 'Ordered by provider, instance and file id; pass `next_cursor` back as `cursor` for the next page. Filters combine with AND.',
      tags: ['files'],
      querystring: QuerySchema,
      response: { 200: Type.Object({ items: Type.Array(FileSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as Query;
    const limit = pageLimit(query.limit, deps.maxPageSize);
    const where = new Conditions({ limit: limit + 1, link_types: LINK_TYPES })
      .equals('provider', 'provider', query.provider)
      .equals('instance', 'instance', query.instance)
      .equals('file_id', 'file_id', query.file_id)
      .equals('access_level', 'access_level', query.access_level)
      .equals('label', 'label', query.label);
    where.add(query.deleted === true ? "change = 'deleted'" : "change != 'deleted'");
    if (query.name !== undefined) {
      where.add("(positionCaseInsensitiveUTF8(name, {name:String}) > 0 OR positionCaseInsensitiveUTF8(ifNull(path, ''), {name:String}) > 0)", { name: query.name });
    }
    if (query.owner !== undefined) where.add('(lower(ifNull(owner_email, \'\')) = lower({owner:String}) OR owner_id = {owner:String})', { owner: query.owner });
    if (query.collaborator !== undefined) {
      where.add('(has(arrayMap(e -> lower(ifNull(e, \'\')), collaborator_emails), lower({collaborator:String})) OR has(collaborator_ids, {collaborator:String}))', { collaborator: query.collaborator });
    }
    if (query.shared_link !== undefined) where.add(`${query.shared_link ? '' : 'NOT '}hasAny(collaborator_types, {link_types:Array(String)})`);
    if (query.quarantine !== undefined) {
      const statuses = Object.entries(QUARANTINE_OF_STATUS).filter(([, state]) => state === query.quarantine).map(([status]) => status);
      if (query.quarantine === 'none') where.add('quarantine_status NOT IN {q_known:Array(String)}', { q_known: Object.keys(QUARANTINE_OF_STATUS) });
      else where.add('quarantine_status IN {q_statuses:Array(String)}', { q_statuses: statuses });
    }
    if (query.cursor !== undefined) {
      const [provider, instance, id] = decodeCursor(query.cursor, 3);
      where.add('(provider, instance, file_id) > ({c_provider:String}, {c_instance:String}, {c_id:String})', { c_provider: provider, c_instance: instance, c_id: id });
    }
    const rows = await deps.clickhouse.query<FileRow>(
      `SELECT record_id, provider, instance, file_id, observed_at, change, name, path, mime_type, size, owner_id, owner_email, owner_name,
              created_at, modified_at, access_level, collaborator_types, collaborator_ids, collaborator_emails, collaborator_roles,
              label, url, attributes, quarantine_status
       FROM ${FILES_WITH_QUARANTINE}
       WHERE ${where}
       ORDER BY provider, instance, file_id
       LIMIT {limit:UInt32}`,
      where.params,
    );
    return keysetPage(rows, limit, toFile, (last) => encodeCursor([last.provider, last.instance, last.file_id]));
  });
}

function toFile(row: FileRow): FileItem {
  const collaborators = row.collaborator_types.map((type, i) => ({
    type, id: row.collaborator_ids[i] ?? null, email: row.collaborator_emails[i] ?? null, role: row.collaborator_roles[i] ?? '',
  }));
  return {
    record_id: row.record_id,
    provider: row.provider,
    instance: row.instance,
    file_id: row.file_id,
    observed_at: row.observed_at,
    change: row.change,
    name: row.name,
    path: row.path,
    mime_type: row.mime_type,
    size: row.size,
    owner: row.owner_id === null && row.owner_email === null ? null : { id: row.owner_id, email: row.owner_email, name: row.owner_name },
    created_at: row.created_at,
    modified_at: row.modified_at,
    access_level: row.access_level,
    collaborators,
    shared_links: collaborators.filter((c) => LINK_TYPES.includes(c.type)).map((c) => ({ audience: c.type, id: c.id, role: c.role })),
    label: row.label,
    url: row.url,
    quarantine: QUARANTINE_OF_STATUS[row.quarantine_status] ?? 'none',
    deleted: row.change === 'deleted',
    attributes: row.attributes,
  };
}
