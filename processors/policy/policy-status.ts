import type { CompiledPolicy } from './compile.js';
import type { PolicyState } from './state.js';
import { stateKey } from './stateful.js';

/** Why a policy does not run (or does not act); stored with the version it applies to. */
export interface PolicyStatus {
  disabled?: { version: number; at: number; reason: string };
  acting_stopped?: { version: number; at: number; reason: string };
}

function statusKey(policyId: string): string {
  return stateKey(policyId, 'x', '');
}

/** The stored status of a policy, as stored (whatever version it names). */
export function storedPolicyStatus(state: PolicyState, policyId: string): PolicyStatus {
  return (state.get(statusKey(policyId)) as PolicyStatus | undefined) ?? {};
}

/** The stored status that applies to this version of the policy. */
export function loadPolicyStatus(state: PolicyState, policy: CompiledPolicy): PolicyStatus {
  const stored = storedPolicyStatus(state, policy.id);
  // A new version starts afresh: what stopped the old one was about the old one.
  return {
    ...(stored.disabled?.version === policy.version ? { disabled: stored.disabled } : {}),
    ...(stored.acting_stopped?.version === policy.version ? { acting_stopped: stored.acting_stopped } : {}),
  };
}

export function savePolicyStatus(state: PolicyState, policyId: string, status: PolicyStatus): void {
  state.set(statusKey(policyId), status);
}
