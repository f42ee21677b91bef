import { ACTION_VERBS, type ActionHandler, type ActionVerb } from '../../ingestors/contract.js';
import type { Connections } from '../../ingestors/runtime/connections.js';

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
    const { definition } = found;
    if (!(ACTION_VERBS as readonly string[]).includes(action)) return { kind: 'unsupported', reason: `${action} is not a governance action` };
    const verb = action as ActionVerb;
    if (!definition.capabilities.includes(`action:${verb}`)) {
      return { kind: 'unsupported', reason: `the ${definition.displayName} connector cannot ${verb} (it does not declare action:${verb})` };
    }
    const handler = this.connections.get(provider, instance).actions?.[verb];
    if (!handler) return { kind: 'unsupported', reason: `the ${definition.displayName} connector declares action:${verb} but has no handler for it` };
    return { kind: 'ready', handler, verb };
  }

  /** The verb that undoes `action` on that instance, if the connector has one. */
  inverseOf(provider: string, instance: string, action: string): ActionVerb | undefined {
    const found = this.lookup(provider, instance, action);
    return found.kind === 'ready' ? found.handler.inverse : undefined;
  }
}
