import { AppwardenError, providerStatus } from '../../core/errors.js';
import type { ActionTarget } from '../contract.js';
import { obj, str, type Json } from '../runtime/json-fields.js';
import { itemTypeOf, type BoxClient, type ItemType } from './client.js';
import type { CredentialProbe } from './credentials.js';

/** An item as its owner sees it, with its collaborations; `asUser` is whom to act as (undefined: the service account itself). */
export interface ItemAccess {
  type: ItemType;
  id: string;
  owner: string;
  asUser: string | undefined;
  item: Json;
}

const REMEMBERED = 1000;

/**
 * Finds a file or folder and its owner. Box shows an item only to its owner and collaborators, so the
 * service account reads it as someone: `params.owner` (the owner id file events carry), the owner
 * found before, the service account itself (quarantined items are its own), then each managed user.
 * The item's type is `params.item_type` when given, else a file, else a folder.
 */
export class ItemLookup {
  readonly #owners = new Map<string, string>();

  constructor(private readonly client: BoxClient, private readonly probe: CredentialProbe) {}

  async find(target: ActionTarget, params: Readonly<Record<string, string>>): Promise<ItemAccess> {
    if (target.type !== 'file') throw new AppwardenError('AW_BAD_REQUEST', `this action applies to a file or folder, not a ${target.type}`, { details: { field: 'target.type' } });
    const given = itemTypeOf(params.item_type);
    const types: ItemType[] = given ? [given] : ['file', 'folder'];
    const serviceAccount = (await this.probe.serviceAccount()).id;
    const tried = new Set<string>();
    const attempt = async (user: string | undefined): Promise<ItemAccess | null> => {
      const key = user ?? serviceAccount;
      if (tried.has(key)) return null;
      tried.add(key);
      for (const type of types) {
        const item = await this.#read(type, target.id, user === serviceAccount ? undefined : user);
        if (item === null) continue;
        const owner = str(obj(item.owned_by)?.id);
        if (owner === null || owner === key) return this.#remember({ type, id: target.id, owner: owner ?? key, asUser: key === serviceAccount ? undefined : key, item });
        return attempt(owner);
      }
      return null;
    };
    for (const candidate of [params.owner, this.#owners.get(target.id), serviceAccount]) {
      if (candidate === undefined) continue;
      const found = await attempt(candidate);
      if (found) return found;
    }
    for await (const users of this.client.users()) {
      for (const user of users) {
        if (user.status === 'inactive') continue;
        const found = await attempt(String(user.id));
        if (found) return found;
      }
    }
    throw new AppwardenError('AW_NOT_FOUND', `no user of the enterprise can see Box item ${target.id}`, { details: { field: 'target.id' } });
  }

  async #read(type: ItemType, id: string, asUser: string | undefined): Promise<Json | null> {
    try {
      const item = await this.client.item(type, id, asUser);
      return item === null ? null : await this.client.withCollaborations(item, asUser);
    } catch (err) {
      // A user who cannot be acted as (deactivated): someone else may see it.
      if (providerStatus(err) === 403 && asUser !== undefined) return null;
      throw err;
    }
  }

  #remember(access: ItemAccess): ItemAccess {
    this.#owners.set(access.id, access.owner);
    if (this.#owners.size > REMEMBERED) this.#owners.delete(this.#owners.keys().next().value!);
    return access;
  }
}
