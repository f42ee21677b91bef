import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppwardenError } from '../../core/errors.js';
import type { ConsumedRecord, KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { followTopic, type TopicFollower } from '../../processors/policy/topic-follower.js';
import { isRole, type Principal, type Role } from './roles.js';

/** One API key as stored: its hash, never the key. */
export interface StoredKey {
  id: string;
  name: string;
  role: Role;
  /** May read the providers' raw records (`include_raw`). */
  raw: boolean;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  created_at: string;
  created_by: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** What is listed: everything but the hash. */
export type KeyInfo = Omit<StoredKey, 'hash'>;

export interface NewKey {
  name: string;
  role: Role;
  raw?: boolean;
  createdBy?: string;
}

/** The id of the key that `api.adminKey` (`APPWARDEN_ADMIN_KEY`) sets. */
export const CONFIGURED_ADMIN_KEY_ID = 'configured-admin';

// `awk_<16 hex: id>_<43 base64url: 256 random bits>`; the id finds the stored hash, the whole key is hashed.
const KEY_FORMAT = /^awk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * The API keys, kept hashed in the compacted `<prefix>.api_keys` topic (one message per key id,
 * rewritten on revocation), which every API process follows: a key created or revoked through one
 * process is known to the others within a fetch.
 */
export class KeyStore {
  private readonly keys = new Map<string, StoredKey>();
  private follower: TopicFollower | null = null;
  private readonly log: Logger;

  constructor(private readonly options: { bus: Pick<KafkaBus, 'send' | 'consume' | 'fetchLag' | 'topics'>; log: Logger }) {
    this.log = options.log.child({ component: 'key-store' });
  }

  async start(): Promise<void> {
    if (this.follower) return;
    this.follower = await followTopic(this.options.bus, {
      topic: this.options.bus.topics.apiKeys, name: 'appwarden-keys', log: this.log, onRecord: (r) => this.onRecord(r),
    });
    await this.follower.caughtUp;
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
    this.follower = null;
  }

  /** Creates a key; the answer is the only place the key itself ever appears. */
  async create(spec: NewKey): Promise<{ key: string; info: KeyInfo }> {
    const id = randomBytes(8).toString('hex');
    const key = `awk_${id}_${randomBytes(32).toString('base64url')}`;
    const stored: StoredKey = {
      id, name: spec.name, role: spec.role, raw: spec.raw ?? false, hash: hashKey(key),
      created_at: new Date().toISOString(), created_by: spec.createdBy ?? null, revoked_at: null, revoked_by: null,
    };
    await this.write(stored);
    return { key, info: infoOf(stored) };
  }

  /** Stores (or replaces) the admin key the configuration names; any string of 32 characters or more. */
  async setConfiguredAdminKey(key: string): Promise<void> {
    const known = this.keys.get(CONFIGURED_ADMIN_KEY_ID);
    const hash = hashKey(key);
    if (known && known.hash === hash && !known.revoked_at) return;
    await this.write({
      id: CONFIGURED_ADMIN_KEY_ID, name: 'APPWARDEN_ADMIN_KEY', role: 'admin', raw: true, hash,
      created_at: new Date().toISOString(), created_by: 'configuration', revoked_at: null, revoked_by: null,
    });
  }

  async revoke(id: string, by: string): Promise<KeyInfo> {
    const known = this.keys.get(id);
    if (!known) throw new AppwardenError('AW_NOT_FOUND', `no API key ${id}`, { details: { field: 'id' } });
    // Revoked here, it would come back at the next start, which sets it again from the configuration.
    if (id === CONFIGURED_ADMIN_KEY_ID) {
      throw new AppwardenError('AW_KEY_CONFIGURED', `API key ${id} is set by APPWARDEN_ADMIN_KEY (api.adminKey): to stop it, change or remove that setting and restart`, { details: { field: 'id' } });
    }
    if (known.revoked_at) throw new AppwardenError('AW_NOT_FOUND', `API key ${id} is already revoked`, { details: { field: 'id' } });
    const revoked = { ...known, revoked_at: new Date().toISOString(), revoked_by: by };
    await this.write(revoked);
    return infoOf(revoked);
  }

  list(): KeyInfo[] {
    return [...this.keys.values()].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id)).map(infoOf);
  }

  /** True until the first key is made (revoked keys count: the deployment has started before). */
  isEmpty(): boolean {
    return this.keys.size === 0;
  }

  /** The principal a key stands for, or null (unknown, revoked or wrong key). */
  authenticate(key: string): Principal | null {
    const id = KEY_FORMAT.exec(key)?.[1] ?? CONFIGURED_ADMIN_KEY_ID;
    const stored = this.keys.get(id);
    // Hash and compare even when no key has that id, so a miss takes as long as a wrong key.
    const expected = Buffer.from(stored?.hash ?? '0'.repeat(64), 'hex');
    const equal = timingSafeEqual(Buffer.from(hashKey(key), 'hex'), expected);
    if (!stored || !equal || stored.revoked_at) return null;
    return { id: `key:${stored.id}`, name: stored.name, role: stored.role, raw: stored.raw };
  }

  private async write(stored: StoredKey): Promise<void> {
    await this.options.bus.send(this.options.bus.topics.apiKeys, [{ key: stored.id, value: Buffer.from(JSON.stringify(stored)) }]);
    this.keys.set(stored.id, stored);
  }

  private onRecord(record: ConsumedRecord): void {
    const id = record.key?.toString();
    if (!id || !record.value) return;
    try {
      const stored = JSON.parse(record.value.toString()) as StoredKey;
      if (stored.id !== id || !isRole(stored.role) || !/^[0-9a-f]{64}$/.test(stored.hash)) throw new Error('not a key record');
      this.keys.set(id, stored);
    } catch (err) {
      this.log.warn({ err, key: id }, 'ignored an unreadable message on the API keys topic');
    }
  }
}

function infoOf(stored: StoredKey): KeyInfo {
  const { hash: _hash, ...info } = stored;
  return info;
}
