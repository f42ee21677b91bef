import { AppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ChangePage, ChangeStream, SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import { isPermissionRefusal } from '../runtime/permission-gate.js';
import { arr, obj, str, type Json } from '../runtime/json-fields.js';
import type { DropboxClient } from './client.js';
import { tagOf } from './event-types.js';
import { FileCatalog, type FileSpace } from './file-catalog.js';
import { normalizeDropboxFile, type DropboxFileRecord } from './normalize-files.js';
import { isMemberGone } from './streams.js';
import type { TeamDirectory } from './team.js';
import { partCursors } from '../runtime/part-cursors.js';
import { readCheckpoint } from '../runtime/scan-checkpoint.js';

const FILE_KINDS = { file: (raw, ctx) => normalizeDropboxFile(raw, ctx) } satisfies SnapshotKinds;

interface Settings { pageSize: number; scanTeamFolders: boolean }

/** Where the scan stands: the space being listed and its `list_folder` cursor after the last page done. */
interface ScanCheckpoint { space: string; cursor: string }

const isCheckpoint = (value: Json) => typeof value.space === 'string' && typeof value.cursor === 'string';

/**
 * The periodic file scan: each member's Dropbox (`files/list_folder` recursive, as the member with
 * `Dropbox-API-Select-User`) and each team folder (as the admin, `Dropbox-API-Select-Admin`), with
 * shared links and shared-folder members. Each page carries the space and its `list_folder` cursor,
 * so a restarted scan resumes in that space with `list_folder/continue`; each space is a scope.
 */
export class FileScanStream implements SnapshotStream<'file'> {
  readonly name = 'files';
  readonly topic = 'file' as const;
  readonly kinds = FILE_KINDS;
  readonly capabilities = ['files:periodic'] as const;
  readonly permission = 'files.metadata.read';

  constructor(private readonly client: DropboxClient, private readonly team: TeamDirectory, private readonly settings: Settings, private readonly log: Logger) {}

  async *read(signal: AbortSignal, resume?: string): AsyncIterable<SnapshotPage<'file'>> {
    const catalog = new FileCatalog(this.client, this.team, this.settings);
    const spaces = await catalog.spaces({ links: true });
    let from = readCheckpoint<ScanCheckpoint>(resume, isCheckpoint);
    if (from !== null && !spaces.some((s) => s.space === from!.space)) from = null;
    for (const space of spaces) {
      if (signal.aborted) return;
      if (from !== null && from.space !== space.space) continue;
      const cursor = from?.cursor;
      from = null;
      try {
        yield* this.list(catalog, space, cursor);
      } catch (err) {
        if (isPermissionRefusal(err) || !isMemberGone(err)) throw err;
        // The member left the team (or was removed) during the scan: their files are not known to be gone.
        this.log.warn({ space: space.space, err }, 'a member could not be listed; the space is skipped');
        yield { items: [], skipped: [`space:${space.space}`] };
      }
    }
  }

  private async *list(catalog: FileCatalog, space: FileSpace, cursor: string | undefined): AsyncIterable<SnapshotPage<'file'>> {
    const scope = `space:${space.space}`;
    let page: Json = cursor === undefined
      ? await this.client.rpc<Json>('files/list_folder', { path: space.root, recursive: true, include_deleted: false, limit: this.settings.pageSize }, space.credential)
      : await this.client.rpc<Json>('files/list_folder/continue', { cursor }, space.credential);
    for (let n = 0; n < 1_000_000; n++) {
      const records = await Promise.all(arr(page.entries).map(obj).filter((e): e is Json => e !== null && tagOf(e) !== 'deleted')
        .map((entry) => catalog.record(space, entry, 'seen')));
      const next = str(page.cursor);
      const items = records.filter((r): r is DropboxFileRecord => r !== null).map((raw) => ({ kind: 'file' as const, raw }));
      yield { items, scope, ...(next !== null ? { checkpoint: JSON.stringify({ space: space.space, cursor: next }) } : {}) };
      if (page.has_more !== true || next === null) return;
      page = await this.client.rpc<Json>('files/list_folder/continue', { cursor: next }, space.credential);
    }
  }
}

/**
 * Near-realtime file changes: each space's `files/list_folder/continue` from the cursor of
 * `list_folder/get_latest_cursor` (the scan covers the past). New members and team folders join from
 * their present; a cursor Dropbox `reset`s starts again from the present (the runtime then scans early).
 */
export class FileChangeStream implements ChangeStream<'file'> {
  readonly name = 'files/changes';
  readonly topic = 'file' as const;
  readonly kinds = FILE_KINDS;
  readonly capabilities = ['files:realtime'] as const;
  readonly permission = 'files.metadata.read';

  constructor(private readonly client: DropboxClient, private readonly team: TeamDirectory, private readonly settings: Settings) {}

  private async latest(space: FileSpace): Promise<string> {
    const res = await this.client.rpc<Json>('files/list_folder/get_latest_cursor', { path: space.root, recursive: true, include_deleted: true }, space.credential);
    const cursor = str(res.cursor);
    if (cursor === null) throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'files/list_folder/get_latest_cursor answered without a cursor');
    return cursor;
  }

  async initialCursor(): Promise<string> {
    const catalog = new FileCatalog(this.client, this.team, this.settings);
    const cursor = partCursors('spaces');
    for (const space of await catalog.spaces({ links: false })) cursor.cursors[space.space] = await this.latest(space);
    return cursor.text();
  }

  async *read(text: string, signal: AbortSignal): AsyncIterable<ChangePage<'file'>> {
    const cursor = partCursors('spaces', text);
    const catalog = new FileCatalog(this.client, this.team, this.settings);
    const spaces = await catalog.spaces({ links: false });
    for (const space of spaces) cursor.cursors[space.space] ??= await this.latest(space);
    // A member who left takes their cursor along.
    for (const id of Object.keys(cursor.cursors)) if (!spaces.some((s) => s.space === id)) delete cursor.cursors[id];
    let saved = '';
    for (const space of spaces) {
      if (signal.aborted) return;
      for (let n = 0; n < 100_000; n++) {
        const answer = await this.client.call<Json>('files/list_folder/continue', { cursor: cursor.cursors[space.space] }, space.credential);
        if (!answer.ok) {
          if (!answer.summary.startsWith('reset')) throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', `dropbox: files/list_folder/continue failed: ${answer.summary}`, { details: { space: space.space } });
          // The space restarts from its present state; the runtime has the file scan fill the gap.
          cursor.cursors[space.space] = await this.latest(space);
          saved = cursor.text();
          yield { items: [], cursor: saved, restarted: [{ part: `space:${space.space}`, reason: `files/list_folder/continue answered 409 ${answer.summary}` }] };
          break;
        }
        const page = answer.body;
        const entries = arr(page.entries).map(obj).filter((e): e is Json => e !== null && tagOf(e) !== 'deleted');
        const records: DropboxFileRecord[] = [];
        for (const entry of entries) {
          await catalog.readLinks(space, String(entry.id));
          const record = await catalog.record(space, entry, 'updated');
          if (record !== null) records.push(record);
        }
        cursor.cursors[space.space] = str(page.cursor) ?? cursor.cursors[space.space]!;
        if (records.length > 0) {
          saved = cursor.text();
          yield { items: records.map((raw) => ({ kind: 'file' as const, raw })), cursor: saved };
        }
        if (page.has_more !== true) break;
      }
    }
    const last = cursor.text();
    if (last !== saved && last !== text) yield { items: [], cursor: last };
  }
}
