import type { KafkaBus, KafkaMessage } from '../../core/kafka.js';
import { encode } from '../../schemas/registry.js';
import { auditKey } from '../../schemas/keys.js';
import type { AccountEvent, AuditEvent, FileEvent } from '../../schemas/types.js';
import type { NormalizeContext, SnapshotContext, SnapshotItem } from '../contract.js';
import { AppwardenError } from '../../core/errors.js';
import { messageSize } from '../../core/kafka.js';
import { deadLetterFrom, deadLetterMessage, rawText, type DeadLetter } from './dead-letter.js';
import { recordText } from './record-text.js';

export interface StreamRef {
  provider: string;
  instance: string;
  stream: string;
  /** The stream's `timeZone`, passed to its normalizer (and kept with a dead letter, for its replay). */
  timeZone?: string;
}

/** What a stream already sent and must not send again when a re-read returns it. */
export interface RepeatFilter {
  isRepeatEvent(eventId: string): boolean;
  /** A record that failed before, by its raw text (it may have no id). */
  isRepeatDeadLetter(raw: string): boolean;
}

const NO_REPEATS: RepeatFilter = { isRepeatEvent: () => false, isRepeatDeadLetter: () => false };

export interface PublishOutcome<E> {
  /** Events the broker acknowledged. */
  published: E[];
  /** Raw text of the records sent to the dead-letter topic. */
  deadLettered: string[];
  /** Records left out because the caller had already sent them. */
  skipped: number;
}

/**
 * Turns raw provider records into encoded events on their topic, and records that cannot be
 * normalized or encoded into dead letters. Resolves once Kafka acknowledged all of them, so the
 * caller may then move its cursor.
 */
export class EventPublisher {
  constructor(private readonly bus: Pick<KafkaBus, 'send' | 'topics' | 'maxMessageBytes'>) {}

  async publishActivities(
    ref: StreamRef,
    raws: readonly unknown[],
    normalize: (raw: unknown, ctx: NormalizeContext) => AuditEvent | AuditEvent[],
    repeats: RepeatFilter = NO_REPEATS,
  ): Promise<PublishOutcome<AuditEvent>> {
    const ctx: NormalizeContext = { instance: ref.instance, ingestedAt: Date.now(), stream: ref.stream, ...(ref.timeZone ? { timeZone: ref.timeZone } : {}) };
    const published: AuditEvent[] = [];
    const messages: KafkaMessage[] = [];
    const dead: DeadLetter[] = [];
    let skipped = 0;
    for (const raw of raws) {
      let stage: DeadLetter['stage'] = 'normalize';
      try {
        // A record that holds several events is published whole or dead-lettered whole.
        // The provider's own text of the record, taken from the body once (no re-serialization).
        const text = recordText(raw);
        const normalized = normalize(raw, text === undefined ? ctx : { ...ctx, rawText: text });
        const fresh = (Array.isArray(normalized) ? normalized : [normalized]).filter((event) => !repeats.isRepeatEvent(event.event_id));
        if (fresh.length === 0) {
          skipped++;
          continue;
        }
        stage = 'encode';
        const encoded = fresh.map((event) => this.fitting({ key: auditKey(event), value: encode('audit-event', event) }));
        messages.push(...encoded);
        published.push(...fresh);
      } catch (err) {
        const text = recordText(raw) ?? rawText(raw);
        if (repeats.isRepeatDeadLetter(text)) skipped++;
        else dead.push(deadLetterFrom(err, { stage, ...ref, raw: text }));
      }
    }
    await this.send(this.bus.topics.audit, messages, dead);
    return { published, deadLettered: dead.map((d) => d.raw), skipped };
  }

  async publishSnapshot(
    ref: StreamRef,
    topic: 'account' | 'file',
    items: readonly SnapshotItem[],
    normalize: (item: SnapshotItem, ctx: SnapshotContext) => AccountEvent | FileEvent,
  ): Promise<PublishOutcome<AccountEvent | FileEvent>> {
    const ctx: SnapshotContext = { instance: ref.instance, observedAt: Date.now() };
    
    const published: Array<AccountEvent | FileEvent> = [];
    const messages: KafkaMessage[] = [];
    const dead: DeadLetter[] = [];
    for (const item of items) {
      let stage: DeadLetter['stage'] = 'normalize';
      try {
        const record = normalize(item, ctx);
        stage = 'encode';
        messages.push(this.fitting({ key: snapshotKey(record), value: 'subject' in record ? encode('account-event', record) : encode('file-event', record) }));
        published.push(record);
      } catch (err) {
        dead.push(deadLetterFrom(err, { stage, ...ref, raw: rawText(item.raw) }));
      }
    }
    await this.send(topic === 'account' ? this.bus.topics.account : this.bus.topics.file, messages, dead);
    return { published, deadLettered: dead.map((d) => d.raw), skipped: 0 };
  }

  /** The message, or an error (the record becomes a dead letter) when the brokers would refuse it, and with it the rest of its batch. */
  private fitting(message: KafkaMessage): KafkaMessage {
    const size = messageSize(message);
    if (size <= this.bus.maxMessageBytes) return message;
    throw new AppwardenError('AW_RECORD_TOO_LARGE', `the event is ${size} bytes, over the Kafka message limit of ${this.bus.maxMessageBytes}`, { details: { bytes: size } });
  }

  private async send(topic: string, messages: KafkaMessage[], dead: DeadLetter[]): Promise<void> {
    const sends: Promise<void>[] = [];
    if (messages.length > 0) sends.push(this.bus.send(topic, messages));
    if (dead.length > 0) {
      sends.push(this.bus.send(this.bus.topics.deadLetter, dead.map((d) => deadLetterMessage(d, `${d.provider}/${d.instance}`, this.bus.maxMessageBytes))));
    }
    await Promise.all(sends);
  }
}

/** Keeps one account's (or file's) records on one partition, in order. */
function snapshotKey(record: AccountEvent | FileEvent): string {
  if ('subject' in record) return `${record.provider}/${record.instance}/${record.subject.id ?? record.record_id}`;
  return `${record.provider}/${record.instance}/${record.file.id}`;
}
