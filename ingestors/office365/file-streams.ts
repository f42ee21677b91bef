import { providerStatus } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ChangePage, ChangeStream, SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import { WHOLE_STREAM } from '../runtime/scan-sets.js';
import type { DriveCatalog } from './drive-catalog.js';
import { type Json, obj } from '../runtime/json-fields.js';
import { str } from './fields.js';
import type { GraphClient } from './graph-client.js';
import { deltaChangeOf, isDriveRoot, normalizeDriveItem, type DriveItemRecord } from './normalize-files.js';
import { partCursors } from '../runtime/part-cursors.js';
import { readCheckpoint } from '../runtime/scan-checkpoint.js';

/** Both file streams yield drive items completed with their permissions and label (`DriveItemRecord`). */
const FILE_KINDS = {
  file: (raw, ctx) => normalizeDriveItem(raw as DriveItemRecord, ctx),
} satisfies SnapshotKinds;

/** Where the file scan stands: the drive being walked, its folders still to list (the first one in progress), and that folder's next page. */
interface WalkCheckpoint {
  drive: string;
  folders: Array<string | null>;
  next?: string;
}

const isWalk = (value: Json) => typeof value.drive === 'string' && Array.isArray(value.folders);

/**
 * The periodic file scan: every drive's folders, walked from the root, with each item's permissions and
 * label. Each page carries a checkpoint (the drive, its folder queue, the folder's next link), so a
 * restarted scan skips the drives before it and resumes that drive's walk; each drive is a scope.
 */
export class FileScanStream implements SnapshotStream<'file'> {
  readonly name = 'files';
  readonly topic = 'file' as const;
  readonly kinds = FILE_KINDS;
  readonly capabilities = ['files:periodic'] as const;
  readonly permission = 'Files.Read.All';

  constructor(private readonly graph: GraphClient, private readonly catalog: DriveCatalog, private readonly log: Logger) {}

  async *read(signal: AbortSignal, resume?: string): AsyncIterable<SnapshotPage<'file'>> {
    const domains = await this.catalog.tenantDomains();
    const skipped: string[] = [];
    let from = readCheckpoint<WalkCheckpoint>(resume, isWalk);
    for await (const drives of this.catalog.discover(skipped)) {
      for (const drive of drives) {
        const driveId = String(drive.id);
        // Drives before the checkpoint's were walked before the restart.
        if (from !== null && from.drive !== driveId) continue;
        const start = from ?? { drive: driveId, folders: [null] };
        from = null;
        yield* this.walk(drive, start, domains, signal);
        if (signal.aborted) return;
      }
    }
    if (from !== null) {
      // The checkpoint's drive is gone: walk everything rather than miss a drive.
      this.log.warn({ drive: from.drive }, 'the drive the scan stopped in is gone; walking every drive again');
      yield* this.read(signal);
      return;
    }
    // A part of the tenant the credentials may not read: no file is known to be gone.
    if (skipped.length > 0) yield { items: [], skipped: [WHOLE_STREAM] };
    this.log.debug({ drives: this.catalog.drives.size }, 'file scan walked every drive');
  }

  /** Breadth first from the checkpoint's queue; every folder is listed once. */
  private async *walk(drive: Json, start: WalkCheckpoint, domains: readonly string[], signal: AbortSignal): AsyncIterable<SnapshotPage<'file'>> {
    const driveId = start.drive;
    const folders = [...start.folders];
    const listed = new Set(folders);
    let next = start.next;
    const scope = `drive:${driveId}`;
    if (folders.length === 0) yield { items: [], scope, checkpoint: JSON.stringify({ drive: driveId, folders }) };
    while (folders.length > 0 && !signal.aborted) {
      for await (const page of this.graph.childPages(driveId, folders[0]!, next)) {
        for (const child of page.items) {
          const id = str(child.id);
          if (id !== null && obj(child.folder) !== null && !listed.has(id)) {
            listed.add(id);
            folders.push(id);
          }
        }
        const records = await Promise.all(page.items.map((child) => this.catalog.complete(drive, child, 'seen', domains)));
        const position: WalkCheckpoint = page.next === null ? { drive: driveId, folders: folders.slice(1) } : { drive: driveId, folders, next: page.next };
        yield { items: records.map((raw) => ({ kind: 'file' as const, raw })), scope, checkpoint: JSON.stringify(position) };
      }
      folders.shift();
      next = undefined;
    }
  }
}

/**
 * Near-realtime file changes from each drive's delta query (`/drives/{id}/root/delta`, `@odata.deltaLink`).
 * It starts from the present (`token=latest`); the periodic scan covers the past. Drives the scan finds
 * later join from their present state; a drive whose delta link expired restarts from its present.
 */
export class DriveDeltaStream implements ChangeStream<'file'> {
  readonly name = 'files/delta';
  readonly topic = 'file' as const;
  readonly kinds = FILE_KINDS;
  readonly capabilities = ['files:realtime'] as const;
  readonly permission = 'Files.Read.All';

  constructor(private readonly graph: GraphClient, private readonly catalog: DriveCatalog, private readonly log: Logger) {}

  async initialCursor(): Promise<string> {
    const cursor = partCursors('drives');
    for await (const drives of this.catalog.discover()) {
      const links = await Promise.all(drives.map((d) => this.graph.latestDeltaLink(String(d.id))));
      drives.forEach((d, i) => { cursor.cursors[String(d.id)] = links[i]!; });
    }
    return cursor.text();
  }

  async *read(text: string, signal: AbortSignal): AsyncIterable<ChangePage<'file'>> {
    const cursor = partCursors('drives', text);
    let saved = text;
    for (const driveId of this.catalog.drives.keys()) {
      cursor.cursors[driveId] ??= await this.graph.latestDeltaLink(driveId);
    }
    const domains = await this.catalog.tenantDomains();
    for (const [driveId, link] of Object.entries(cursor.cursors)) {
      if (signal.aborted) return;
      const drive: Json = this.catalog.drives.get(driveId) ?? { id: driveId };
      try {
        for await (const page of this.graph.delta(link)) {
          if (page === null) {
            // 410 Gone: the link expired; the drive starts again from the present, and the runtime has the file scan fill the gap.
            cursor.cursors[driveId] = await this.graph.latestDeltaLink(driveId);
            saved = cursor.text();
            yield { items: [], cursor: saved, restarted: [{ part: `drive:${driveId}`, reason: 'Graph answered 410 Gone (resyncRequired): the delta link expired' }] };
            break;
          }
          const changes = page.items.filter((item) => !isDriveRoot(item));
          const records = await Promise.all(changes.map((item) => this.catalog.complete(drive, item, deltaChangeOf(item), domains)));
          cursor.cursors[driveId] = page.link;
          // Pages without changes only move links: they ride along with the next page that has changes, or the last one.
          if (records.length > 0) {
            saved = cursor.text();
            yield { items: records.map((raw) => ({ kind: 'file' as const, raw })), cursor: saved };
          }
        }
      } catch (err) {
        if (!(providerStatus(err) === 404)) throw err;
        this.log.warn({ driveId }, 'drive is gone; it leaves the delta feed');
        delete cursor.cursors[driveId];
        this.catalog.drives.delete(driveId);
      }
    }
    const last = cursor.text();
    if (last !== saved) yield { items: [], cursor: last };
  }

}
