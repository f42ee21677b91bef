import type { Prng } from '../common/prng.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An Okta object id: a three-character type prefix and 17 base-62 characters, 20 in all
 * (`00u` user, `00g` group, `0oa` app, `oag` grant, `oty` user type, `00T` API token).
 */
export function oktaId(prng: Prng, prefix: string): string {
  return prefix + prng.chars(20 - prefix.length, BASE62);
}

/** An `errorId` as Okta puts in error bodies (`oae` and 22 characters). */
export function oktaErrorId(prng: Prng): string {
  return `oae${prng.chars(22, BASE62)}`;
}

/** A role assignment id in the newer `ra1...` form. */
export function roleAssignmentId(prng: Prng): string {
  return `ra1${prng.chars(17, BASE62)}`;
}

/**
 * A base-62 string of `length` derived from a uuid, for ids that must be stable for one event
 * (transaction and session ids) without storing them.
 */
export function idFromUuid(uuid: string, length: number, salt = 0): string {
  let hash = stableHash(uuid) ^ Math.imul(salt + 1, 0x9e3779b1);
  let out = '';
  for (let i = 0; i < length; i++) {
    // xorshift steps: cheap, and different for every uuid and salt.
    hash ^= hash << 13;
    hash ^= hash >>> 17;
    hash ^= hash << 5;
    out += BASE62[(hash >>> 0) % 62];
  }
  return out;
}

/** A small, stable hash of a string, to spread users over locations and user agents. */
export function stableHash(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return hash;
}
