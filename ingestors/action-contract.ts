import type { Capability, DataCapability } from './contract.js';

/**
 * The governance side of the connector contract: the verbs, what an action is applied to and answers,
 * and the action table a connector declares (re-exported by `contract.ts`).
 */

/** Governance verbs shared by all providers; a connector declares those it can do as `action:<verb>`. */
export const ACTION_VERBS = [
  'suspend_user', 'unsuspend_user', 'revoke_sessions', 'force_password_change', 'reset_mfa',
  'remove_from_group', 'revoke_app_grant', 'remove_privilege',
  'remove_public_link', 'remove_permission', 'remove_external_collaborators', 'make_private', 'restore_sharing',
  'quarantine', 'apply_label', 'block_public_access', 'disable_console_login', 'deactivate_access_keys',
] as const;
export type ActionVerb = (typeof ACTION_VERBS)[number];

/** What an action is applied to: the provider's ids, as the account and file events carry them. */
export interface ActionTarget {
  type: 'user' | 'group' | 'file' | 'app_grant' | 'bucket' | 'privilege';
  id: string;
  name?: string | null;
}

export interface ActionResult {
  /** `noop` when the target was already in the wanted state (applying twice applies once). */
  status: 'applied' | 'noop';
  message?: string;
  /** What the action changed, so that `revert` can undo it (e.g. the sharing links it removed). */
  undo?: Record<string, string>;
}

/** One governance action of a connector: performs it through the provider's API, and reads back whether it took effect. */
export interface ActionHandler {
  run(target: ActionTarget, params: Readonly<Record<string, string>>, signal: AbortSignal): Promise<ActionResult>;
  /** Re-reads the target's state: true once the action's effect is visible. */
  verify?(target: ActionTarget, params: Readonly<Record<string, string>>, signal: AbortSignal): Promise<boolean>;
  /** The verb that undoes this one, if any (suspend_user → unsuspend_user). */
  inverse?: ActionVerb;
  /** The provider permission the action needs, named in `/v1/connectors` when the provider refuses it (403). */
  permission?: string;
}

/** A connector's governance handlers for one instance, by verb. */
export type ActionHandlers = { readonly [V in ActionVerb]?: ActionHandler };

/**
 * A connector's governance actions: the verbs its handlers implement, and how an instance builds
 * them. Made with `actionTable`; the `action:<verb>` capabilities are derived from it.
 */
export interface ActionTable<D> {
  readonly verbs: readonly ActionVerb[];
  build(deps: D): ActionHandlers;
}

/**
 * The action table of a handler factory (what a provider's `actions.ts` exports). `verbs` must name
 * exactly the verbs the factory returns handlers for: the compiler refuses a missing or an extra one,
 * so a declared action without a handler (or the reverse) cannot exist.
 */
export function actionTable<D, H extends ActionHandlers>(make: (deps: D) => H, verbs: { readonly [V in keyof H]-?: true }): ActionTable<D> {
  const declared = Object.keys(verbs) as ActionVerb[];
  return {
    verbs: declared,
    build(deps) {
      const handlers = make(deps);
      const built = Object.keys(handlers).sort().join(',');
      // The compiler checks the keys; this catches a factory whose keys depend on its input.
      if (built !== [...declared].sort().join(',')) throw new Error(`action handlers [${built}] differ from the declared verbs [${declared.join(',')}]`);
      return handlers;
    },
  };
}

/** A connector's capabilities: what it reads, and `action:<verb>` for each verb of its action table. */
export function connectorCapabilities(reads: readonly DataCapability[], actions?: ActionTable<never>): readonly Capability[] {
  return [...reads, ...(actions?.verbs ?? []).map((verb) => `action:${verb}` as const)];
}
