import type { ConnectorDefinition } from './contract.js';
import { okta } from './okta/index.js';

/** Every provider Appwarden can connect; adding one is one line here. */
export const CONNECTORS: ReadonlyMap<string, ConnectorDefinition> = new Map<string, ConnectorDefinition>(
  ([okta] as ConnectorDefinition[]).map((d) => [d.id, d]),
);

export function providerSchemas(): Record<string, ConnectorDefinition['configSchema']> {
  return Object.fromEntries([...CONNECTORS.values()].map((d) => [d.id, d.configSchema]));
}
