import type { KafkaBus, KafkaMessage } from '../../core/kafka.js';
import { encode } from '../../schemas/registry.js';
import type { Alert, GovernanceCommand } from '../../schemas/types.js';
import { commandMessage, type SigningKey } from '../governance/index.js';
import type { EvaluationResult } from './evaluation.js';


/** The message of an alert: keyed by alert_id, since a later message with the same id replaces it. */
export function alertMessage(alert: Alert): KafkaMessage {
  // encode() answers a view of a shared slab: copy it, the producer may hold it a while.
  return { key: alert.alert_id, value: Buffer.from(encode('alert', alert)) };
}

/**
 * What one batch of records caused, ready to publish: the records forwarded to the regroup topic,
 * the latest state of each alert it raised or updated (an alert updated ten times in a batch is
 * published once, with its final count), and every command, once.
 */
export class BatchOutput {
  private readonly alerts = new Map<string, Alert>();
  private readonly commands = new Map<string, GovernanceCommand>();
  private readonly forwards: KafkaMessage[] = [];
  newAlerts = 0;

  forward(messages: readonly KafkaMessage[]): void {
    for (const m of messages) this.forwards.push(m);
  }

  add(result: EvaluationResult): void {
    for (const { alert, isNew } of result.alerts) {
      if (isNew) this.newAlerts++;
      // Re-inserted so that the map's order is the order of the last update.
      this.alerts.delete(alert.alert_id);
      this.alerts.set(alert.alert_id, alert);
    }
    for (const command of result.commands) this.commands.set(command.command_id, command);
  }

  get alertCount(): number {
    return this.alerts.size;
  }

  get commandCount(): number {
    return this.commands.size;
  }

  /** Publishes the forwarded records, the alerts, then the commands (signed); resolves once Kafka acknowledged them all. */
  async publish(bus: Pick<KafkaBus, 'send' | 'topics'>, signingKey: SigningKey): Promise<void> {
    await bus.send(bus.topics.policyRegroup, this.forwards);
    await bus.send(bus.topics.alert, [...this.alerts.values()].map(alertMessage));
    await bus.send(bus.topics.governanceCommand, [...this.commands.values()].map((c) => commandMessage(c, {}, signingKey)));
  }
}
