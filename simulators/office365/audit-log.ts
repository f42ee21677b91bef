import type { Clock } from '../common/clock.js';
import { AnchoredHistory } from '../common/anchored-history.js';
import { createPrng, type Prng } from '../common/prng.js';
import { creationTime, type AuditRecord, type ContentType, type RecordContext, type RecordKind } from './audit-records.js';
import type { DriveState } from './drives.js';
import type { GraphUser, Tenant } from './tenant.js';

/** A content blob: records of one content type, available from `availableAt` until `contentExpiration`. */
export interface ContentBlob {
  contentType: ContentType;
  contentId: string;
  /** What `subscriptions/content` filters and reports as `contentCreated`. */
  contentCreated: number;
  contentExpiration: number;
  /** Listable from this instant (later than `contentCreated` for late content). */
  availableAt: number;
  records: AuditRecord[];
}

export interface AuditLogSettings {
  days: number;
  eventsPerDay: number;
  blobIntervalMs: number;
  contentDelayMs: number;
  lateFraction: number;
  lateByMs: number;
  duplicateFraction: number;
  contentRetentionMs: number;
  /** The app registration's client id (the actor of governance records). */
  appId: string;
}

/** When and how a record added by a test becomes available. */
export interface BlobTiming {
  contentType?: ContentType;
  /** Default: now. */
  contentCreated?: number;
  /** Default: `contentCreated`. */
  availableAt?: number;
  /** Default: `contentCreated` + the retention. */
  contentExpiration?: number;
}

const DAY = 86_400_000;
const LISTABLE_DAYS = 7;
const TYPE_ABBREVIATIONS: Record<ContentType, string> = {
  'Audit.AzureActiveDirectory': 'aad', 'Audit.Exchange': 'exo', 'Audit.SharePoint': 'spo', 'Audit.General': 'gen', 'DLP.All': 'dlp',
};

/** RFC 5737 documentation addresses: never routable, safe to publish. */
const NETWORKS = ['192.0.2', '198.51.100', '203.0.113'];

/** The tenant's audit content: blobs per content type, generated history and what tests or governance add. */
export class AuditLog {
  readonly blobs: ContentBlob[] = [];
  readonly #byId = new Map<string, ContentBlob>();
  readonly #kinds: Map<string, RecordKind>;

  /** For what tests and governance calls add; the generated history draws from its own per-slot generators. */
  private readonly prng: Prng;

  constructor(
    private readonly tenant: Tenant,
    kinds: readonly RecordKind[],
    private readonly seed: string,
    private readonly clock: Clock,
    private readonly settings: AuditLogSettings,
  ) {
    this.prng = createPrng(`${seed}:added`);
    this.#kinds = new Map(kinds.map((k) => [k.name, k]));
    this.#generate(kinds);
  }

