import type { ProducerGlobalConfig, ProducerTopicConfig } from '@confluentinc/kafka-javascript';
import { readPem, type KafkaSecurity } from '../kafka-security.js';

/** What the librdkafka producer takes from the bus options. */
export interface RdKafkaProducerSettings {
  brokers: string[];
  clientId: string;
  maxMessageBytes: number;
  /** How long librdkafka waits to fill a batch. */
  lingerMs: number;
  /** Upper bound of one record batch; at most `maxMessageBytes`. */
  batchBytes: number;
  compression: 'none' | 'gzip' | 'lz4' | 'zstd';
  /** A message not acknowledged within this fails its send (a broker outage becomes an error the caller retries). */
  deliveryTimeoutMs: number;
  requestTimeoutMs: number;
  security?: KafkaSecurity;
}

/** The librdkafka configuration of Appwarden's producer: idempotent, acks=all, Java's key partitioning. */
export function rdKafkaProducerConfig(s: RdKafkaProducerSettings): ProducerGlobalConfig & ProducerTopicConfig {
  return {
    'bootstrap.servers': s.brokers.join(','),
    'client.id': s.clientId,
    'enable.idempotence': true,
    acks: -1,
    // murmur2 of the key, as kafkajs's DefaultPartitioner and Java's client (`partitionOfKey`); a null key goes anywhere.
    partitioner: 'murmur2_random',
    'allow.auto.create.topics': false,
    'linger.ms': s.lingerMs,
    'batch.size': Math.min(s.batchBytes, s.maxMessageBytes),
    // The largest message librdkafka accepts, and the bound of a request's record batch: what the brokers take.
    'message.max.bytes': s.maxMessageBytes,
    'compression.type': s.compression,
    'message.timeout.ms': s.deliveryTimeoutMs,
    'request.timeout.ms': Math.min(s.requestTimeoutMs, s.deliveryTimeoutMs),
    // librdkafka's default (10 s, as Java's 1 s) also spaces out its scans for timed-out messages while a broker is
    // down: with it, a send failed 2x its delivery timeout late, and the producer sent again up to 9 s after the broker was back.
    'reconnect.backoff.max.ms': 1000,
    dr_cb: true,
    // The brokers close idle connections (connections.max.idle.ms): not worth a log line.
    'log.connection.close': false,
    ...securityConfig(s.security),
  };
}

/** TLS and SASL as librdkafka spells them; the PEM files are read now, so a bad path fails at start (as with kafkajs). */
function securityConfig(security: KafkaSecurity | undefined): Partial<ProducerGlobalConfig> {
  const ssl = security?.ssl;
  const sasl = security?.sasl;
  const out: Partial<ProducerGlobalConfig> = {
    'security.protocol': ssl ? (sasl ? 'sasl_ssl' : 'ssl') : (sasl ? 'sasl_plaintext' : 'plaintext'),
  };
  if (ssl) {
    // Without a CA file: the system's trust store (`probe` finds it whether OpenSSL is linked statically or not).
    if (ssl.caFile) out['ssl.ca.pem'] = readPem(ssl.caFile, 'kafka.ssl.caFile');
    else out['ssl.ca.location'] = 'probe';
    if (ssl.certFile) out['ssl.certificate.pem'] = readPem(ssl.certFile, 'kafka.ssl.certFile');
    if (ssl.keyFile) out['ssl.key.pem'] = readPem(ssl.keyFile, 'kafka.ssl.keyFile');
    if (ssl.keyPassword) out['ssl.key.password'] = ssl.keyPassword;
    if (ssl.rejectUnauthorized === false) {
      out['enable.ssl.certificate.verification'] = false;
      out['ssl.endpoint.identification.algorithm'] = 'none';
    }
  }
  if (sasl) {
    out['sasl.mechanisms'] = sasl.mechanism.toUpperCase();
    out['sasl.username'] = sasl.username;
    out['sasl.password'] = sasl.password;
  }
  return out;
}
