import { isAppwardenError, providerStatus } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { readablePart } from './account-stream.js';
import { type Json, obj } from '../runtime/json-fields.js';
import { str } from './fields.js';
import type { GraphClient } from './graph-client.js';
import type { DriveItemRecord } from './normalize-files.js';

export interface DriveScope {
  scanOneDrive: boolean;
  scanSharePoint: boolean;
  scanLabels: boolean;
  internalDomains: readonly string[];
}

const DOMAINS_TTL_MS = 3_600_000;

/**
 * What the file scan and the delta feed share: which drives the tenant has, which domains are its own,
 * and how an item is completed with its permissions and sensitivity label.
 */
export class DriveCatalog {
  /** Drives seen by the last discovery, by id. */
  readonly drives = new Map<string, Json>();
  #domains: { at: number; value: string[] } | null = null;

  constructor(private readonly graph: GraphClient, private readonly scope: DriveScope, private readonly log: Logger, private readonly now: () => number = Date.now) {}

  /** Every OneDrive (one per user who has one) and every document library of every site, each once; parts it may not read are named in `skipped`. */
  async *discover(skipped?: string[]): AsyncIterable<Json[]> {
    const seen = new Set<string>();
    const fresh = (drives: Array<Json | null>): Json[] => {
      const out: Json[] = [];
      for (const drive of drives) {
        const id = str(drive?.id);
        if (drive === null || id === null || seen.has(id)) continue;
        seen.add(id);
        this.drives.set(id, drive);
        out.push(drive);
      }
      return out;
    };
    if (this.scope.scanOneDrive) {
      for await (const users of readablePart('users (OneDrive discovery)', this.log, () => this.graph.userIds(), skipped)) {
        const drives = await Promise.all(users.map((u) => this.graph.userDrive(String(u.id)).catch((err: unknown) => {
          if ([403, 400].includes(providerStatus(err) ?? 0)) return null;
          throw err;
        })));
        const found = fresh(drives);
        if (found.length > 0) yield found;
      }
    }
    if (this.scope.scanSharePoint) {
      for await (const sites of readablePart('sites', this.log, () => this.graph.sites(), skipped)) {
        for (const site of sites) {
          for await (const drives of this.graph.siteDrives(String(site.id))) {
            const found = fresh(drives);
            if (found.length > 0) yield found;
          }
        }
      }
    }
  }

  /** The tenant's verified domains plus the configured internal ones (cached for an hour). */
  async tenantDomains(): Promise<string[]> {
    if (this.#domains && this.now() - this.#domains.at < DOMAINS_TTL_MS) return this.#domains.value;
    let verified: string[] = [];
    try {
      verified = await this.graph.verifiedDomains();
    } catch (err) {
      if (!(isAppwardenError(err, 'AW_PROVIDER_AUTH_FAILED') && providerStatus(err) === 403)) throw err;
      this.log.warn({ err }, "the tenant's domains are not readable (Organization.Read.All); only configured internalDomains and guest markers decide who is external");
    }
    const value = [...new Set([...verified, ...this.scope.internalDomains].map((d) => d.toLowerCase()))];
    this.#domains = { at: this.now(), value };
    return value;
  }

  /** An item with its permissions and label, ready to normalize. */
  async complete(drive: Json, item: Json, change: DriveItemRecord['change'], tenantDomains: readonly string[]): Promise<DriveItemRecord> {
    const driveId = String(drive.id);
    const itemId = String(item.id);
    if (obj(item.deleted) !== null) return { drive, item, permissions: [], labels: null, tenantDomains, change: 'deleted' };
    const [permissions, labels] = await Promise.all([
      this.graph.permissions(driveId, itemId),
      this.scope.scanLabels && obj(item.file) !== null ? this.graph.sensitivityLabels(driveId, itemId) : Promise.resolve(null),
    ]);
    return { drive, item, permissions, labels, tenantDomains, change };
  }
}
