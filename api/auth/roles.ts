/**
 * Who may do what. Each role may do everything the roles before it may: an analyst reads, a policy
 * author also writes policies, a responder also acts (governance, alert status), an admin also manages
 * keys, connectors and the built-in policies.
 */
export const ROLES = ['analyst', 'policy-author', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route declares in its options (`config: { role }`): a role, or `public` for the few open routes. */
export type RouteRole = Role | 'public';

/** The authenticated caller, from the credential (never from the request). */
export interface Principal {
  /** `key:<key id>` for an API key, `oidc:<subject>` for an OIDC token, `local:<address>` when authentication is off. */
  id: string;
  /** The key's name, or the token's `preferred_username`/`email`/subject. */
  name: string;
  role: Role;
  /** May read the providers' raw records (`include_raw`) whatever the role. */
  raw: boolean;
}

/** Who asked, as carried on a governance command message and in the audit trail. */
export interface Requester {
  id: string;
  name: string;
  role: Role;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` may do what `required` may. */
export function hasRole(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** The role just below `role`, or null for the first one. */
export function roleBelow(role: Role): Role | null {
  return ROLES[ROLES.indexOf(role) - 1] ?? null;
}

export function requesterOf(principal: Principal): Requester {
  return { id: principal.id, name: principal.name, role: principal.role };
}
