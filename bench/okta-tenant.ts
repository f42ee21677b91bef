/**
 * The simulated Okta tenant the benches read: 2,000 users in 20 groups and N System Log events over
 * one day, with a rate limit far above what a bench asks, so a bench measures Appwarden, not throttling.
 */
import type { Logger } from '../core/logger.js';
import { startOktaSimulator } from '../simulators/okta/index.js';
import type { SimulatorProcessOptions } from './simulator-process.js';

/** The tenant's options, as `startOktaSimulatorProcess` takes them (`rateLimit`: requests a minute). */
export function benchOktaTenant(events: number, seed = 'bench'): SimulatorProcessOptions {
  return { seed, users: 2000, groups: 20, eventsPerDay: events, days: 1, rateLimit: 100_000 };
}

/** The tenant simulated in this process. */
export function startBenchOktaSimulator(log: Logger, events: number): ReturnType<typeof startOktaSimulator> {
  const { rateLimit, ...tenant } = benchOktaTenant(events);
  return startOktaSimulator({ log, ...tenant, rateLimit: { limit: rateLimit, windowMs: 60_000 } });
}
