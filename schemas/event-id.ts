import { hash } from 'node:crypto';

// U+001F (unit separator) cannot appear in provider ids we have seen, so joined parts stay unambiguous.
const SEPARATOR = '\u001f';

/**
 * A deterministic 128-bit id (32 lower-case hex characters): the start of SHA-256 over the parts
 * joined by U+001F. Any language can recompute it, e.g. `sha256("okta\x1fdefault\x1f<uuid>")[:32]`.
 */
export function stableId(...parts: string[]): string {
  return hash('sha256', parts.join(SEPARATOR), 'hex').slice(0, 32);
}

/** The `event_id` of an audit event: the same provider record always gets the same id. */
export function eventId(provider: string, instance: string, providerId: string): string {
  // Same as stableId(provider, instance, providerId), without the rest array: this runs per event.
  return hash('sha256', provider + SEPARATOR + instance + SEPARATOR + providerId, 'hex').slice(0, 32);
}

/** The `record_id` of an account or file record: provider, instance, kind and the provider's ids. */
export function recordId(provider: string, instance: string, kind: string, ...providerIds: string[]): string {
  return stableId(provider, instance, kind, ...providerIds);
}
