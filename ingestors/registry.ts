import { secretKeys } from '../core/config.js';
import type { ConnectorDefinition } from './contract.js';
import { okta } from './okta/index.js';
import { office365 } from './office365/index.js';
import { googleWorkspace } from './google-workspace/index.js';

/** Every provider Appwarden can connect; adding one is one line here. */
export const CONNECTORS: ReadonlyMap<string, ConnectorDefinition> = new Map<string, ConnectorDefinition>(
  ([okta, googleWorkspace, office365] as ConnectorDefinition[]).map((d) => [d.id, d]),
);

export function providerSchemas(): Record<string, ConnectorDefinition['configSchema']> {
  return Object.fromEntries([...CONNECTORS.values()].map((d) => [d.id, d.configSchema]));
}

/** Names of every registered connector's settings marked `secret: true` (at any depth), for log redaction. */
export function connectorSecretKeys(): string[] {
  return [...new Set([...CONNECTORS.values()].flatMap((d) => secretKeys(d.configSchema)))];
}

/** Each provider's defaults for the shared instance settings (see `ConnectorDefinition.instanceDefaults`). */
export function providerDefaults(): Record<string, Record<string, unknown>> {
  return Object.fromEntries([...CONNECTORS.values()].map((d) => [d.id, (d.instanceDefaults ?? {}) as Record<string, unknown>]));
}
