import type { InstanceConfig } from '../../core/config.js';
import { instanceConfig } from '../../core/config.js';
import { office365 } from '../../ingestors/office365/index.js';
import type { Office365Simulator } from '../../simulators/office365/index.js';
import { FAST_INSTANCE } from './stack.js';

/** Office 365 connector settings for a simulator: all three base URLs point at it; fast test timings. */
export function office365Instance(sim: Office365Simulator, extra: Record<string, unknown> = {}): Partial<InstanceConfig> & Record<string, unknown> {
  return {
    ...FAST_INSTANCE,
    tenantId: sim.tenantId,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    loginUrl: sim.url,
    graphUrl: sim.url,
    managementUrl: sim.url,
    ...extra,
  };
}

/** A validated instance configuration, for `createConnector` in tests that run the connector without the stack. */
export function office365Config(sim: Office365Simulator, extra: Record<string, unknown> = {}): InstanceConfig {
  return instanceConfig(office365.configSchema, office365Instance(sim, extra), office365.instanceDefaults as Record<string, unknown>);
}
