import { isAppwardenError } from '../../core/errors.js';
import type { Capability, CredentialCheck, StreamPermission } from '../contract.js';

type Missing = CredentialCheck['missing'][number];

interface Refusal {
  capabilities: readonly Capability[];
  permission: string | undefined;
  reason: string;
  /** Set by a permission check: the stream may try again; its next pass tells whether it still lacks the permission. */
  retry: boolean;
}

/** True when the provider answered HTTP 403 (for itself or as the cause of a wrapped error). */
export function isPermissionRefusal(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isAppwardenError(e) && e.details.status === 403 && e.code !== 'AW_PROVIDER_THROTTLED') return true;
    if ((e as { status?: unknown }).status === 403) return true;
  }
  return false;
}

/**
 * What the credentials of one instance may do: the latest credential check, plus the streams and
 * actions the provider refused with a 403 since. A stream runs unless every capability it serves
 * is missing, or it was refused since the last check; a check lets refused streams try again, and a
 * pass that succeeds clears the refusal.
 */
export class PermissionGate {
  #check: CredentialCheck | null = null;
  readonly #refused = new Map<string, Refusal>();

  /** Records a credential check; returns the capabilities it found missing that the previous check did not, and those it found back. */
  checked(check: CredentialCheck): { lost: Capability[]; regained: Capability[] } {
    const before = new Set(this.#check?.missing.map((m) => m.capability) ?? []);
    const now = new Set(check.missing.map((m) => m.capability));
    this.#check = check;
    for (const refusal of this.#refused.values()) refusal.retry = true;
    return { lost: [...now].filter((c) => !before.has(c)), regained: [...before].filter((c) => !now.has(c)) };
  }

  mayRun(name: string, stream: StreamPermission): boolean {
    if (this.#refused.get(name)?.retry === false) return false;
    const missing = new Set(this.#check?.missing.map((m) => m.capability) ?? []);
    return stream.capabilities.length === 0 || stream.capabilities.some((c) => !missing.has(c));
  }

  /** The provider answered 403 to `name` (a stream, or `action:<verb>`). */
  refused(name: string, what: { capabilities: readonly Capability[]; permission?: string | undefined }, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.#refused.set(name, {
      capabilities: what.capabilities, permission: what.permission, retry: false,
      reason: `missing permission: ${what.permission ?? `the one ${name} needs`} (HTTP 403 on ${name}: ${message})`,
    });
  }

  /** A pass of `name` succeeded: whatever it was refused before has been granted. */
  succeeded(name: string): boolean {
    return this.#refused.delete(name);
  }

  /** The latest check with every refusal seen since added to `missing`, or null before the first check. */
  credentials(): CredentialCheck | null {
    if (this.#check === null) return null;
    const missing: Missing[] = [...this.#check.missing];
    const listed = new Set(missing.map((m) => m.capability));
    for (const refusal of this.#refused.values()) {
      for (const capability of refusal.capabilities) {
        if (listed.has(capability)) continue;
        listed.add(capability);
        missing.push({ capability, reason: refusal.reason, ...(refusal.permission ? { permission: refusal.permission } : {}) });
      }
    }
    return { ...this.#check, missing };
  }
}

const gates = new WeakMap<object, PermissionGate>();

/**
 * The one gate of a configured instance in this process (keyed by its configuration object), shared
 * by its runner and the governance actions, so that an action refused with a 403 shows with the
 * instance's other missing permissions.
 */
export function permissionGateOf(instanceConfig: object): PermissionGate {
  let gate = gates.get(instanceConfig);
  if (!gate) {
    gate = new PermissionGate();
    gates.set(instanceConfig, gate);
  }
  return gate;
}
