import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configuredKafkaBrokers } from '../../core/local-kafka.js';

/** A short random suffix for topic prefixes, consumer groups and databases. */
export function freshName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export function freshDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `${prefix}-`));
}

/** The broker `npm test` started (or the one `KAFKA_BROKERS` names). */
export function testBrokers(): string[] {
  const brokers = configuredKafkaBrokers(process.env);
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test`, which starts a local broker');
  return brokers;
}
