import { logLevel, type logCreator } from 'kafkajs';
import { AppwardenError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isRdKafkaError, rdKafkaCodeName, rdKafkaRetriable } from './rdkafka-errors.js';

/**
 * Retries an admin call that failed for a reason that passes (a partition whose leader is still
 * settling answers NOT_LEADER_OR_FOLLOWER, which kafkajs's admin does not retry), with backoff.
 */
export async function retryRetriable<T>(call: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || !kafkaError('retry', err).retriable) throw err;
      const backoff = Math.min(2000, 100 * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * (backoff / 2)));
    }
  }
}

interface KafkaJsErrorShape {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
  errors?: KafkaJsErrorShape[];
}

/**
 * Wraps a kafkajs or librdkafka error. Retriable follows what the client knows about the underlying
 * failure (a connection error, a delivery timed out or a leader moving is, a too-large message is
 * not; `rdkafka-errors.ts` for librdkafka's codes); errors from outside the clients are not.
 */
export function kafkaError(operation: string, err: unknown, details: Record<string, unknown> = {}): AppwardenError {
  if (err instanceof AppwardenError) return err;
  if (isRdKafkaError(err)) {
    return new AppwardenError('AW_KAFKA_FAILED', `${operation}: ${err.message}`, {
      cause: err,
      // A fatal error (the idempotent producer fenced) is retriable: the producer is made again on the next send.
      retriable: err.isFatal === true || rdKafkaRetriable(err.code),
      details: { operation, ...details, kafkaError: rdKafkaCodeName(err.code) },
    });
  }
  let root = (err ?? {}) as KafkaJsErrorShape;
  // kafkajs gives up with KafkaJSNumberOfRetriesExceeded, never retriable itself, around the real failure.
  for (let i = 0; i < 5 && root.name === 'KafkaJSNumberOfRetriesExceeded' && root.cause; i++) {
    root = root.cause as KafkaJsErrorShape;
  }
  const retriable =
    root.name === 'KafkaJSAggregateError'
      ? (root.errors ?? []).every((e) => e.retriable === true)
      : root.retriable === true;
  const kafkaTypes = root.type ? [root.type] : (root.errors ?? []).flatMap((e) => (e.type ? [e.type] : []));
  return new AppwardenError('AW_KAFKA_FAILED', `${operation}: ${root.message ?? String(err)}`, {
    cause: err,
    retriable,
    details: { operation, ...details, ...(kafkaTypes.length > 0 ? { kafkaError: kafkaTypes.join(',') } : {}) },
  });
}

/** Routes kafkajs's own log lines into pino. */
export function kafkaLogCreator(log: Logger): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, ...extra } = entry;
      const fields = { kafkajs: namespace, ...extra };
      // kafkajs logs every error response at ERROR in its Connection namespace, including the ones it
      // retries (coordinator loading, leader moving); the caller sees real failures as exceptions.
      if (namespace === 'Connection') log.debug(fields, message);
      else if (level === logLevel.ERROR) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else log.debug(fields, message);
    };
}
