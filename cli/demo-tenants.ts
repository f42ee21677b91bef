import { instanceConfig, type InstanceConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { CONNECTORS } from '../ingestors/registry.js';
import { simulatorDemos } from '../simulators/registry.js';

export interface DemoTenants {
  connectors: Record<string, Record<string, InstanceConfig>>;
  /** A user of a simulated tenant, for the example query printed at start. */
  exampleUser: string;
  close(): Promise<void>;
}

const DEMO_SEED = 'appwarden-demo';

/**
 * The simulated tenants `appwarden start` runs when no connector is configured: one per simulator of
 * `simulators/registry.ts`, each served on a loopback port and connected as instance `demo`. Their
 * history is anchored to fixed times, so a restart serves the same records under the same ids.
 */
export async function startDemoTenants(log: Logger, options: { small?: boolean } = {}): Promise<DemoTenants> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const connectors: DemoTenants['connectors'] = {};
    const urls: Record<string, string> = {};
    let exampleUser = '';
    for (const demo of simulatorDemos()) {
      const definition = CONNECTORS.get(demo.provider);
      if (!definition) throw new Error(`simulators/registry.ts lists ${demo.provider}, which ingestors/registry.ts does not`);
      const instances: Record<string, InstanceConfig> = {};
      for (const [i, instance] of (demo.instances ?? ['demo']).entries()) {
        // The first instance keeps the demo's seed, so its history stays the same across versions.
        const sim = await demo.start({ log, seed: i === 0 ? DEMO_SEED : `${DEMO_SEED}:${instance}`, small: options.small ?? false });
        closers.push(() => sim.close());
        instances[instance] = instanceConfig(definition.configSchema, demo.connectorSettings(sim), (definition.instanceDefaults ?? {}) as Record<string, unknown>);
        urls[`${demo.provider}.${instance}`] = sim.url;
        if (exampleUser === '' && demo.exampleUser) exampleUser = demo.exampleUser(sim);
      }
      connectors[demo.provider] = instances;
    }
    log.info(urls, `no connector configured: running simulated ${simulatorDemos().map((d) => d.title).join(', ')} (instance "demo", and a second one where two are usual)`);
    return { connectors, exampleUser, close };
  } catch (err) {
    await close();
    throw err;
  }
}
