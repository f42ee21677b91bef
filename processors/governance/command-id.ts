import { stableId } from '../../schemas/event-id.js';

/**
 * The deterministic id of a governance command: the first 32 hex digits of SHA-256 over the alert
 * or request id, provider, instance, action and target id joined by U+001F (as
 * `governance-command.v1.avsc` documents), so a replayed alert or a repeated request acts once.
 */
export function governanceCommandId(origin: string, provider: string, instance: string, action: string, targetId: string): string {
  return stableId(origin, provider, instance, action, targetId);
}

/** The id of the command that reverts `originalId` with the inverse action: reverting twice reverts once. */
export function revertCommandId(originalId: string, provider: string, instance: string, inverse: string, targetId: string): string {
  return governanceCommandId(`revert:${originalId}`, provider, instance, inverse, targetId);
}
