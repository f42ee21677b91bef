import { hasRole, type Api, type Capabilities, type Me } from './api.js';

/** What a view gets: the API, what the server offers, who is signed in, and the URL's state. */
export interface Ctx {
  api: Api;
  caps: Capabilities;
  me: Me;
  /** The groups of the route's pattern (decoded). */
  params: string[];
  /** The page's query string: the shareable state of its filters. */
  query: URLSearchParams;
  go(url: string, options?: { replace?: boolean }): void;
  /** Sets the page's query (empty values dropped) and renders again; a new history entry unless `replace`. */
  setQuery(values: Record<string, string | undefined>, options?: { replace?: boolean }): void;
  /** Whether the server has the operation and the signed-in role may call it. */
  can(method: string, path: string): boolean;
  /** Called when the page is left (stop timers). */
  onLeave(fn: () => void): void;
}

export function canCall(caps: Capabilities, me: Me, method: string, path: string): boolean {
  if (!caps.has(method, path)) return false;
  const role = caps.role(method, path);
  return role === null || role === 'public' || hasRole(me.role, role);
}

export type View = (ctx: Ctx) => Promise<Node> | Node;
