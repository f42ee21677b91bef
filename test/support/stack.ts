import { randomBytes } from 'node:crypto';
import { loadConfig, type AppConfig, type InstanceConfig } from '../../core/config.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { connectorSecretKeys, providerDefaults, providerSchemas } from '../../ingestors/registry.js';
import { pino } from 'pino';
import { freshDir, freshName, testBrokers } from './fresh.js';
import { configSecrets } from './config-secrets.js';
import { outputFile, registerTestSecrets } from './test-output.js';

/** The admin key of every test configuration (`api.adminKey`): send it as `Authorization: Bearer`. */
export const TEST_ADMIN_KEY = `test-admin-${randomBytes(24).toString('hex')}`;
/** `authorization` header with the test admin key. */
export const ADMIN_HEADERS = { authorization: `Bearer ${TEST_ADMIN_KEY}` } as const;

// chdb serves one data folder per process: every test of a file shares it, each with its own database.
let processDataDir: string | undefined;
export function testDataDir(): string {
  processDataDir ??= freshDir('appwarden-chdb');
  return processDataDir;
}

/**
 * The tests' logger: silent on the terminal unless TEST_LOG_LEVEL says otherwise, and, under `npm test`,
 * every line from debug up also in the test output, where the secret scan reads it.
 */
export const testLog: Logger = testLogger();

function testLogger(): Logger {
  const file = outputFile('log');
  const terminal = process.env.TEST_LOG_LEVEL ?? 'silent';
  if (!file) return createLogger({ level: terminal, secretKeys: connectorSecretKeys() });
  const streams: pino.StreamEntry[] = [{ level: 'debug', stream: pino.destination({ dest: file, sync: true }) }];
  if (terminal !== 'silent') streams.push({ level: terminal as pino.Level, stream: process.stdout });
  const lowest = streams.map((s) => s.level as pino.Level).sort((a, b) => pino.levels.values[a]! - pino.levels.values[b]!)[0]!;
  return createLogger({ level: lowest, destination: pino.multistream(streams) as unknown as NodeJS.WritableStream, secretKeys: connectorSecretKeys() });
}

/** Short timings so a test sees a poll every few hundred milliseconds. */
export const FAST_INSTANCE = {
  schedule: { activitiesEveryMs: 300, accountsEveryMs: 3_600_000, filesEveryMs: 3_600_000, changesEveryMs: 300, permissionsRecheckMs: 5000, unavailableRecheckMs: 3_600_000 },
  activities: { initialLookbackMs: 3 * 86_400_000, trailingWindowMs: 10 * 60_000, maxWindowMs: 86_400_000, settleMs: 0 },
  limits: { concurrency: 4, maxThrottleWaitMs: 60_000, timeoutMs: 10_000, maxAttempts: 4, retryBaseDelayMs: 50, retryMaxDelayMs: 500 },
};

/** A configuration with fresh topics, group and database, for connectors given as provider → instance → settings. */
export function testConfig(connectors: Record<string, Record<string, Partial<InstanceConfig> & Record<string, unknown>>>): AppConfig {
  const config = loadConfig({
    env: {},
    providerSchemas: providerSchemas(), providerDefaults: providerDefaults(),
    overrides: {
      kafka: { brokers: testBrokers(), topicPrefix: freshName('aw'), partitions: 3, replicationFactor: 1 },
      clickhouse: { database: freshName('aw'), dataDir: testDataDir() },
      sink: { groupId: freshName('sink'), maxBatchRows: 5000, flushIntervalMs: 200 },
      api: { port: 0, adminKey: TEST_ADMIN_KEY },
      dataDir: freshDir('appwarden-data'),
      // Tests name the key rather than generate the key file in the checkout.
      governance: { signingKey: randomBytes(32).toString('base64url') },
      simulate: false,
      connectors,
    },
  });
  registerTestSecrets(configSecrets(config));
  return config;
}
