import { AppwardenError, isAppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { FileEvent } from '../../schemas/types.js';
import type { ChangeStream, SnapshotContext, SnapshotItem, SnapshotStream } from '../contract.js';
import type { DriveCatalog } from './drive-catalog.js';
import { obj, str, type Json } from './fields.js';
import type { GraphClient } from './graph-client.js';
import { deltaChangeOf, isDriveRoot, normalizeDriveItem, type DriveItemRecord } from './normalize-files.js';

function normalizeFileItem(item: SnapshotItem, ctx: SnapshotContext): FileEvent {
  if (item.kind !== 'file') throw new AppwardenError('AW_NORMALIZE_FAILED', `unknown Office 365 file item kind ${item.kind}`, { details: { field: 'kind' } });
  return normalizeDriveItem(item.raw as DriveItemRecord, ctx);
}

/** The periodic file scan: every drive's folders, walked from the root, with each item's permissions and label. */
export class FileScanStream implements SnapshotStream {
  readonly name = 'files';
  readonly topic = 'file' as const;
  readonly capabilities = ['files:periodic'] as const;
  readonly permission = 'Files.Read.All';

  constructor(private readonly graph: GraphClient, private readonly catalog: DriveCatalog, private readonly log: Logger) {}

  async *read(signal: AbortSignal): AsyncIterable<SnapshotItem[]> {
    const domains = await this.catalog.tenantDomains();
    for await (const drives of this.catalog.discover()) {
      for (const drive of drives) {
        const driveId = String(drive.id);
        // Breadth first from the root; every folder is listed once.
        const folders: Array<string | null> = [null];
        const listed = new Set<string>();
        while (folders.length > 0 && !signal.aborted) {
          const folder = folders.shift()!;
          for await (const children of this.graph.children(driveId, folder)) {
            for (const child of children) {
              const id = str(child.id);
              if (id !== null && obj(child.folder) !== null && !listed.has(id)) {
                listed.add(id);
                folders.push(id);
              }
            }
            const records = await Promise.all(children.map((child) => this.catalog.complete(drive, child, 'seen', domains)));
            yield records.map((raw) => ({ kind: 'file', raw }));
          }
        }
      }
    }
    this.log.debug({ drives: this.catalog.drives.size }, 'file scan walked every drive');
  }

  normalize(item: SnapshotItem, ctx: SnapshotContext): FileEvent {
    return normalizeFileItem(item, ctx);
  }
}

/** The delta feed's cursor: each drive's delta (or next) link. */
interface DeltaCursor {
  v: 1;
  drives: Record<string, string>;
}

function parseCursor(text: string): DeltaCursor {
  try {
    const parsed = obj(JSON.parse(text));
    const drives = obj(parsed?.drives);
    if (parsed?.v === 1 && drives !== null && Object.values(drives).every((l) => typeof l === 'string')) return { v: 1, drives: drives as Record<string, string> };
  } catch {
    // reported below
  }
  throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'the saved delta cursor is not one this connector wrote', { details: { cursor: text.slice(0, 200) } });
}

/**
 * Near-realtime file changes from each drive's delta query (`/drives/{id}/root/delta`, `@odata.deltaLink`).
 * It starts from the present (`token=latest`); the periodic scan covers the past. Drives the scan finds
 * later join from their present state.
 */
export class DriveDeltaStream implements ChangeStream {
  readonly name = 'files/delta';
  readonly topic = 'file' as const;
  readonly capabilities = ['files:realtime'] as const;
  readonly permission = 'Files.Read.All';

  constructor(private readonly graph: GraphClient, private readonly catalog: DriveCatalog, private readonly log: Logger) {}

  async initialCursor(): Promise<string> {
    const cursor: DeltaCursor = { v: 1, drives: {} };
    for await (const drives of this.catalog.discover()) {
      const links = await Promise.all(drives.map((d) => this.graph.latestDeltaLink(String(d.id))));
      drives.forEach((d, i) => { cursor.drives[String(d.id)] = links[i]!; });
    }
    return JSON.stringify(cursor);
  }

  async *read(text: string, signal: AbortSignal): AsyncIterable<{ items: SnapshotItem[]; cursor: string }> {
    const cursor = parseCursor(text);
    let saved = text;
    for (const driveId of this.catalog.drives.keys()) {
      cursor.drives[driveId] ??= await this.graph.latestDeltaLink(driveId);
    }
    const domains = await this.catalog.tenantDomains();
    for (const [driveId, link] of Object.entries(cursor.drives)) {
      if (signal.aborted) return;
      const drive: Json = this.catalog.drives.get(driveId) ?? { id: driveId };
      try {
        for await (const page of this.graph.delta(link)) {
          if (page === null) {
            // 410 Gone: the link expired; start again from the present and let the next scan fill the gap.
            this.log.warn({ driveId }, 'delta link expired; restarting the drive from its present state');
            cursor.drives[driveId] = await this.graph.latestDeltaLink(driveId);
            break;
          }
          const changes = page.items.filter((item) => !isDriveRoot(item));
          const records = await Promise.all(changes.map((item) => this.catalog.complete(drive, item, deltaChangeOf(item), domains)));
          cursor.drives[driveId] = page.link;
          // Pages without changes only move links: they ride along with the next page that has changes, or the last one.
          if (records.length > 0) {
            saved = JSON.stringify(cursor);
            yield { items: records.map((raw) => ({ kind: 'file', raw })), cursor: saved };
          }
        }
      } catch (err) {
        if (!(isAppwardenError(err) && err.details.status === 404)) throw err;
        this.log.warn({ driveId }, 'drive is gone; it leaves the delta feed');
        delete cursor.drives[driveId];
        this.catalog.drives.delete(driveId);
      }
    }
    const last = JSON.stringify(cursor);
    if (last !== saved) yield { items: [], cursor: last };
  }

  normalize(item: SnapshotItem, ctx: SnapshotContext): FileEvent {
    return normalizeFileItem(item, ctx);
  }
}
