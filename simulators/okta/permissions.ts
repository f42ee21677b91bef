/**
 * The permission (Okta's OAuth scope name) each API call needs, as the Management API reference
 * lists it per endpoint. A simulator told to deny one answers those calls 403 E0000006, as Okta does
 * when the caller's admin role or token lacks it.
 */
export const OKTA_PERMISSIONS = [
  'okta.logs.read', 'okta.users.read', 'okta.users.manage', 'okta.groups.read', 'okta.groups.manage', 'okta.roles.read', 'okta.roles.manage',
] as const;
export type OktaPermission = (typeof OKTA_PERMISSIONS)[number];

export function permissionOf(method: string, path: string): OktaPermission | null {
  const read = method === 'GET' || method === 'HEAD';
  const p = path.split('?')[0]!;
  if (p.startsWith('/api/v1/logs')) return 'okta.logs.read';
  if (/^\/api\/v1\/(users|groups)\/[^/]+\/roles/.test(p)) return read ? 'okta.roles.read' : 'okta.roles.manage';
  if (p.startsWith('/api/v1/users')) return read ? 'okta.users.read' : 'okta.users.manage';
  if (p.startsWith('/api/v1/groups')) return read ? 'okta.groups.read' : 'okta.groups.manage';
  return null;
}
