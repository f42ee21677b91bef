import type { Logger } from '../../core/logger.js';
import type { ChangePage, ChangeStream, SnapshotItem, SnapshotKinds } from '../contract.js';
import { refusedCursor } from '../runtime/feed-restart.js';
import { obj, str, type Json } from '../runtime/json-fields.js';
import { itemTypeOf, type BoxClient, type ItemType } from './client.js';
import { PERMISSIONS } from './credentials.js';
import { normalizeBoxItem, type InternalDomains } from './normalize-files.js';

const STREAM_TYPE = 'admin_logs_streaming';
/** Event ids remembered across polls: admin_logs_streaming delivers at least once and may repeat an event later. */
const REMEMBERED_IDS = 10_000;
/** Pages read per poll at most; the next poll goes on from the saved position. */
const MAX_PAGES_PER_POLL = 50;

function changeKinds(domains: InternalDomains) {
  return {
    updated: (raw, ctx) => normalizeBoxItem(raw, ctx, 'updated', domains),
    deleted: (raw, ctx) => normalizeBoxItem(raw, ctx, 'deleted', domains),
  } satisfies SnapshotKinds;
}
type ChangeKind = keyof ReturnType<typeof changeKinds>;

/** The file or folder an event is about, and its owner (who can read it): items, and the folder of a collaboration. */
export function touchedItem(event: Json): { type: ItemType; id: string; owner: string | null; source: Json } | null {
  const source = obj(event.source);
  if (source === null) return null;
  const type = itemTypeOf(source.type);
  const owner = str(obj(source.owned_by)?.id);
  if (type !== null && str(source.id) !== null) return { type, id: String(source.id), owner, source };
  if (source.folder_id !== undefined) return { type: 'folder', id: String(source.folder_id), owner, source: { type: 'folder', id: String(source.folder_id), name: source.folder_name, owned_by: source.owned_by } };
  if (source.file_id !== undefined) return { type: 'file', id: String(source.file_id), owner, source: { type: 'file', id: String(source.file_id), name: source.file_name, owned_by: source.owned_by } };
  return null;
}

/**
 * Near-realtime file freshness from the enterprise event stream (`admin_logs_streaming`): each page's
 * events name the files and folders they touched, which are read again as their owner (with their
 * collaborations) and published as updated, or deleted once trashed or gone. The stream may repeat an
 * event and does not keep time order: repeats are dropped by `event_id`, and since an item is read as
 * it is now, the order of the events does not matter. The cursor is Box's `next_stream_position`, kept
 * as the string Box wrote (it exceeds 2^53); a position Box refuses restarts the feed from `now`.
 */
export function changesStream(client: BoxClient, domains: InternalDomains, log: Logger): ChangeStream<ChangeKind> {
  const seen = new Set<string>();
  const remember = (id: string): boolean => {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > REMEMBERED_IDS) seen.delete(seen.values().next().value!);
    return true;
  };

  /** The item as one of the owners the events name sees it (the events may come in any order), else as the service account; null when nobody does. */
  async function current(type: ItemType, id: string, owners: ReadonlySet<string>): Promise<{ item: Json; asUser: string | undefined } | null> {
    for (const owner of [...owners, undefined]) {
      const item = await client.item(type, id, owner);
      if (item !== null) return { item, asUser: owner };
    }
    return null;
  }

  async function itemsOf(events: Json[]): Promise<SnapshotItem<ChangeKind>[]> {
    const touched = new Map<string, { type: ItemType; id: string; owners: Set<string>; source: Json }>();
    for (const event of events) {
      const id = str(event.event_id);
      if (id !== null && !remember(id)) continue;
      const item = touchedItem(event);
      if (item === null) continue;
      const key = `${item.type}:${item.id}`;
      const entry = touched.get(key) ?? { type: item.type, id: item.id, owners: new Set<string>(), source: item.source };
      if (item.owner !== null) entry.owners.add(item.owner);
      touched.set(key, entry);
    }
    return Promise.all([...touched.values()].map(async ({ type, id, owners, source }): Promise<SnapshotItem<ChangeKind>> => {
      const now = await current(type, id, owners);
      if (now === null || now.item.item_status === 'trashed' || now.item.item_status === 'deleted') return { kind: 'deleted', raw: now?.item ?? source };
      return { kind: 'updated', raw: await client.withCollaborations(now.item, now.asUser) };
    }));
  }

  const present = async () => (await client.api.events({ stream_type: STREAM_TYPE, stream_position: 'now', limit: 1 })).nextPosition;

  return {
    name: 'events/streaming',
    topic: 'file',
    kinds: changeKinds(domains),
    capabilities: ['files:realtime'],
    permission: PERMISSIONS.events,
    initialCursor: present,
    async *read(cursor, signal): AsyncIterable<ChangePage<ChangeKind>> {
      let position = cursor;
      for (let page = 0; page < MAX_PAGES_PER_POLL && !signal.aborted; page++) {
        let answer: Awaited<ReturnType<typeof client.api.events>>;
        try {
          answer = await client.api.events({ stream_type: STREAM_TYPE, stream_position: position, limit: client.eventPageSize });
        } catch (err) {
          const reason = refusedCursor(err);
          if (reason === null) throw err;
          // Box refused the saved position (400 bad_request, invalid_parameter stream_position): go on from now;
          // the runtime has the file scan cover what happened in between.
          yield { items: [], cursor: await present(), restarted: [{ reason }] };
          return;
        }
        const { entries, nextPosition } = answer;
        if (entries.length === 0) {
          if (nextPosition !== position) yield { items: [], cursor: nextPosition };
          return;
        }
        const items = await itemsOf(entries);
        log.debug({ events: entries.length, items: items.length }, 'enterprise event stream page read');
        yield { items, cursor: nextPosition };
        position = nextPosition;
      }
    },
  };
}
