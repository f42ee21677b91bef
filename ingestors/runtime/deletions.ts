import type { AccountEvent, FileEvent } from '../../schemas/types.js';
import type { Provider } from '../../schemas/vocabulary.js';

/** What a deletion event needs of an entity: the ids and names its normal events carry, nothing else. */
export type EntityIdentity =
  | { record_id: string; account: Pick<AccountEvent, 'kind' | 'subject' | 'group' | 'privilege' | 'app'> }
  | { record_id: string; file: Pick<FileEvent['file'], 'id' | 'name' | 'path' | 'owner'> };

/** How the deletion was learnt: a complete scan that no longer saw the entity, or a change feed that reported it. */
export type DeletionSource = 'scan' | 'change_feed';

export function identityOf(event: AccountEvent | FileEvent): EntityIdentity {
  if ('subject' in event) {
    const { kind, subject, group, privilege, app } = event;
    return { record_id: event.record_id, account: { kind, subject, group, privilege, app } };
  }
  const { id, name, path, owner } = event.file;
  return { record_id: event.record_id, file: { id, name, path, owner } };
}

/** The entity kind a scan groups by when nothing narrower is given: user, group, membership, privilege, app_grant, file. */
export function kindOf(event: AccountEvent | FileEvent): string {
  return 'subject' in event ? event.kind : 'file';
}

/**
 * The tombstone of an entity: the same record_id, ids and Kafka key as its normal events, so it
 * replaces the entity's row in the sink and follows its earlier events on the same partition.
 */
export function deletionEvent(
  identity: EntityIdentity,
  ref: { provider: string; instance: string },
  observedAt: number,
  source: DeletionSource,
): AccountEvent | FileEvent {
  const common = { record_id: identity.record_id, provider: ref.provider as Provider, instance: ref.instance, observed_at: observedAt };
  const attributes = { deleted_by: source };
  if ('account' in identity) {
    return {
      ...common, ...identity.account, status: null, status_raw: null, created_at: null, last_login_at: null,
      deleted: true, attributes, raw: '{}',
    };
  }
  return {
    ...common,
    change: 'deleted',
    file: {
      ...identity.file, mime_type: null, size: null, created_at: null, modified_at: null, access_level: 'unknown', collaborators: [], label: null, url: null,
    },
    attributes,
    raw: '{}',
  };
}
