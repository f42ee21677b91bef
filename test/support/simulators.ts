import { instanceConfig, type InstanceConfig } from '../../core/config.js';
import { CONNECTORS } from '../../ingestors/registry.js';
import { SIMULATORS, type SimulatedProvider, type SimulatorOf } from '../../simulators/registry.js';
import { FAST_INSTANCE } from './stack.js';

export type InstanceSettings = Partial<InstanceConfig> & Record<string, unknown>;

/** Connector settings that reach a simulator (as its demo configuration says), with fast test timings. */
export function simulatorInstance<P extends SimulatedProvider>(provider: P, sim: SimulatorOf<P>, extra: Record<string, unknown> = {}): InstanceSettings {
  const demo = SIMULATORS[provider] as unknown as { connectorSettings(sim: SimulatorOf<P>): Record<string, unknown> };
  return { ...FAST_INSTANCE, ...demo.connectorSettings(sim), ...extra };
}

/** A validated instance configuration for a simulator, for tests that run a connector without the stack. */
export function simulatorConfig<P extends SimulatedProvider>(provider: P, sim: SimulatorOf<P>, extra: Record<string, unknown> = {}): InstanceConfig {
  const definition = CONNECTORS.get(provider);
  if (!definition) throw new Error(`no connector is registered for ${provider}`);
  return instanceConfig(definition.configSchema, simulatorInstance(provider, sim, extra), (definition.instanceDefaults ?? {}) as Record<string, unknown>);
}
