import { AppwardenError } from '../../core/errors.js';
import type { DriveClient } from './drive-client.js';
import type { CredentialProbe } from './credentials.js';
import { activeUsers, isUnreadableUser, type DriveScanDeps } from './files-stream.js';
import { type Json, str } from '../runtime/json-fields.js';
import type { ReportsClient } from './reports-client.js';

/** Who to act as on a file, and the file as they see it. */
export interface FileAccess {
  subject: string;
  file: Json;
}

const REMEMBERED = 1000;

/**
 * Finds who may change a file's sharing: Drive shows a My Drive file only to its owner and the people
 * it is shared with, and the admin is usually neither. In order: `params.owner` when the command
 * carries it; the admin (shared-drive items, files shared with the admin); the owner named by the
 * file's latest Drive audit event; each active user in turn. Answers are remembered per file.
 */
export class FileOwnerLookup {
  readonly #known = new Map<string, string>();

  constructor(private readonly deps: Pick<DriveScanDeps, 'drive' | 'directory' | 'adminEmail' | 'log'> & { probe: CredentialProbe; reports: ReportsClient }) {}

  async find(fileId: string, owner: string | undefined): Promise<FileAccess> {
    const { drive, adminEmail } = this.deps;
    const tried = new Set<string>();
    const attempt = async (subject: string): Promise<FileAccess | null> => {
      const key = subject.toLowerCase();
      if (tried.has(key)) return null;
      tried.add(key);
      const file = await readAs(drive, fileId, subject);
      if (!file) return null;
      const ownerEmail = str((file.owners as Json[] | undefined)?.[0]?.emailAddress);
      // A shared-drive item is managed by its members; a My Drive file by its owner.
      if (typeof file.driveId === 'string' || ownerEmail === null || ownerEmail.toLowerCase() === key) return { subject, file };
      return attempt(ownerEmail);
    };
    const remembered = this.#known.get(fileId);
    for (const candidate of [owner, remembered, adminEmail]) {
      const found = candidate ? await attempt(candidate) : null;
      if (found) return this.#remember(fileId, found);
    }
    const audited = await this.#auditedOwner(fileId);
    const found = audited ? await attempt(audited) : null;
    if (found) return this.#remember(fileId, found);
    for await (const users of activeUsers(this.deps)) {
      for (const user of users) {
        const match = await attempt(user);
        if (match) return this.#remember(fileId, match);
      }
    }
    throw new AppwardenError('AW_NOT_FOUND', `no user of the domain can see Drive file ${fileId}`, { details: { field: 'target.id' } });
  }

  #remember(fileId: string, access: FileAccess): FileAccess {
    this.#known.set(fileId, access.subject);
    if (this.#known.size > REMEMBERED) this.#known.delete(this.#known.keys().next().value!);
    return access;
  }

  /** The `owner` of the file's latest Drive audit event, when the audit log may be read. */
  async #auditedOwner(fileId: string): Promise<string | null> {
    if (!this.deps.probe.allows('reports')) return null;
    const activity = await this.deps.reports.latestWith('drive', `doc_id==${fileId}`);
    for (const event of (activity?.events as Json[] | undefined) ?? []) {
      const owner = ((event.parameters as Json[] | undefined) ?? []).find((p) => p.name === 'owner');
      if (typeof owner?.value === 'string' && owner.value !== '') return owner.value;
    }
    return null;
  }
}

/** The file as `subject` sees it; null when they cannot, or cannot be impersonated. */
async function readAs(drive: DriveClient, fileId: string, subject: string): Promise<Json | null> {
  try {
    return await drive.getFile(fileId, subject);
  } catch (err) {
    if (isUnreadableUser(err)) return null;
    throw err;
  }
}
