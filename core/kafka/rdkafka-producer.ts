import type { DeliveryReport, LibrdKafkaError, MessageHeader, Producer } from '@confluentinc/kafka-javascript';
import { AppwardenError } from '../errors.js';
import type { Logger } from '../logger.js';
import { kafkaError } from './errors.js';
import type { BusProducer } from './producer.js';
import { rdKafkaProducerConfig, type RdKafkaProducerSettings } from './rdkafka-config.js';
import { RD_KAFKA_CODES, rdKafkaCodeName } from './rdkafka-errors.js';
import type { RdKafkaModule } from './rdkafka-module.js';
import type { KafkaMessage } from './types.js';

/** How long `disconnect` waits for queued messages to be delivered before closing. */
const CLOSE_FLUSH_MS = 5000;
/** Pause before trying again to queue a message when librdkafka's queue is full. */
const QUEUE_FULL_WAIT_MS = 5;
/**
 * A send still without every delivery report this long past its delivery timeout fails, and its producer
 * is replaced: librdkafka reports a timed-out message up to some seconds late (7-10 s seen, the requests in
 * flight are drained first), never this late unless it is stuck.
 */
const STUCK_GRACE_MS = 30_000;

/** One `send` call: settled once every one of its messages has a delivery report (or was never queued). */
interface PendingSend {
  left: number;
  error: unknown;
  settled: boolean;
  /** Fails the send should librdkafka never report on some of its messages (armed once all are queued). */
  stuck?: NodeJS.Timeout;
  settle(): void;
}

/** One librdkafka producer and the sends waiting for its delivery reports. */
interface Handle {
  producer: Producer;
  pending: Set<PendingSend>;
  /** Set once the producer is being closed: no send is given to it any more. */
  retired: boolean;
  /** When a message was last acknowledged (or the producer connected). */
  lastDeliveredAt: number;
  /** Called when the last pending send settles, while the producer is being retired. */
  onIdle?: () => void;
}

/**
 * librdkafka's idempotent producer (acks=all) through `@confluentinc/kafka-javascript`'s native API,
 * connected on first use. Each message is queued with its send as the delivery report's opaque; the
 * send settles when all its reports are in. librdkafka batches per partition (`linger.ms`,
 * `batch.size`), keeps order per partition with up to 5 requests in flight, and fails a message not
 * acknowledged within `message.timeout.ms`. The producer is closed and made again on the next send
 * after a fatal error (the idempotent producer fenced), and when it stalls: a message timed out and no
 * other was acknowledged during its whole delivery timeout (after a broker outage librdkafka can stay
 * unable to get its producer id while a new producer sends at once).
 */
