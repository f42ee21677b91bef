import type { ChangePage, ChangeStream, SnapshotItem, SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import { str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { soqlIn, soqlTime, type SalesforceApi } from './api.js';
import { normalizeContentDocument, type ContentRecord } from './normalize-files.js';
import type { FileChange } from '../../schemas/vocabulary.js';

export const FILE_KINDS = { file: normalizeContentDocument } satisfies SnapshotKinds;
type FileItem = SnapshotItem<keyof typeof FILE_KINDS>;

const DOCUMENT_FIELDS = 'Id, Title, FileExtension, FileType, ContentSize, OwnerId, Owner.Name, Owner.Email, CreatedDate, LastModifiedDate, LatestPublishedVersionId';
const LINK_FIELDS = 'Id, ContentDocumentId, LinkedEntityId, ShareType, Visibility';
const DISTRIBUTION_FIELDS = 'Id, ContentDocumentId, Name, DistributionPublicUrl, PreferencesAllowViewInBrowser, PreferencesPasswordRequired, ExpiryDate, CreatedDate, LastModifiedDate';
/** Ids per `IN (...)`: the query must stay under SOQL's 100,000 characters and the URL under 16 KB. */
const IDS_PER_QUERY = 200;

/** The files' permission: reading every user's files needs View All Data (or Query All Files). */
const FILES_PERMISSION = 'ViewAllData';

/** A page of documents with their links and public links (ContentDocumentLink must be filtered by document id). */
async function withSharing(api: SalesforceApi, documents: Json[], change: FileChange, signal: AbortSignal): Promise<FileItem[]> {
  const items: FileItem[] = [];
  for (let i = 0; i < documents.length; i += IDS_PER_QUERY) {
    const chunk = documents.slice(i, i + IDS_PER_QUERY);
    const ids = chunk.map((d) => String(d.Id));
    const [links, distributions] = await Promise.all([
      api.queryAll(`SELECT ${LINK_FIELDS} FROM ContentDocumentLink WHERE ${soqlIn('ContentDocumentId', ids)}`, signal),
      api.queryAll(`SELECT ${DISTRIBUTION_FIELDS} FROM ContentDistribution WHERE ${soqlIn('ContentDocumentId', ids)}`, signal),
    ]);
    for (const document of chunk) {
      const record: ContentRecord = {
        document,
        links: links.filter((l) => l.ContentDocumentId === document.Id),
        distributions: distributions.filter((d) => d.ContentDocumentId === document.Id),
        change,
      };
      items.push({ kind: 'file', raw: record });
    }
  }
  return items;
}

/** The periodic file scan: every ContentDocument, by Id, resumable from the last Id of an acknowledged page. */
export function fileScanStream(api: SalesforceApi): SnapshotStream<keyof typeof FILE_KINDS> {
  return {
    name: 'files',
    topic: 'file',
    kinds: FILE_KINDS,
    capabilities: ['files:periodic'],
    permission: FILES_PERMISSION,
    async *read(signal, resume): AsyncIterable<SnapshotPage<keyof typeof FILE_KINDS>> {
      const after = resume ? ` WHERE Id > '${resume.replace(/[^A-Za-z0-9]/g, '')}'` : '';
      for await (const documents of api.query(`SELECT ${DOCUMENT_FIELDS} FROM ContentDocument${after} ORDER BY Id ASC`, signal)) {
        yield { items: await withSharing(api, documents, 'seen', signal), checkpoint: String(documents.at(-1)!.Id) };
      }
    },
  };
}

/**
 * Near-real-time files: documents and public links modified since the cursor (their LastModifiedDate),
 * polled between scans. The cursor is the newest LastModifiedDate seen (ISO).
 */
export function fileChangeStream(api: SalesforceApi): ChangeStream<keyof typeof FILE_KINDS> {
  return {
    name: 'files/changes',
    topic: 'file',
    kinds: FILE_KINDS,
    capabilities: ['files:realtime'],
    permission: FILES_PERMISSION,
    initialCursor: async () => new Date().toISOString(),
    async *read(cursor, signal): AsyncIterable<ChangePage<keyof typeof FILE_KINDS>> {
      const since = isoTime(cursor) ?? Date.now();
      const changed = new Map<string, number>();
      let newest = since;
      // A new or removed public link does not touch its document: its own LastModifiedDate says it changed.
      const distributions = await api.queryAll(`SELECT Id, ContentDocumentId, LastModifiedDate FROM ContentDistribution WHERE LastModifiedDate > ${soqlTime(since)}`, signal);
      const documents = await api.queryAll(`SELECT ${DOCUMENT_FIELDS} FROM ContentDocument WHERE LastModifiedDate > ${soqlTime(since)} ORDER BY LastModifiedDate ASC, Id ASC`, signal);
      for (const row of [...documents, ...distributions]) {
        const t = isoTime(row.LastModifiedDate) ?? since;
        if (t > newest) newest = t;
        const id = str(row.ContentDocumentId) ?? str(row.Id);
        if (id !== null) changed.set(id, t);
      }
      const byId = new Map(documents.map((d) => [String(d.Id), d]));
      const missing = [...changed.keys()].filter((id) => !byId.has(id));
      for (let i = 0; i < missing.length; i += IDS_PER_QUERY) {
        for (const d of await api.queryAll(`SELECT ${DOCUMENT_FIELDS} FROM ContentDocument WHERE ${soqlIn('Id', missing.slice(i, i + IDS_PER_QUERY))}`, signal)) byId.set(String(d.Id), d);
      }
      const all = [...byId.values()];
      const created = (d: Json) => (isoTime(d.CreatedDate) ?? 0) > since;
      const items = [
        ...await withSharing(api, all.filter(created), 'created', signal),
        ...await withSharing(api, all.filter((d) => !created(d)), 'updated', signal),
      ];
      yield { items, cursor: new Date(newest).toISOString() };
    },
  };
}