  get kindNames(): string[] {
    return [...this.#kinds.keys()];
  }

  /** A well-formed record of a kind, about `user` (default a random member) at `at` (default now). Not stored. */
  render(kindName: string, options: { user?: GraphUser; at?: number } = {}): AuditRecord {
    const kind = this.#kinds.get(kindName);
    if (!kind) throw new Error(`unknown record kind ${kindName}; known: ${this.kindNames.join(', ')}`);
    return kind.render(this.#context(this.prng, options.user ?? this.#someone(this.prng), options.at ?? this.clock.now(), kind.needsFile));
  }

  /** Stores records as one new blob. */
  addBlob(records: AuditRecord[], timing: BlobTiming & { contentType: ContentType }, prng: Prng = this.prng): ContentBlob {
    const contentCreated = timing.contentCreated ?? this.clock.now();
    const blob: ContentBlob = {
      contentType: timing.contentType,
      contentId: this.#contentId(timing.contentType, contentCreated, prng),
      contentCreated,
      contentExpiration: timing.contentExpiration ?? contentCreated + this.settings.contentRetentionMs,
      availableAt: timing.availableAt ?? contentCreated,
      records,
    };
    this.blobs.push(blob);
    this.#byId.set(blob.contentId, blob);
    return blob;
  }

  /** The record a governance call causes, available after the usual delay. */
  emit(kindName: string, user: GraphUser): AuditRecord {
    const record = this.render(kindName, { user });
    const now = this.clock.now();
    this.addBlob([record], { contentType: this.#kinds.get(kindName)!.contentType, contentCreated: now + this.settings.contentDelayMs });
    return record;
  }

  /** Blobs of a type created in [start, end) that are listable at `now`, oldest first. */
  list(contentType: string, start: number, end: number, now: number): ContentBlob[] {
    return this.blobs
      .filter((b) => b.contentType === contentType && b.contentCreated >= start && b.contentCreated < end && b.availableAt <= now)
      .sort((a, b) => a.contentCreated - b.contentCreated || (a.contentId < b.contentId ? -1 : 1));
  }

  get(contentId: string): ContentBlob | undefined {
    return this.#byId.get(contentId);
  }

  /**
   * The distinct records (by `Id`) a complete read of the last 7 days returns at `now`: in blobs that are
   * listable and not expired.
   */
  expectedRecords(now: number, contentTypes?: readonly string[]): AuditRecord[] {
    const byId = new Map<string, AuditRecord>();
    for (const blob of this.blobs) {
      if (contentTypes && !contentTypes.includes(blob.contentType)) continue;
      if (blob.availableAt > now || blob.contentExpiration <= now || blob.contentCreated < now - LISTABLE_DAYS * DAY || blob.contentCreated >= now) continue;
      for (const record of blob.records) byId.set(String(record.Id), record);
    }
    return [...byId.values()];
  }

  /**
   * The history of the last `days`, anchored to fixed times (`AnchoredHistory`): a restarted simulator
   * with the same seed lists the same blobs, with the same records under the same ids.
   */
  #generate(kinds: readonly RecordKind[]): void {
    const weighted = kinds.filter((k) => k.weight > 0).map((k) => [k, k.weight] as const);
    if (weighted.length === 0) return;
    const history = new AnchoredHistory(`${this.seed}:audit`, this.settings.eventsPerDay, (prng, at) => {
      const kind = prng.weighted(weighted);
      const record = kind.render(this.#context(prng, this.#someone(prng), at, kind.needsFile));
      // The API may list a record again in a later blob.
      return { kind, at, record, duplicate: prng.chance(this.settings.duplicateFraction) };
    });
    const now = this.clock.now();
    const buckets = new Map<string, { contentType: ContentType; bucket: number; records: AuditRecord[] }>();
    const put = (contentType: ContentType, bucket: number, record: AuditRecord) => {
      const key = `${contentType}|${bucket}`;
      let entry = buckets.get(key);
      if (!entry) buckets.set(key, (entry = { contentType, bucket, records: [] }));
      entry.records.push(record);
    };
    const from = this.settings.days > 0 ? history.anchor(now - this.settings.days * DAY) : now;
    for (const { kind, at, record, duplicate } of history.between(from, now)) {
      const bucket = Math.floor(at / this.settings.blobIntervalMs);
      put(kind.contentType, bucket, record);
      if (duplicate) put(kind.contentType, bucket + 1, record);
    }
    for (const entry of [...buckets.values()].sort((a, b) => a.bucket - b.bucket || (a.contentType < b.contentType ? -1 : 1))) {
      const prng = createPrng(`${this.seed}:blob:${entry.contentType}:${entry.bucket}`);
      const contentCreated = (entry.bucket + 1) * this.settings.blobIntervalMs + this.settings.contentDelayMs;
      const late = prng.chance(this.settings.lateFraction);
      this.addBlob(entry.records, { contentType: entry.contentType, contentCreated, availableAt: contentCreated + (late ? this.settings.lateByMs : 0) }, prng);
    }
  }

  /** Mostly enabled members, Alice (the first user) most of all; sometimes anyone (failed sign-ins of disabled users). */
  #someone(prng: Prng): GraphUser {
    const users = this.tenant.users;
    if (prng.chance(0.2)) return users[0]!;
    const active = users.filter((u) => u.accountEnabled && u.userType === 'Member');
    return prng.chance(0.9) && active.length > 0 ? prng.pick(active) : prng.pick(users);
  }

  #context(prng: Prng, user: GraphUser, at: number, needsFile: boolean): RecordContext {
    const others = this.tenant.users.filter((u) => u !== user);
    return {
      prng,
      tenant: this.tenant,
      user,
      other: others.length > 0 ? prng.pick(others) : user,
      at,
      ip: this.#ipOf(prng, user),
      file: needsFile ? this.#fileOf(prng, user) : null,
      appId: this.settings.appId,
    };
  }

  /** A user's usual address (most of the time) or another one. */
  #ipOf(prng: Prng, user: GraphUser): string {
    let hash = 0;
    for (let i = 0; i < user.id.length; i++) hash = (hash * 31 + user.id.charCodeAt(i)) >>> 0;
    if (prng.chance(0.15)) return `${prng.pick(NETWORKS)}.${prng.int(1, 255)}`;
    return `${NETWORKS[hash % NETWORKS.length]}.${(hash % 253) + 1}`;
  }

  #fileOf(prng: Prng, user: GraphUser): RecordContext['file'] {
    const own = this.tenant.oneDrives.get(user.id);
    const drives = [...this.tenant.drives.values()];
    const state: DriveState | undefined = own !== undefined && prng.chance(0.7) ? this.tenant.drives.get(own) : drives.length > 0 ? prng.pick(drives) : undefined;
    const items = state === undefined ? [] : [...state.items.values()].filter((i) => i.parentId !== null && !i.folder);
    if (state === undefined || items.length === 0) {
      // A tenant without files still logs file activity on some file.
      return { driveUrl: `https://${this.tenant.domain.split('.')[0]}.sharepoint.com/sites/Archive/Shared%20Documents`, item: { id: 'x', name: 'Report.docx', parentId: 'root', folder: false, size: 1024, mimeType: null, createdDateTime: '', lastModifiedDateTime: '', createdBy: { id: user.id, displayName: user.displayName }, lastModifiedBy: { id: user.id, displayName: user.displayName }, labelId: null, seq: 0 }, path: '' };
    }
    const item = prng.pick(items);
    return { driveUrl: state.drive.webUrl, item, path: state.folderPath(item) };
  }

  #contentId(contentType: ContentType, contentCreated: number, prng: Prng): string {
    const n = String(Math.floor(contentCreated / 1000)).padStart(12, '0');
    const tenant = this.tenant.org.id.replace(/-/g, '');
    const hour = creationTime(contentCreated).replace(/[-T:]/g, '').slice(0, 10);
    return `${n}$${n}$${tenant}${TYPE_ABBREVIATIONS[contentType]}${hour}$${prng.hex(32)}$04`;
  }
}
