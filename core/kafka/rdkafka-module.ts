import { createRequire } from 'node:module';
import type * as RdKafka from '@confluentinc/kafka-javascript';

export type RdKafkaModule = typeof RdKafka;

let loaded: { module: RdKafkaModule } | { error: Error } | undefined;

/**
 * `@confluentinc/kafka-javascript` (librdkafka), an optional dependency: loaded once, synchronously,
 * on first use; its load error (not installed, or its native library missing) is kept and returned.
 */
export function loadRdKafka(): { module: RdKafkaModule } | { error: Error } {
  if (!loaded) {
    try {
      loaded = { module: createRequire(import.meta.url)('@confluentinc/kafka-javascript') as RdKafkaModule };
    } catch (err) {
      loaded = { error: err instanceof Error ? err : new Error(String(err)) };
    }
  }
  return loaded;
}
