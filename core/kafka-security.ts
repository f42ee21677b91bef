import { readFileSync } from 'node:fs';
import type { SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { AppwardenError } from './errors.js';

/** How Appwarden's Kafka clients protect their connections: TLS, SASL, both, or neither (loopback only). */
export interface KafkaSecurity {
  ssl?: {
    /** PEM files; without a CA file the system's trust store is used. */
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    keyPassword?: string;
    rejectUnauthorized?: boolean;
  };
  sasl?: {
    mechanism: KafkaSaslMechanism;
    username: string;
    password: string;
  };
}

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** The `ssl` and `sasl` options of a kafkajs client; the PEM files are read now, so a bad path fails at start. */
export function kafkajsSecurity(security: KafkaSecurity | undefined): { ssl?: ConnectionOptions | boolean; sasl?: SASLOptions } {
  if (!security) return {};
  const out: { ssl?: ConnectionOptions | boolean; sasl?: SASLOptions } = {};
  if (security.ssl) {
    const { caFile, certFile, keyFile, keyPassword, rejectUnauthorized } = security.ssl;
    out.ssl = {
      rejectUnauthorized: rejectUnauthorized ?? true,
      ...(caFile ? { ca: [readPem(caFile, 'kafka.ssl.caFile')] } : {}),
      ...(certFile ? { cert: readPem(certFile, 'kafka.ssl.certFile') } : {}),
      ...(keyFile ? { key: readPem(keyFile, 'kafka.ssl.keyFile') } : {}),
      ...(keyPassword ? { passphrase: keyPassword } : {}),
    };
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    // kafkajs types each mechanism separately; the three share this shape.
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}

/** Whether any protection is configured: used to warn about credentials sent in clear. */
export function describeKafkaSecurity(security: KafkaSecurity | undefined): string {
  const parts = [security?.ssl ? 'TLS' : 'plaintext', security?.sasl ? `SASL/${security.sasl.mechanism.toUpperCase()}` : 'no authentication'];
  return parts.join(', ');
}

export function readPem(file: string, setting: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppwardenError('AW_CONFIG_INVALID', `${setting}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The security part of the `kafka` settings, as the bus takes it. */
export function kafkaSecurityFromConfig(kafka: { ssl?: KafkaSecurity['ssl']; sasl?: KafkaSecurity['sasl'] }): KafkaSecurity | undefined {
  if (!kafka.ssl && !kafka.sasl) return undefined;
  return { ...(kafka.ssl ? { ssl: kafka.ssl } : {}), ...(kafka.sasl ? { sasl: kafka.sasl } : {}) };
}
