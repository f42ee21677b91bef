import { after } from 'node:test';
import { createKafkaBus, type KafkaBus } from '../../core/kafka.js';
import { silentLogger } from '../../core/logger.js';
import { freshName, testBrokers } from './fresh.js';

/**
 * A maker of buses with fresh topics on the test broker, for one test file: each bus's topics are
 * made at once, and deleted (the bus disconnected) when the file's tests end. Call it at the top level.
 */
export function freshBuses(name: string, partitions = 1): () => Promise<KafkaBus> {
  const buses: KafkaBus[] = [];
  after(async () => {
    for (const bus of buses) {
      await bus.deleteTopics().catch(() => undefined);
      await bus.disconnect();
    }
  });
  return async () => {
    const bus = createKafkaBus({ brokers: testBrokers(), clientId: `${name}-test`, prefix: freshName(name), partitions, replicationFactor: 1, log: silentLogger });
    buses.push(bus);
    await bus.ensureTopics();
    return bus;
  };
}
