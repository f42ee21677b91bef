import type { ConsumedRecord, KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { deadLetterFrom } from '../../ingestors/runtime/dead-letter.js';
import { stableId } from '../../schemas/event-id.js';
import { encode } from '../../schemas/registry.js';
import type { GovernanceCommand, GovernanceResult } from '../../schemas/types.js';
import { SIGNATURE_HEADER, type CommandEnvelope } from './command-message.js';

/**
 * Records a command nobody we trust signed: the governance log gets a `rejected` entry under an id of
 * its own (never the id it claims, so a forger cannot settle a real command), and nothing is done.
 */
export async function publishRejection(bus: KafkaBus, record: ConsumedRecord, command: GovernanceCommand, envelope: CommandEnvelope, log: Logger): Promise<void> {
  const signed = record.headers[SIGNATURE_HEADER] !== undefined;
  const why = signed ? 'its signature does not match' : 'it is not signed';
  log.warn({
    security: true, claimedCommandId: command.command_id, intent: envelope.intent, action: command.action,
    partition: record.partition, offset: record.offset,
  }, `security: a governance command was refused because ${why} (only the policy processor and the API sign commands)`);
  const result: GovernanceResult = {
    command_id: stableId('rejected', record.topic, String(record.partition), String(record.offset)),
    status: 'rejected', provider: command.provider, instance: command.instance, action: command.action, target: command.target,
    attempt: 0, at: Date.now(), retriable: false,
    message: `rejected: ${why}; it claimed to be command ${command.command_id} (${envelope.intent}) requested by ${envelope.requestedBy ?? command.requested_by}. Nothing was done`,
  };
  await bus.send(bus.topics.governanceResult, [{ key: result.command_id, value: Buffer.from(encode('governance-result', result)) }]);
}

/** An undecodable message on the command topic goes to the dead-letter topic with its reason. */
export async function deadLetterCommand(bus: KafkaBus, record: ConsumedRecord, err: unknown, log: Logger): Promise<void> {
  const dead = deadLetterFrom(err, {
    stage: 'decode', provider: null, instance: null, stream: null,
    raw: record.value ? record.value.toString('base64') : '',
    origin: { topic: record.topic, partition: record.partition, offset: String(record.offset) },
  });
  await bus.send(bus.topics.deadLetter, [{
    key: `${record.topic}/${record.partition}`, value: Buffer.from(JSON.stringify(dead)), headers: { 'aw-code': dead.code, 'aw-stage': dead.stage },
  }]);
  log.warn({ offset: record.offset, partition: record.partition, reason: dead.reason }, 'an undecodable governance command went to the dead-letter topic');
}
