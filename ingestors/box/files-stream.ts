import { providerStatus } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import { WHOLE_STREAM } from '../runtime/scan-sets.js';
import { obj, str, type Json } from '../runtime/json-fields.js';
import type { BoxClient } from './client.js';
import { PERMISSIONS, type CredentialProbe } from './credentials.js';
import type { ExternalCollaborators } from './external-collaborators.js';
import { normalizeBoxItem, type InternalDomains } from './normalize-files.js';
import { readCheckpoint } from '../runtime/scan-checkpoint.js';

export interface FileScanDeps {
  client: BoxClient;
  probe: CredentialProbe;
  externals: ExternalCollaborators;
  domains: InternalDomains;
  log: Logger;
}

/** Where the walk stands: the user in progress, their folders still to list (the first in progress), and its next page. */
interface Position {
  user: string;
  queue: string[];
  marker: string | null;
}

const isPosition = (value: Json) => typeof value.user === 'string' && Array.isArray(value.queue) && value.queue.every((f) => typeof f === 'string');

/** Items and their collaborations: each scanned item is read with who it is shared with. */
export function itemKinds(domains: InternalDomains) {
  return { item: (raw, ctx) => normalizeBoxItem(raw, ctx, 'seen', domains) } satisfies SnapshotKinds;
}

/**
 * The periodic file scan. Box shows each user their own tree, so the scan walks every active managed
 * user's folders from the root as that user (`As-User`), breadth first, keeping the items the user
 * owns (a folder shared with them is walked as its owner), each with its collaborations. Each page
 * carries a checkpoint (the user, the folders still to list and the page marker), so a restarted scan
 * resumes where it stopped; each user's tree is a scope of its own, and a deactivated user's is kept.
 */
export function filesStream(deps: FileScanDeps): SnapshotStream<'item'> {
  const { client, probe, externals, log } = deps;
  return {
    name: 'files',
    topic: 'file',
    kinds: itemKinds(deps.domains),
    capabilities: ['files:periodic'],
    permission: PERMISSIONS.content,
    async *read(signal, resume): AsyncIterable<SnapshotPage<'item'>> {
      if (!probe.allows(PERMISSIONS.content) || !probe.allows(PERMISSIONS.users)) {
        yield { items: [], skipped: [WHOLE_STREAM] };
        return;
      }
      const at = readCheckpoint<Position>(resume, isPosition);
      // Only a scan read from its beginning in this process knows every external collaborator.
      const fromStart = at === null;
      if (fromStart) externals.begin();
      const serviceAccount = await probe.serviceAccount();
      // The service account's own tree (the quarantine folder) is read as itself, after the users'.
      const users = [...await client.allUsers(), { id: serviceAccount.id, login: serviceAccount.login, status: 'active' }];
      const start = at === null ? 0 : Math.max(0, users.findIndex((u) => String(u.id) === at.user));
      for (const user of users.slice(start)) {
        const userId = String(user.id);
        const scope = `user:${userId}`;
        const resumed = at !== null && at.user === userId;
        if (user.status === 'inactive') {
          yield { items: [], skipped: [scope], checkpoint: JSON.stringify({ user: userId, queue: [], marker: null }) };
          continue;
        }
        const asUser = userId === serviceAccount.id ? undefined : userId;
        const queue = resumed ? [...at.queue] : ['0'];
        let marker = resumed ? at.marker ?? undefined : undefined;
        try {
          while (queue.length > 0 && !signal.aborted) {
            for await (const page of client.folderItems(queue[0]!, asUser, marker)) {
              const owned = page.items.filter((i) => str(obj(i.owned_by)?.id) === userId);
              for (const item of owned) if (item.type === 'folder') queue.push(String(item.id));
              const items = await Promise.all(owned.map((item) => client.withCollaborations(item, asUser)));
              for (const item of items) externals.note((item.collaborations ?? []) as Json[]);
              const rest = page.next === null ? queue.slice(1) : queue;
              yield { items: items.map((raw) => ({ kind: 'item' as const, raw })), scope, checkpoint: JSON.stringify({ user: userId, queue: rest, marker: page.next }) };
            }
            queue.shift();
            marker = undefined;
          }
        } catch (err) {
          // A user deleted since the list was read: their tree is gone, not the scan.
          if (providerStatus(err) !== 404) throw err;
          log.warn({ user: userId, err }, "a user's folders cannot be read; the files the last scan saw there are kept");
          yield { items: [], skipped: [scope], checkpoint: JSON.stringify({ user: userId, queue: [], marker: null }) };
        }
        if (signal.aborted) return;
      }
      if (fromStart) externals.complete();
    },
  };
}
