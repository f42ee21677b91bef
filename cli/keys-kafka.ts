import { loadConfig } from '../core/config.js';
import { createKafkaBus } from '../core/kafka.js';
import { kafkaSecurityFromConfig } from '../core/kafka-security.js';
import { ensureLocalKafka, localKafkaOptionsFromEnv } from '../core/local-kafka.js';
import type { Logger } from '../core/logger.js';
import { providerDefaults, providerSchemas } from '../ingestors/registry.js';
import { PROJECT_ROOT } from './main.js';

export { runKeysCommand } from './keys.js';

/**
 * The deployment's Kafka as `appwarden start` finds it (configuration, `KAFKA_BROKERS`, else the local
 * broker, started for the command and stopped after when it was not running), with its TLS and SASL.
 */
export async function connectKafka(env: NodeJS.ProcessEnv, log: Logger) {
  const config = loadConfig({ env, providerSchemas: providerSchemas(), providerDefaults: providerDefaults() });
  const local = config.kafka.brokers.length === 0 ? await ensureLocalKafka(localKafkaOptionsFromEnv(env, PROJECT_ROOT, log)) : null;
  const kafka = { ...config.kafka, brokers: local?.brokers ?? config.kafka.brokers, ...(local?.security?.sasl ? { sasl: local.security.sasl } : {}) };
  const security = kafkaSecurityFromConfig(kafka);
  const bus = createKafkaBus({
    brokers: kafka.brokers, clientId: `${config.kafka.clientId}-cli`, prefix: config.kafka.topicPrefix,
    partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor, producerClient: config.kafka.producerClient,
    consumerSessionTimeoutMs: config.kafka.consumerSessionTimeoutMs, log, ...(security ? { security } : {}),
  });
  await bus.ensureTopics();
  return {
    bus,
    async close() {
      await bus.disconnect();
      await local?.stop();
    },
  };
}
