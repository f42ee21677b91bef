import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppwardenError } from './errors.js';
import type { KafkaSecurity } from './kafka-security.js';
import type { LocalKafkaPaths } from './local-kafka-paths.js';
import { scramBrokerProperties, scramCredentialArgument } from './local-kafka-sasl.js';
import { exists, run, tail } from './local-process.js';
import type { Logger } from './logger.js';

/** The broker's `server.properties`: one node, broker and controller, on loopback. */
export function serverProperties(paths: LocalKafkaPaths, port: number, controllerPort: number, sasl: KafkaSecurity['sasl']): string {
  const client = sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  // Static quorum (controller.quorum.voters) rather than --standalone: the controller port may then
  // change from one start to the next.
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=${client}://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=${client}://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    `inter.broker.listener.name=${client}`,
    `listener.security.protocol.map=${client}:${client},CONTROLLER:PLAINTEXT`,
    ...(sasl ? scramBrokerProperties(sasl) : []),
    `log.dirs=${paths.logDirs}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=5',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'log.retention.hours=72',
    'log.retention.bytes=1073741824',
    'log.segment.bytes=67108864',
    'log.cleaner.dedupe.buffer.size=16777216',
    'num.network.threads=2',
    'num.io.threads=4',
  ].join('\n')}\n`;
}

/** Formats the storage (first run only), with the client's SCRAM credentials when SASL is on. */
export async function formatStorage(paths: LocalKafkaPaths, log: Logger, sasl: KafkaSecurity['sasl']): Promise<void> {
  if (await exists(join(paths.logDirs, 'meta.properties'))) return;
  log.info({ logDirs: paths.logDirs, sasl: sasl ? 'SCRAM-SHA-256' : 'off' }, 'formatting storage');
  const result = await run('java', [
    '-cp', join(paths.libsDir, '*'), `-Dlog4j2.configurationFile=${paths.log4jConfig}`,
    'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', paths.serverProperties,
    ...(sasl ? ['--add-scram', scramCredentialArgument(sasl)] : []),
  ]);
  if (result.code !== 0) {
    throw new AppwardenError('AW_LOCAL_STACK_FAILED', `formatting the Kafka storage failed (exit ${result.code}; Java 17+ must be installed):\n${tail(result.output, 40)}`);
  }
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
