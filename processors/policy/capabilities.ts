import { CONNECTORS } from '../../ingestors/registry.js';

/** Provider id → the capabilities its connector declares (`action:<verb>` among them). */
export type ProviderCapabilities = ReadonlyMap<string, ReadonlySet<string>>;

/** What the registered connectors declare, read from `ingestors/registry.ts`. */
export function connectorCapabilities(): ProviderCapabilities {
  return new Map([...CONNECTORS.values()].map((d) => [d.id, new Set<string>(d.capabilities)]));
}
