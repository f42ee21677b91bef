import type { Json } from '../runtime/json-fields.js';
import { obj, str } from '../runtime/json-fields.js';
import { isExternalCollaboration, type InternalDomains } from './normalize-files.js';

interface Seen {
  user: Json;
  status: string | null;
  items: number;
}

/**
 * The collaborators from outside the enterprise that the file scan met in collaborations: Box lists
 * only managed users, so this is where the account scan learns of external ones. It answers what the
 * last complete file scan saw (null before one finished in this process: the account scan then keeps
 * what it reported before instead of deleting it).
 */
export class ExternalCollaborators {
  #current = new Map<string, Seen>();
  #complete: ReadonlyMap<string, Seen> | null = null;

  constructor(private readonly domains: InternalDomains) {}

  /** A file scan starts from its beginning. */
  begin(): void {
    this.#current = new Map();
  }

  /** Notes the external collaborators of an item's collaborations. */
  note(collaborations: readonly Json[]): void {
    for (const c of collaborations) {
      const user = obj(c.accessible_by);
      const id = str(user?.id);
      if (user === null || id === null || !isExternalCollaboration(c, this.domains)) continue;
      const seen = this.#current.get(id);
      const status = str(c.status);
      // One accepted collaboration makes them an active collaborator.
      this.#current.set(id, { user, status: seen?.status === 'accepted' ? 'accepted' : status, items: (seen?.items ?? 0) + 1 });
    }
  }

  /** The file scan read everything. */
  complete(): void {
    this.#complete = this.#current;
  }

  seen(): Array<{ user: Json; status: string | null; items: number }> | null {
    return this.#complete === null ? null : [...this.#complete.values()];
  }
}
