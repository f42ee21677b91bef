import type { FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../core/clickhouse.js';
import { instanceConfig, loadConfig, type AppConfig } from '../core/config.js';
import { createKafkaBus, type KafkaBus } from '../core/kafka.js';
import { ensureLocalKafka, localKafkaOptionsFromEnv, type KafkaBrokers } from '../core/local-kafka.js';
import { createLogger, type Logger } from '../core/logger.js';
import { buildApp } from '../api/app.js';
import { OktaConfigSchema } from '../ingestors/okta/config.js';
import { CONNECTORS, providerSchemas } from '../ingestors/registry.js';
import { ConnectorRuntime } from '../ingestors/runtime/connector-runtime.js';
import { ClickHouseSink } from '../processors/sink/sink.js';
import { startOktaSimulator, type OktaSimulator } from '../simulators/okta/simulator.js';
import { PROJECT_ROOT } from './main.js';

export interface AppwardenOptions {
  config: AppConfig;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Listen on `config.api` (the CLI) or only build the API (tests use `inject`). */
  listen?: boolean;
  progressIntervalMs?: number;
}

export interface RunningAppwarden {
  config: AppConfig;
  bus: KafkaBus;
  clickhouse: ClickHouse;
  runtime: ConnectorRuntime;
  sink: ClickHouseSink;
  app: FastifyInstance;
  /** The API's address when it listens. */
  url: string | null;
  simulators: OktaSimulator[];
  stop(): Promise<void>;
}

/**
 * Runs every part of Appwarden in this process: topics, the ClickHouse sink, the connector
 * instances (simulated tenants when none is configured and `simulate` is on) and the API.
 * In embedded ClickHouse mode the sink and the API must share a process: chdb binds one data
 * folder per process.
 */
export async function startAppwarden(options: AppwardenOptions): Promise<RunningAppwarden> {
  const { log } = options;
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => log.warn({ err }, 'shutdown step failed'));
    cleanups.length = 0;
  };
  try {
    let config = options.config;
    const simulators: OktaSimulator[] = [];
    if (Object.keys(config.connectors).length === 0 && config.simulate) {
      const simulator = await startOktaSimulator({ log, seed: 'appwarden-demo' });
      cleanups.push(() => simulator.close());
      simulators.push(simulator);
      config = {
        ...config,
        connectors: { okta: { demo: instanceConfig(OktaConfigSchema, { orgUrl: simulator.url, token: simulator.token }) } },
      };
      log.info({ url: simulator.url, users: simulator.state.users.length, events: simulator.state.events.length },
        'no connector configured: running a simulated Okta tenant as okta.demo');
    }

    const bus = createKafkaBus({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      prefix: config.kafka.topicPrefix,
      partitions: config.kafka.partitions,
      replicationFactor: config.kafka.replicationFactor,
      log,
    });
    cleanups.push(() => bus.disconnect());
    const created = await bus.ensureTopics();
    log.info({ topics: bus.topics, created }, 'Kafka topics ready');

    const clickhouse = await openClickHouse({ ...config.clickhouse, log });
    cleanups.push(() => clickhouse.close());

    const sink = new ClickHouseSink({ bus, clickhouse, log, ...config.sink });
    await sink.start();
    cleanups.push(() => sink.stop());

    const runtime = new ConnectorRuntime({
      connectors: config.connectors, definitions: CONNECTORS, bus, log, progressIntervalMs: options.progressIntervalMs,
    });
    await runtime.start();
    cleanups.push(() => runtime.stop());

    let ready = false;
    const app = await buildApp({
      clickhouse, log, maxPageSize: config.api.maxPageSize, connectorStatuses: () => runtime.statuses(), ready: () => ready,
    });
    cleanups.push(() => app.close());
    let url: string | null = null;
    if (options.listen) url = await app.listen({ host: config.api.host, port: config.api.port });
    else await app.ready();
    ready = true;
    return { config, bus, clickhouse, runtime, sink, app, url, simulators, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `appwarden start`: starts the local broker when no `KAFKA_BROKERS` is set, runs everything, stops on SIGINT/SIGTERM. */
export async function runStart(env: NodeJS.ProcessEnv): Promise<number> {
  const log = createLogger({ pretty: env.LOG_FORMAT ? env.LOG_FORMAT === 'pretty' : process.stdout.isTTY });
  const config = loadConfig({ env, providerSchemas: providerSchemas() });
  let kafka: KafkaBrokers = { brokers: config.kafka.brokers, startedHere: false, stop: async () => undefined };
  if (config.kafka.brokers.length === 0) {
    kafka = await ensureLocalKafka(localKafkaOptionsFromEnv(env, PROJECT_ROOT, log));
  }
  const running = await startAppwarden({
    config: { ...config, kafka: { ...config.kafka, brokers: kafka.brokers } }, log, env, listen: true,
  }).catch(async (err) => {
    await kafka.stop();
    throw err;
  });
  const demoUser = running.simulators[0]?.state.users[0]?.profile.login;
  log.info({ url: running.url, clickhouse: running.clickhouse.kind, kafka: kafka.brokers }, `Appwarden API listening on ${running.url}`);
  log.info(`try: curl '${running.url}/v1/activities?provider=okta${demoUser ? `&user=${demoUser}` : ''}' and ${running.url}/v1/connectors`);

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
  await running.stop();
  await kafka.stop();
  log.info('stopped');
  return 0;
}