export class RdKafkaProducer implements BusProducer {
  readonly client = 'rdkafka';
  private current: Promise<Handle> | undefined;
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly rdkafka: RdKafkaModule, private readonly settings: RdKafkaProducerSettings, private readonly log: Logger) {}

  async send(topic: string, messages: KafkaMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      const handle = await this.connected();
      await this.deliver(handle, topic, messages);
    } catch (err) {
      throw kafkaError('send', err, { topic });
    }
  }

  async disconnect(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current) this.retire(await current.catch(() => null));
    await Promise.all([...this.closing]);
  }

  private deliver(handle: Handle, topic: string, messages: KafkaMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: PendingSend = {
        left: messages.length,
        error: undefined,
        settled: false,
        settle: () => {
          if (pending.settled) return;
          pending.settled = true;
          clearTimeout(pending.stuck);
          handle.pending.delete(pending);
          if (pending.error === undefined) resolve();
          else reject(pending.error);
          if (handle.pending.size === 0) handle.onIdle?.();
        },
      };
      handle.pending.add(pending);
      void this.enqueue(handle, topic, messages, pending);
    });
  }

  /** Queues the messages in order; a full queue is waited out, any other refusal fails this one and the rest. */
  private async enqueue(handle: Handle, topic: string, messages: KafkaMessage[], pending: PendingSend): Promise<void> {
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const headers = m.headers ? toHeaders(m.headers) : undefined;
      for (;;) {
        if (pending.settled) return;
        try {
          handle.producer.produce(topic, null, m.value, m.key, 0, pending, headers);
          break;
        } catch (err) {
          if ((err as LibrdKafkaError).code === RD_KAFKA_CODES.QUEUE_FULL && !handle.retired) {
            await new Promise((r) => setTimeout(r, QUEUE_FULL_WAIT_MS));
            continue;
          }
          if (isFatal(err)) this.onFatal(handle, err);
          pending.error ??= err;
          pending.left -= messages.length - i;
          if (pending.left === 0) pending.settle();
          return;
        }
      }
    }
    if (!pending.settled) pending.stuck = setTimeout(() => this.onStuckSend(handle, pending), this.settings.deliveryTimeoutMs + STUCK_GRACE_MS);
  }

  /** The producer sends go to: connected on first use, and again after the last one was retired. */
  private async connected(): Promise<Handle> {
    for (;;) {
      const current = (this.current ??= this.connect());
      const handle = await current;
      if (!handle.retired) return handle;
      if (this.current === current) this.current = undefined;
    }
  }

  private connect(): Promise<Handle> {
    return new Promise<Handle>((resolve, reject) => {
      const producer = new this.rdkafka.Producer(rdKafkaProducerConfig(this.settings));
      const handle: Handle = { producer, pending: new Set(), retired: false, lastDeliveredAt: Date.now() };
      producer.on('delivery-report', (err, report) => this.onReport(handle, err, report));
      producer.on('event.log', (line: { severity: number; fac: string; message: string }) => this.logLine(line));
      producer.on('event.error', (err) => this.onError(handle, err));
      // Raised only by an OAuth token refresh; an 'error' event without a listener would end the process.
      (producer as unknown as NodeJS.EventEmitter).on('error', (err: LibrdKafkaError) => this.onError(handle, err));
      // Metadata of no topic: only the brokers, to know the connection works.
      producer.connect({ allTopics: false, timeout: this.settings.requestTimeoutMs }, (err) => {
        if (err) {
          reject(err);
          return;
        }
        producer.setPollInBackground(true);
        handle.lastDeliveredAt = Date.now();
        resolve(handle);
      });
    }).catch((err: unknown) => {
      this.current = undefined;
      throw err;
    });
  }

  private onReport(handle: Handle, err: LibrdKafkaError | null, report: DeliveryReport): void {
    const pending = report.opaque as PendingSend;
    if (!err) handle.lastDeliveredAt = Date.now();
    else {
      pending.error ??= err;
      if (isFatal(err)) this.onFatal(handle, err);
      else if (err.code === RD_KAFKA_CODES.MSG_TIMED_OUT) this.onTimedOut(handle);
    }
    if (--pending.left === 0) pending.settle();
  }

  /** A message timed out: when nothing at all was acknowledged during its delivery timeout, the producer is stalled. */
  private onTimedOut(handle: Handle): void {
    const quietMs = Date.now() - handle.lastDeliveredAt;
    if (handle.retired || quietMs < this.settings.deliveryTimeoutMs) return;
    this.replace(handle, () => this.log.warn({ quietMs, deliveryTimeoutMs: this.settings.deliveryTimeoutMs },
      `the librdkafka producer is stalled: a message timed out and none was acknowledged for ${quietMs} ms; a new producer is made on the next send`));
  }

  /** A send librdkafka has neither delivered nor timed out long past its delivery timeout: it fails, and the producer is replaced. */
  private onStuckSend(handle: Handle, pending: PendingSend): void {
    pending.error ??= new AppwardenError('AW_KAFKA_FAILED',
      `librdkafka reported no outcome for some messages ${STUCK_GRACE_MS} ms past their delivery timeout (${this.settings.deliveryTimeoutMs} ms)`, { retriable: true });
    pending.settle();
    this.replace(handle, () => this.log.warn({ deliveryTimeoutMs: this.settings.deliveryTimeoutMs },
      'the librdkafka producer is stuck: a send got no delivery report long past its delivery timeout; a new producer is made on the next send'));
  }

  private onError(handle: Handle, err: LibrdKafkaError): void {
    if (isFatal(err)) {
      this.onFatal(handle, err);
      return;
    }
    // A broker going away is reported here and retried by librdkafka; a send fails only when a message times out.
    const fields = { err, kafkaError: rdKafkaCodeName(err.code), librdkafka: true };
    if (err.code === -195) this.log.debug(fields, 'librdkafka: connection error');
    else this.log.warn(fields, `librdkafka: ${err.message}`);
  }

  /** The producer can send nothing more: close it once its sends are settled; the next send makes a new one. */
  private onFatal(handle: Handle, err: unknown): void {
    this.replace(handle, () => this.log.error({ err }, 'the librdkafka producer failed for good (fatal error); a new producer is made on the next send'));
  }

  /** Retires the producer (once, with the reason logged); `connected` then makes a new one. */
  private replace(handle: Handle, logReason: () => void): void {
    if (handle.retired) return;
    logReason();
    this.retire(handle);
  }

  /**
   * Waits (up to CLOSE_FLUSH_MS) for the producer's sends to settle, then closes it; sends still waiting
   * after that fail (their messages may or may not be stored). The wait is on the delivery reports
   * themselves, not on librdkafka's flush: its reports reach JavaScript through the event loop, and can
   * arrive after its disconnect callback.
   */
  private retire(handle: Handle | null): void {
    if (!handle || handle.retired) return;
    handle.retired = true;
    const closed = settledWithin(handle, CLOSE_FLUSH_MS)
      .then(() => new Promise<void>((resolve) => handle.producer.disconnect(CLOSE_FLUSH_MS, () => resolve())))
      .then(() => {
        for (const pending of [...handle.pending]) {
          pending.error ??= new AppwardenError('AW_KAFKA_FAILED', 'the producer was closed before every message was acknowledged', { retriable: true });
          pending.settle();
        }
      });
    this.closing.add(closed);
    void closed.finally(() => this.closing.delete(closed));
  }

  private logLine(line: { severity: number; fac: string; message: string }): void {
    const fields = { librdkafka: line.fac };
    if (line.severity <= 3) this.log.error(fields, line.message);
    else if (line.severity === 4) this.log.warn(fields, line.message);
    else this.log.debug(fields, line.message);
  }
}

function settledWithin(handle: Handle, ms: number): Promise<void> {
  if (handle.pending.size === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      handle.onIdle = undefined;
      resolve();
    }
    handle.onIdle = done;
  });
}

function isFatal(err: unknown): boolean {
  const e = err as Partial<LibrdKafkaError> | null;
  return !!e && (e.isFatal === true || e.code === RD_KAFKA_CODES.FATAL);
}

function toHeaders(headers: Record<string, string>): MessageHeader[] {
  return Object.entries(headers).map(([name, value]) => ({ [name]: value }));
}

export type { RdKafkaProducerSettings };
