/**
 * What librdkafka's error codes mean to Appwarden's callers: whether trying again may help. librdkafka
 * reports a delivery failure as a bare code, without kafkajs's `retriable` flag, so the classes are
 * spelled out here from the codes' meaning (the Kafka protocol's and librdkafka's local ones).
 */

/** Failures that the same messages, configuration or credentials meet again: not retriable. */
const PERMANENT = new Map<number, string>([
  [-186, 'ERR__INVALID_ARG'],
  [-178, 'ERR__BAD_COMPRESSION'],
  [-177, 'ERR__BAD_MSG'],
  [-174, 'ERR__NOT_IMPLEMENTED'],
  [-169, 'ERR__AUTHENTICATION'],
  [-165, 'ERR__UNSUPPORTED_FEATURE'],
  [-181, 'ERR__SSL'],
  [2, 'CORRUPT_MESSAGE'],
  [10, 'MSG_SIZE_TOO_LARGE'],
  [17, 'INVALID_TOPIC_EXCEPTION'],
  [18, 'RECORD_LIST_TOO_LARGE'],
  [21, 'INVALID_REQUIRED_ACKS'],
  [29, 'TOPIC_AUTHORIZATION_FAILED'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED'],
  [32, 'INVALID_TIMESTAMP'],
  [35, 'UNSUPPORTED_VERSION'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT'],
  [44, 'POLICY_VIOLATION'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'],
  [58, 'SASL_AUTHENTICATION_FAILED'],
  [87, 'INVALID_RECORD'],
]);

/** Names of the codes a producer meets when a broker, a leader or the connection is away for a while. */
const PASSING = new Map<number, string>([
  [-197, 'ERR__DESTROY'],
  [-195, 'ERR__TRANSPORT'],
  [-192, 'ERR__MSG_TIMED_OUT'],
  [-190, 'ERR__UNKNOWN_PARTITION'],
  [-188, 'ERR__UNKNOWN_TOPIC'],
  [-187, 'ERR__ALL_BROKERS_DOWN'],
  [-185, 'ERR__TIMED_OUT'],
  [-184, 'ERR__QUEUE_FULL'],
  [-172, 'ERR__STATE'],
  [-166, 'ERR__TIMED_OUT_QUEUE'],
  [-152, 'ERR__PURGE_QUEUE'],
  [-151, 'ERR__PURGE_INFLIGHT'],
  [-150, 'ERR__FATAL'],
  [-149, 'ERR__INCONSISTENT'],
  [-148, 'ERR__GAPLESS_GUARANTEE'],
  [3, 'UNKNOWN_TOPIC_OR_PART'],
  [5, 'LEADER_NOT_AVAILABLE'],
  [6, 'NOT_LEADER_FOR_PARTITION'],
  [7, 'REQUEST_TIMED_OUT'],
  [8, 'BROKER_NOT_AVAILABLE'],
  [13, 'NETWORK_EXCEPTION'],
  [19, 'NOT_ENOUGH_REPLICAS'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
  [47, 'INVALID_PRODUCER_EPOCH'],
  [56, 'KAFKA_STORAGE_ERROR'],
  [59, 'UNKNOWN_PRODUCER_ID'],
  [90, 'PRODUCER_FENCED'],
]);

/** The shape of librdkafka's errors as `@confluentinc/kafka-javascript` raises them (`LibrdKafkaError`). */
export interface RdKafkaErrorShape {
  message: string;
  code: number;
  origin: 'local' | 'kafka' | string;
  isFatal?: boolean;
}

export function isRdKafkaError(err: unknown): err is RdKafkaErrorShape {
  const e = err as Partial<RdKafkaErrorShape> | null;
  return typeof e === 'object' && e !== null && typeof e.code === 'number' && typeof e.message === 'string'
    && typeof e.origin === 'string' && (e as { errno?: unknown }).errno === e.code;
}

/**
 * Whether trying again may help. A fatal error is: the producer is made again on the next send. A code
 * in neither list (a protocol error this client does not expect from a producer) is not.
 */
export function rdKafkaRetriable(code: number): boolean {
  return PASSING.has(code);
}

/** The code's name (`ERR__MSG_TIMED_OUT`, `MSG_SIZE_TOO_LARGE`), or its number. */
export function rdKafkaCodeName(code: number): string {
  return PASSING.get(code) ?? PERMANENT.get(code) ?? `librdkafka error ${code}`;
}

export const RD_KAFKA_CODES = {
  QUEUE_FULL: -184,
  FATAL: -150,
  MSG_TIMED_OUT: -192,
} as const;
