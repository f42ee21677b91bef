/**
 * When two actions on one target conflict, the stronger one wins: once a stronger action succeeded,
 * a weaker one is moot (a suspended user has no session to revoke; a private file has no public
 * link to remove). Per target type, ranks from strongest to weakest; verbs not listed never conflict.
 */
export const ACTION_RANKS: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  user: [['suspend_user'], ['revoke_sessions', 'force_password_change', 'reset_mfa']],
  file: [['make_private'], ['remove_external_collaborators', 'remove_public_link', 'remove_permission']],
  bucket: [['block_public_access'], ['remove_permission']],
};

function rank(targetType: string, action: string): number | undefined {
  const index = (ACTION_RANKS[targetType] ?? []).findIndex((verbs) => verbs.includes(action));
  return index === -1 ? undefined : index;
}

/** True when `stronger`, once applied to a target of this type, makes `weaker` moot. */
export function supersedes(targetType: string, stronger: string, weaker: string): boolean {
  const a = rank(targetType, stronger);
  const b = rank(targetType, weaker);
  return a !== undefined && b !== undefined && a < b;
}
