import { recordId } from '../../schemas/event-id.js';
import type { ChangeStream, Removal, SnapshotItem, SnapshotKinds } from '../contract.js';
import { deletionEvent } from '../runtime/deletions.js';
import { untilRefused } from '../runtime/feed-restart.js';
import { activeUsers, isUnreadableUser, withPermissions, type DriveScanDeps } from './files-stream.js';
import { type Json, obj } from '../runtime/json-fields.js';
import { SCOPES } from './scopes.js';
import { normalizeGoogleFile, type InternalDomains } from './normalize-drive.js';

/** The feed's cursor: each user's Drive changes page token, by email. */
type Tokens = Record<string, string>;

function parse(cursor: string): Tokens {
  try {
    const value = JSON.parse(cursor) as { users?: unknown };
    const users = obj(value.users);
    if (users) return Object.fromEntries(Object.entries(users).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    // An unreadable cursor starts every user from the present; the next full scan covers the gap.
  }
  return {};
}

function serialize(tokens: Tokens): string {
  return JSON.stringify({ users: Object.fromEntries(Object.entries(tokens).sort(([a], [b]) => (a < b ? -1 : 1))) });
}

const START_TOKENS_AT_ONCE = 50;

/**
 * A changed file with its permissions: `updated`, or `deleted` once trashed; `removed` is a removal's
 * file id only (no name, path or owner: Drive says nothing more).
 */
function changeKinds(domains: InternalDomains) {
  return {
    updated: (raw, ctx) => normalizeGoogleFile(raw, ctx, { change: 'updated', domains }),
    deleted: (raw, ctx) => normalizeGoogleFile(raw, ctx, { change: 'deleted', domains }),
    removed: (raw, ctx) => {
      const id = String(obj(raw)?.id);
      return deletionEvent({ record_id: recordId('google_workspace', ctx.instance, 'file', id), file: { id, name: id, path: null, owner: null } },
        { provider: 'google_workspace', instance: ctx.instance }, ctx.observedAt, 'change_feed');
    },
  } satisfies SnapshotKinds;
}
type ChangeKind = keyof ReturnType<typeof changeKinds>;

/**
 * Near-realtime file changes from Drive's changes feed. Drive keeps one feed per user, so the cursor
 * holds a page token per active user; a user seen for the first time starts from the present (the
 * full scan covers the past). A change is taken from its owner's feed only (a My Drive file the feed's
 * user owns, or a shared-drive item in the admin's feed): another user's view may lack the file's
 * permissions. A `removed` entry (deleted, or the user lost access: Drive does not say which) is
 * reported as a removal from that user's Drive (or, in the admin's feed, from a shared drive): the
 * runtime makes it a deletion when the last complete scan found the file there. A page token Drive
 * refuses restarts that user's feed from the present; the other users' tokens go on.
 */
export function changesStream(deps: DriveScanDeps): ChangeStream<ChangeKind> {
  const { drive, adminEmail, log } = deps;

  const isAdmin = (user: string) => user.toLowerCase() === adminEmail.toLowerCase();

  function removalsOf(changes: Json[], user: string): Removal<ChangeKind>[] {
    return changes.filter((c) => c.removed === true && c.changeType !== 'drive' && typeof c.fileId === 'string').map((c) => ({
      item: { kind: 'removed', raw: { id: c.fileId } },
      scopes: [`user:${user}`, ...(isAdmin(user) ? ['drive:*'] : [])],
    }));
  }

  async function itemsOf(changes: Json[], user: string): Promise<SnapshotItem<ChangeKind>[]> {
    const files: Json[] = [];
    for (const change of changes) {
      const file = obj(change.file);
      if (change.removed === true || change.changeType === 'drive' || !file) continue;
      const sharedDrive = typeof file.driveId === 'string';
      if (sharedDrive ? !isAdmin(user) : file.ownedByMe !== true) continue;
      files.push(file);
    }
    return (await withPermissions(drive, files, user)).map((raw) => ({ kind: raw.trashed === true ? 'deleted' as const : 'updated' as const, raw }));
  }

  return {
    name: 'drive/changes',
    topic: 'file',
    kinds: changeKinds(deps.domains),
    capabilities: ['files:realtime'],
    permission: SCOPES.drive,
    initialCursor: async () => serialize({}),
    async *read(cursor, signal) {
      if (!deps.probe.allows('drive')) return;
      const tokens = parse(cursor);
      const users: string[] = [];
      for await (const page of activeUsers(deps)) users.push(...page);
      if (!users.some((u) => u.toLowerCase() === adminEmail.toLowerCase())) users.push(adminEmail);
      const current = new Set(users);
      for (const user of Object.keys(tokens)) if (!current.has(user)) delete tokens[user];
      // New users start from the present, in one cursor save.
      const fresh = users.filter((u) => tokens[u] === undefined);
      for (let i = 0; i < fresh.length && !signal.aborted; i += START_TOKENS_AT_ONCE) {
        await Promise.all(fresh.slice(i, i + START_TOKENS_AT_ONCE).map(async (user) => {
          try {
            tokens[user] = await drive.startPageToken(user);
          } catch (err) {
            if (!isUnreadableUser(err)) throw err;
            log.warn({ user, err }, "a user's Drive changes cannot be read; skipped");
          }
        }));
      }
      yield { items: [], cursor: serialize(tokens) };
      for (const user of users) {
        const token = tokens[user];
        if (token === undefined || signal.aborted) continue;
        try {
          for await (const { page, refused } of untilRefused(drive.changes(token, user), `user:${user}`)) {
            if (refused) {
              // Drive refused the user's page token (400 `invalid`, location pageToken): this user alone
              // restarts from the present; the runtime has the file scan cover what changed meanwhile.
              tokens[user] = await drive.startPageToken(user);
              yield { items: [], cursor: serialize(tokens), restarted: [refused] };
              break;
            }
            tokens[user] = page.token;
            yield { items: await itemsOf(page.changes, user), removed: removalsOf(page.changes, user), cursor: serialize(tokens) };
          }
        } catch (err) {
          if (!isUnreadableUser(err)) throw err;
          log.warn({ user, err }, "a user's Drive changes cannot be read; skipped");
        }
      }
    },
  };
}
