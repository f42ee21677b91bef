import { loadConfig } from '../core/config.js';
import { AppwardenError } from '../core/errors.js';
import { describeKafkaSecurity, kafkaSecurityFromConfig } from '../core/kafka-security.js';
import { ensureLocalKafka, localKafkaOptionsFromEnv, type KafkaBrokers } from '../core/local-kafka.js';
import { createLogger } from '../core/logger.js';
import { connectorSecretKeys, providerDefaults, providerSchemas } from '../ingestors/registry.js';
import { PROJECT_ROOT } from './main.js';
import { ROLES, startAppwarden, type Role } from './start.js';

/** `appwarden start`: starts the local broker when no `KAFKA_BROKERS` is set, runs everything, stops on SIGINT/SIGTERM. */
export async function runStart(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const roles = parseRoles(args);
  const log = createLogger({ pretty: env.LOG_FORMAT ? env.LOG_FORMAT === 'pretty' : process.stdout.isTTY, secretKeys: connectorSecretKeys() });
  const warnings: string[] = [];
  const config = loadConfig({ env, providerSchemas: providerSchemas(), providerDefaults: providerDefaults(), warnings });
  for (const warning of warnings) log.warn(warning);
  let kafka: KafkaBrokers = { brokers: config.kafka.brokers, startedHere: false, stop: async () => undefined };
  if (config.kafka.brokers.length === 0) {
    kafka = await ensureLocalKafka(localKafkaOptionsFromEnv(env, PROJECT_ROOT, log));
  }
  const kafkaConfig = { ...config.kafka, brokers: kafka.brokers, ...(kafka.security?.sasl ? { sasl: kafka.security.sasl } : {}) };
  log.info({ brokers: kafkaConfig.brokers, security: describeKafkaSecurity(kafkaSecurityFromConfig(kafkaConfig)) }, 'Kafka connection');
  const running = await startAppwarden({
    config: { ...config, kafka: kafkaConfig }, log, env, listen: true, roles,
  }).catch(async (err) => {
    await kafka.stop();
    throw err;
  });
  const demoUser = running.exampleUser;
  log.info({ roles, kafka: kafka.brokers, clickhouse: running.clickhouse?.kind ?? null }, 'Appwarden running');
  if (running.url) {
    log.info({ url: running.url }, `Appwarden API listening on ${running.url}`);
    log.info(`try: curl -H "Authorization: Bearer $APPWARDEN_KEY" '${running.url}/v1/activities?provider=okta${demoUser ? `&user=${demoUser}` : ''}' and ${running.url}/v1/connectors`);
  }

  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'stopping');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const stopping = performance.now();
  await running.stop();
  await kafka.stop();
  log.info({ ms: Math.round(performance.now() - stopping) }, 'stopped');
  return 0;
}

/** `--roles connectors,sink,policy,governance,api` (default all). */
function parseRoles(args: string[]): Role[] {
  const at = args.indexOf('--roles');
  if (at === -1) return [...ROLES];
  const roles = (args[at + 1] ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) {
    throw new AppwardenError('AW_CONFIG_INVALID', `--roles takes a comma-separated list of ${ROLES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  return roles as Role[];
}
