import type { Logger } from '../../core/logger.js';
import type { Provider } from '../../schemas/vocabulary.js';

/** What every simulator gives when started: its URL and how to stop it. */
export interface RunningSimulator {
  url: string;
  close(): Promise<void>;
}

/** How the demo (and the tests) start one simulator. */
export interface DemoStartOptions {
  log: Logger;
  /** Same seed, same tenant: ids, names, and the records of its history. */
  seed: string;
  /** A small tenant (a few users, a day of a few hundred records), for tests; default the demo's size. */
  small?: boolean;
}

/**
 * A simulator's demo configuration, exported by its folder (`demo.ts`) and listed in
 * `simulators/registry.ts`: how to start it, and the connector settings that reach it.
 */
export interface SimulatorDemo<S extends RunningSimulator = RunningSimulator> {
  provider: Provider;
  /** What it stands for, for the start-up log: `Okta org`. */
  title: string;
  /** Starts the simulator as `appwarden start` runs it without configured connectors. */
  start(options: DemoStartOptions): Promise<S>;
  /** The provider settings of a connector instance that reads this simulator (URLs and credentials). */
  connectorSettings(sim: S): Record<string, unknown>;
  /** A user of the tenant, for the example query printed at start. */
  exampleUser?(sim: S): string;
  /**
   * The demo's instances, each its own simulated tenant (default `['demo']`): a provider where several
   * instances side by side are the everyday case (a sales and a support org) shows it in the demo.
   */
  instances?: readonly string[];
}

/** Keeps a demo's simulator type with it while the registry lists demos of different simulators. */
export function simulatorDemo<S extends RunningSimulator>(demo: SimulatorDemo<S>): SimulatorDemo<S> {
  return demo;
}
