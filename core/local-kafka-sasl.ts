import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppwardenError } from './errors.js';
import type { KafkaSecurity } from './kafka-security.js';
import { writePrivateFile } from './private-files.js';

type Sasl = NonNullable<KafkaSecurity['sasl']>;

const USERNAME = 'appwarden';

/**
 * The SASL credentials of a local broker's data folder. A folder formatted with SASL keeps requiring
 * it (the credentials live in its metadata log), so an existing credentials file wins over `wanted`;
 * asking for SASL on a folder formatted without it is refused, since its metadata has no user.
 */
export async function localSecurity(
  paths: { credentialsFile: string; logDirs: string },
  wanted: boolean,
): Promise<KafkaSecurity | undefined> {
  if (existsSync(paths.credentialsFile)) {
    const stored = JSON.parse(await readFile(paths.credentialsFile, 'utf8')) as Partial<Sasl>;
    if (typeof stored.username !== 'string' || typeof stored.password !== 'string') {
      throw new AppwardenError('AW_LOCAL_STACK_FAILED', `local Kafka: ${paths.credentialsFile} is damaged; remove the data folder to start afresh`);
    }
    return { sasl: { mechanism: 'scram-sha-256', username: stored.username, password: stored.password } };
  }
  if (!wanted) return undefined;
  if (existsSync(join(paths.logDirs, 'meta.properties'))) {
    throw new AppwardenError('AW_LOCAL_STACK_FAILED',
      'local Kafka: this data folder was formatted without SASL; use another APPWARDEN_DATA_DIR for a broker with SASL/SCRAM');
  }
  const sasl: Sasl = { mechanism: 'scram-sha-256', username: USERNAME, password: randomBytes(24).toString('base64url') };
  await writePrivateFile(paths.credentialsFile, `${JSON.stringify({ username: sasl.username, password: sasl.password })}\n`);
  return { sasl };
}

/** server.properties lines of a broker whose client listener (also the inter-broker one) requires SCRAM-SHA-256. */
export function scramBrokerProperties(sasl: Sasl): string[] {
  return [
    'sasl.enabled.mechanisms=SCRAM-SHA-256',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256',
    `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${sasl.username}" password="${sasl.password}";`,
  ];
}

/** StorageTool's `--add-scram` value that puts the user in the metadata log when the storage is formatted. */
export function scramCredentialArgument(sasl: Sasl): string {
  return `SCRAM-SHA-256=[name=${sasl.username},password=${sasl.password}]`;
}
