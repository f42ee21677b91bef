import { isAppwardenError, providerStatus } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import { WHOLE_STREAM } from '../runtime/scan-sets.js';
import type { CredentialProbe } from './credentials.js';
import type { DirectoryClient } from './directory-client.js';
import type { DriveClient } from './drive-client.js';
import { type Json, str } from '../runtime/json-fields.js';
import { SCOPES } from './scopes.js';
import { readCheckpoint } from '../runtime/scan-checkpoint.js';
import { normalizeGoogleFile, type InternalDomains } from './normalize-drive.js';
import { oauthErrorOf } from './service-account.js';

export interface DriveScanDeps {
  drive: DriveClient;
  directory: DirectoryClient;
  probe: CredentialProbe;
  adminEmail: string;
  domains: InternalDomains;
  log: Logger;
}

/**
 * A user whose Drive cannot be read as them: not a user Google lets us impersonate (suspended,
 * deleted: `invalid_grant`), or Drive turned off for them (403). Their files are skipped, not the scan.
 */
export function isUnreadableUser(err: unknown): boolean {
  // A throttled request carries its 403 too, as AW_PROVIDER_THROTTLED: that one must fail the pass, not skip the user.
  return oauthErrorOf(err) === 'invalid_grant' || (isAppwardenError(err, 'AW_PROVIDER_AUTH_FAILED') && providerStatus(err) === 403);
}

/** Files as Drive lists them, with `permissions` read separately where files.list leaves them out (shared-drive items). */
export async function withPermissions(drive: DriveClient, files: Json[], subject: string): Promise<Json[]> {
  return Promise.all(files.map(async (file) => (Array.isArray(file.permissions) ? file : { ...file, permissions: await drive.permissions(String(file.id), subject) })));
}

/** The users whose My Drive is scanned: everyone active in the directory (or the admin alone without the directory scope). */
export async function* activeUsers(deps: Pick<DriveScanDeps, 'probe' | 'directory' | 'adminEmail'>): AsyncIterable<string[]> {
  if (!deps.probe.allows('users')) {
    yield [deps.adminEmail];
    return;
  }
  for await (const users of deps.directory.users()) {
    yield users.filter((u) => u.suspended !== true && u.archived !== true).map((u) => str(u.primaryEmail)).filter((e): e is string => e !== null);
  }
}

/** Where a walk over one list of units (shared drives, users) stands: the list page in progress, the unit in it, and that unit's next page (null: unit done). */
interface WalkPosition {
  outer?: string;
  unit?: string;
  inner?: string | null;
}

/** The file scan's checkpoint: shared drives first, then users' My Drives. */
interface ScanPosition extends WalkPosition {
  part: 'drives' | 'users';
}

function parsePosition(text: string | undefined): ScanPosition {
  return readCheckpoint<ScanPosition>(text, (value) => value.part === 'drives' || value.part === 'users') ?? { part: 'drives' };
}

/**
 * The units of a paged list from a position: on the list page in progress, the units before the one
 * in progress are skipped (when that unit is no longer on the page, none is: re-reading is harmless,
 * skipping is not). Each unit comes with the page token to start it from and the position after a page of it.
 */
async function* unitsFrom<U>(
  pages: (from?: string) => AsyncIterable<{ items: U[]; next: string | null }>,
  keyOf: (unit: U) => string,
  at: WalkPosition,
): AsyncIterable<{ unit: U; key: string; from?: string; done: boolean; after: (inner: string | null) => WalkPosition }> {
  let outer = at.outer;
  let resume: WalkPosition | null = at.unit === undefined ? null : at;
  for await (const page of pages(outer)) {
    const keys = page.items.map(keyOf);
    const first = resume?.unit !== undefined ? Math.max(0, keys.indexOf(resume.unit)) : 0;
    for (let i = first; i < page.items.length; i++) {
      const resumed = resume !== null && keys[i] === resume.unit;
      const current = outer;
      yield {
        unit: page.items[i]!, key: keys[i]!, from: resumed ? resume!.inner ?? undefined : undefined, done: resumed && resume!.inner === null,
        after: (inner) => ({ outer: current, unit: keys[i]!, inner }),
      };
    }
    resume = null;
    if (page.next === null) return;
    outer = page.next;
  }
}

/** Drive files with their permissions, normalized as seen by the scan. */
function fileKinds(domains: InternalDomains) {
  return { file: (raw, ctx) => normalizeGoogleFile(raw, ctx, { change: 'seen', domains }) } satisfies SnapshotKinds;
}

/**
 * The periodic file scan: every shared drive (read as the admin), then every active user's My
 * Drive (read as that user, since Drive shows each user their own files). Each file comes with its
 * permissions, from which its exposure is computed. Each page carries a checkpoint (the list pages
 * and the file page token), so a restarted scan resumes where it stopped; each drive is a scope of
 * its own, so a user whose Drive cannot be read (or who is suspended) keeps the files the last scan saw.
 */
export function filesStream(deps: DriveScanDeps): SnapshotStream<'file'> {
  const { drive, directory, adminEmail, log } = deps;
  const users = (from?: string): AsyncIterable<{ items: Json[]; next: string | null }> => (deps.probe.allows('users')
    ? directory.userPages(from)
    : (async function* () { yield { items: [{ primaryEmail: adminEmail }], next: null }; })());
  return {
    name: 'files',
    topic: 'file',
    kinds: fileKinds(deps.domains),
    capabilities: ['files:periodic'],
    permission: SCOPES.drive,
    async *read(signal, resume): AsyncIterable<SnapshotPage<'file'>> {
      if (!deps.probe.allows('drive')) {
        yield { items: [], skipped: [WHOLE_STREAM] };
        return;
      }
      let at = parsePosition(resume);
      if (at.part === 'drives') {
        for await (const { unit, key, from, done, after } of unitsFrom((t) => drive.sharedDrives(adminEmail, t), (d) => String(d.id), at)) {
          if (done) continue;
          const scope = `drive:${key}`;
          for await (const files of drive.sharedDriveFiles(String(unit.id), adminEmail, from)) {
            const items = (await withPermissions(drive, files.items, adminEmail)).map((raw) => ({ kind: 'file' as const, raw }));
            yield { items, scope, checkpoint: JSON.stringify({ part: 'drives', ...after(files.next) }) };
          }
          if (signal.aborted) return;
        }
        at = { part: 'users' };
      }
      for await (const { unit, key, from, done, after } of unitsFrom(users, (u) => String(u.primaryEmail), at)) {
        if (done) continue;
        const scope = `user:${key}`;
        const finished = JSON.stringify({ part: 'users', ...after(null) });
        if (unit.suspended === true || unit.archived === true) {
          yield { items: [], skipped: [scope], checkpoint: finished };
          continue;
        }
        try {
          for await (const files of drive.ownedFiles(key, from)) {
            const items = (await withPermissions(drive, files.items, key)).map((raw) => ({ kind: 'file' as const, raw }));
            yield { items, scope, checkpoint: JSON.stringify({ part: 'users', ...after(files.next) }) };
          }
        } catch (err) {
          if (!isUnreadableUser(err)) throw err;
          log.warn({ user: key, err }, "a user's Drive cannot be read; the files the last scan saw there are kept");
          yield { items: [], skipped: [scope], checkpoint: finished };
        }
        if (signal.aborted) return;
      }
    },
  };
}
