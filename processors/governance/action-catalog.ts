import type { AppConfig } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { ACTION_VERBS, type ActionHandler, type ActionTarget, type ActionVerb, type ConnectorDefinition, type ConnectorInstance } from '../../ingestors/contract.js';
import { createConnector } from '../../ingestors/runtime/connector-factory.js';
import { isPermissionRefusal, permissionGateOf, type PermissionGate } from '../../ingestors/runtime/permission-gate.js';

/** What the configuration offers for one action on one instance. */
export type ActionLookup =
  | { kind: 'ready'; handler: ActionHandler; verb: ActionVerb }
  /** The connector does not declare `action:<verb>` (or declares it without a handler). */
  | { kind: 'unsupported'; reason: string }
  /** No such provider or instance is configured here. */
  | { kind: 'unknown'; reason: string };

/**
 * The governance actions of the configured connector instances. Instances are created on first use
 * (creating one does no I/O) and kept, so each instance's HTTP limits and throttling pauses hold
 * across commands.
 */
export class ActionCatalog {
  private readonly instances = new Map<string, ConnectorInstance>();

  constructor(
    private readonly connectors: AppConfig['connectors'],
    private readonly definitions: ReadonlyMap<string, ConnectorDefinition>,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
  ) {}

  /** Whether provider.instance is configured. */
  hasInstance(provider: string, instance: string): boolean {
    return this.definitions.has(provider) && this.connectors[provider]?.[instance] !== undefined;
  }

  lookup(provider: string, instance: string, action: string): ActionLookup {
    const definition = this.definitions.get(provider);
    const config = this.connectors[provider]?.[instance];
    if (!definition || !config) return { kind: 'unknown', reason: `no connector instance ${provider}.${instance} is configured` };
    if (!(ACTION_VERBS as readonly string[]).includes(action)) return { kind: 'unsupported', reason: `${action} is not a governance action` };
    const verb = action as ActionVerb;
    if (!definition.capabilities.includes(`action:${verb}`)) {
      return { kind: 'unsupported', reason: `the ${definition.displayName} connector cannot ${verb} (it does not declare action:${verb})` };
    }
    const handler = this.instance(provider, instance, definition).actions?.[verb];
    if (!handler) return { kind: 'unsupported', reason: `the ${definition.displayName} connector declares action:${verb} but has no handler for it` };
    return { kind: 'ready', handler: reportingRefusals(handler, verb, permissionGateOf(config)), verb };
  }

  /** The verb that undoes `action` on that instance, if the connector has one. */
  inverseOf(provider: string, instance: string, action: string): ActionVerb | undefined {
    const found = this.lookup(provider, instance, action);
    return found.kind === 'ready' ? found.handler.inverse : undefined;
  }

  private instance(provider: string, instance: string, definition: ConnectorDefinition): ConnectorInstance {
    const key = `${provider}/${instance}`;
    let created = this.instances.get(key);
    if (!created) {
      const log = this.log.child({ component: 'governance-connector', provider, instance });
      created = createConnector(definition, instance, this.connectors[provider]![instance]!, log, this.signal);
      this.instances.set(key, created);
    }
    return created;
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
