import { secretKeys } from '../core/config.js';
import type { AuditEvent } from '../schemas/types.js';
import type { ConnectorDefinition, NormalizeContext } from './contract.js';
import { okta } from './okta/index.js';
import { office365 } from './office365/index.js';
import { googleWorkspace } from './google-workspace/index.js';
import { dropbox } from './dropbox/index.js';
import { servicenow } from './servicenow/index.js';
import { aws } from './aws/index.js';
import { box } from './box/index.js';
import { salesforce } from './salesforce/index.js';

/** Every provider Appwarden can connect; adding one is one line here (and one in `simulators/registry.ts`). */
const DEFINITIONS: readonly ConnectorDefinition[] = [
  okta,
  googleWorkspace,
  office365,
  servicenow,
  aws,
  box,
  dropbox,
  salesforce,
] as ConnectorDefinition[];

/**
 * Refuses a definition whose `action:<verb>` capabilities are not exactly the verbs of its action
 * table, so that the governance executor and the policy checks never see an action without a handler.
 */
export function checkDefinition(definition: ConnectorDefinition): void {
  const declared = definition.capabilities.filter((c) => c.startsWith('action:')).map((c) => c.slice('action:'.length)).sort();
  const handled = [...(definition.actions?.verbs ?? [])].sort();
  if (declared.join(',') !== handled.join(',')) {
    throw new Error(`connector ${definition.id}: action capabilities [${declared.join(', ')}] are not its action table's verbs [${handled.join(', ')}]; use connectorCapabilities(reads, actions)`);
  }
}

for (const definition of DEFINITIONS) checkDefinition(definition);

export const CONNECTORS: ReadonlyMap<string, ConnectorDefinition> = new Map<string, ConnectorDefinition>(DEFINITIONS.map((d) => [d.id, d]));

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

/** Each provider's audit normalizer, as the activity pollers run it (what `appwarden normalize` uses). */
export function activityNormalizers(): Record<string, (raw: unknown, ctx: NormalizeContext) => AuditEvent | AuditEvent[]> {
  return Object.fromEntries([...CONNECTORS.values()].map((d) => [d.id, d.normalizeActivity]));
}
