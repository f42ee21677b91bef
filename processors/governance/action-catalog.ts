import { ACTION_VERBS, type ActionHandler, type ActionTarget, type ActionVerb } from '../../ingestors/contract.js';
import type { Connections } from '../../ingestors/runtime/connections.js';
import { isPermissionRefusal, permissionGateOf, type PermissionGate } from '../../ingestors/runtime/permission-gate.js';

/** One reporting wrapper per connector handler, so every lookup of an action (in any catalogue) answers the same handler. */
const reportingHandlers = new WeakMap<ActionHandler, ActionHandler>();

/** What the configuration offers for one action on one instance. */
export type ActionLookup =
  | { kind: 'ready'; handler: ActionHandler; verb: ActionVerb }
  /** The connector does not declare `action:<verb>` (or declares it without a handler). */
  | { kind: 'unsupported'; reason: string }
  /** No such provider or instance is configured here. */
  | { kind: 'unknown'; reason: string };

/**
 * The governance actions of the configured connector instances. The handlers belong to the
 * instance's connector in the process's `Connections`, so an action shares the instance's HTTP
 * limits, token cache and throttling pauses with its scans.
 */
export class ActionCatalog {
  constructor(private readonly connections: Connections) {}

  /** Whether provider.instance is configured. */
  hasInstance(provider: string, instance: string): boolean {
    return this.connections.has(provider, instance);
  }

  lookup(provider: string, instance: string, action: string): ActionLookup {
    const found = this.connections.find(provider, instance);
    if (!found) return { kind: 'unknown', reason: `no connector instance ${provider}.${instance} is configured` };
    const { definition, config } = found;
    if (!(ACTION_VERBS as readonly string[]).includes(action)) return { kind: 'unsupported', reason: `${action} is not a governance action` };
    const verb = action as ActionVerb;
    if (!definition.capabilities.includes(`action:${verb}`)) {
      return { kind: 'unsupported', reason: `the ${definition.displayName} connector cannot ${verb} (it does not declare action:${verb})` };
    }
    const handler = this.connections.get(provider, instance).actions?.[verb];
    if (!handler) return { kind: 'unsupported', reason: `the ${definition.displayName} connector declares action:${verb} but has no handler for it` };
    let reporting = reportingHandlers.get(handler);
    if (!reporting) {
      reporting = reportingRefusals(handler, verb, permissionGateOf(config));
      reportingHandlers.set(handler, reporting);
    }
    return { kind: 'ready', handler: reporting, verb };
  }

  /** The verb that undoes `action` on that instance, if the connector has one. */
  inverseOf(provider: string, instance: string, action: string): ActionVerb | undefined {
    const found = this.lookup(provider, instance, action);
    return found.kind === 'ready' ? found.handler.inverse : undefined;
  }
}

/** The handler, telling the instance's permission gate when the provider refuses it (403) and when it works again. */
function reportingRefusals(handler: ActionHandler, verb: ActionVerb, gate: PermissionGate): ActionHandler {
  const name = `action:${verb}` as const;
  // Delegates to the handler for everything else (verify, inverse), whatever its shape.
  return Object.assign(Object.create(handler) as ActionHandler, {
    run: async (target: ActionTarget, params: Readonly<Record<string, string>>, signal: AbortSignal) => {
      try {
        const result = await handler.run(target, params, signal);
        gate.succeeded(name);
        return result;
      } catch (err) {
        if (isPermissionRefusal(err)) gate.refused(name, { capabilities: [name], permission: handler.permission }, err);
        throw err;
      }
    },
  });
}
