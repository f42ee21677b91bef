import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { describe, test } from 'node:test';
import { instanceConfig } from '../core/config.js';
import { silentLogger } from '../core/logger.js';
import { CONNECTORS } from '../ingestors/registry.js';
import { createConnector } from '../ingestors/runtime/connector-factory.js';
import type { RunningSimulator, SimulatorDemo } from './common/demo.js';
import { simulatorDemos } from './registry.js';

const HOUR = 3_600_000;

/** The audit events the connector reads from the simulator in the window, as `event_id @ occurred_at`, sorted (an API may list one twice). */
async function readHistory(demo: SimulatorDemo<RunningSimulator>, window: { since: number; until: number }): Promise<string[]> {
  const definition = CONNECTORS.get(demo.provider)!;
  const sim = await demo.start({ log: silentLogger, seed: 'restart-test', small: true });
  const abort = new AbortController();
  setMaxListeners(100, abort.signal);
  try {
    const config = instanceConfig(definition.configSchema, demo.connectorSettings(sim), (definition.instanceDefaults ?? {}) as Record<string, unknown>);
    const connector = createConnector(definition, 'demo', config, silentLogger, abort.signal);
    const seen: string[] = [];
    const ctx = { instance: 'demo', ingestedAt: 0 };
    for (const stream of connector.activityStreams) {
      for await (const page of stream.read(window, abort.signal)) {
        for (const raw of page) {
          const events = definition.normalizeActivity(raw, ctx);
          for (const e of Array.isArray(events) ? events : [events]) seen.push(`${e.event_id} @ ${new Date(e.occurred_at).toISOString()}`);
        }
      }
    }
    return [...new Set(seen)].sort();
  } finally {
    abort.abort();
    await sim.close();
  }
}

describe('simulators keep their history across a restart', () => {
  // A window well inside the history of both runs, and settled (published, past every lag).
  const now = Date.now();
  const window = { since: now - 20 * HOUR, until: now - 2 * HOUR };

  for (const demo of simulatorDemos()) {
    test(`${demo.provider}: a restarted simulator serves the same events, under the same ids at the same times`, async () => {
      const first = await readHistory(demo, window);
      const second = await readHistory(demo, window);
      assert.ok(first.length > 10, `the ${demo.provider} demo has history in the window (${first.length} events)`);
      assert.equal(new Set(first.map((e) => e.split(' @ ')[0])).size, first.length, 'no event at two times');
      assert.deepEqual(second, first);
    });
  }
});
