import { AppwardenError, isAppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SnapshotItem, SnapshotStream } from '../contract.js';
import type { CredentialProbe } from './credentials.js';
import type { DirectoryClient } from './directory-client.js';
import type { DriveClient } from './drive-client.js';
import { statusOf } from './google-api.js';
import { str, type Json } from './json.js';
import { SCOPES } from './scopes.js';
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
  return oauthErrorOf(err) === 'invalid_grant' || (isAppwardenError(err, 'AW_PROVIDER_AUTH_FAILED') && statusOf(err) === 403);
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

/**
 * The periodic file scan: every shared drive (read as the admin), then every active user's My
 * Drive (read as that user, since Drive shows each user their own files). Each file comes with its
 * permissions, from which its exposure is computed.
 */
export function filesStream(deps: DriveScanDeps): SnapshotStream {
  const { drive, adminEmail, log } = deps;
  return {
    name: 'files',
    topic: 'file',
    capabilities: ['files:periodic'],
    permission: SCOPES.drive,
    async *read(signal): AsyncIterable<SnapshotItem[]> {
      if (!deps.probe.allows('drive')) return;
      for await (const drives of drive.sharedDrives(adminEmail)) {
        for (const shared of drives) {
          for await (const files of drive.sharedDriveFiles(String(shared.id), adminEmail)) {
            yield (await withPermissions(drive, files, adminEmail)).map((raw) => ({ kind: 'file', raw }));
          }
          if (signal.aborted) return;
        }
      }
      for await (const users of activeUsers(deps)) {
        for (const user of users) {
          try {
            for await (const files of drive.ownedFiles(user)) {
              yield (await withPermissions(drive, files, user)).map((raw) => ({ kind: 'file', raw }));
            }
          } catch (err) {
            if (!isUnreadableUser(err)) throw err;
            log.warn({ user, err }, "a user's Drive cannot be read; their files are left out of this scan");
          }
          if (signal.aborted) return;
        }
      }
    },
    normalize(item, ctx) {
      if (item.kind !== 'file') throw new AppwardenError('AW_NORMALIZE_FAILED', `unknown Google Workspace file item kind ${item.kind}`, { details: { field: 'kind' } });
      return normalizeGoogleFile(item.raw, ctx, { change: 'seen', domains: deps.domains });
    },
  };
}
