import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../core/clickhouse.js';
import type { AppConfig } from '../core/config.js';
import { createKafkaBus, type KafkaBus } from '../core/kafka.js';
import { kafkaSecurityFromConfig, type KafkaSecurity } from '../core/kafka-security.js';
import type { Logger } from '../core/logger.js';
import { startMemoryLog } from '../core/process-memory.js';
import { embeddedClickHouseMemory } from '../core/clickhouse-memory.js';
import { buildApp } from '../api/app.js';
import { builtinPolicyIds, firstKeyNotice, startApiSecurity } from '../api/auth/setup.js';
import { PolicyProposals } from '../api/policy-proposals.js';
import type { KeyStore } from '../api/auth/key-store.js';
import type { SinkStatus } from '../api/routes/sink.js';
import { CONNECTORS, providerDefaults } from '../ingestors/registry.js';
import { Connections } from '../ingestors/runtime/connections.js';
import { ConnectionApplier } from '../ingestors/runtime/connection-applier.js';
import { withConnectionState } from '../ingestors/runtime/connection-status.js';
import { ConnectionStore } from '../ingestors/runtime/connection-store.js';
import { secretsKey } from '../ingestors/runtime/secret-refs.js';
import { ConnectorRuntime } from '../ingestors/runtime/connector-runtime.js';
import { ConnectorOwners } from '../ingestors/runtime/connector-owners.js';
import { CursorStatusSource, listedInstances, type InstanceStatus } from '../ingestors/runtime/instance-status.js';
import { ActionCatalog, createGovernanceExecutor, governanceSigningKey, type GovernanceExecutor } from '../processors/governance/index.js';
import { createPolicyProcessor, policyLimits } from '../processors/policy/from-config.js';
import type { PolicyProcessor } from '../processors/policy/processor.js';
import { PolicyStore } from '../processors/policy/policy-store.js';
import { ClickHouseSink } from '../processors/sink/sink.js';
import { startDemoTenants } from './demo-tenants.js';
import { PROJECT_ROOT } from './main.js';

export interface AppwardenOptions {
  config: AppConfig;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Listen on `config.api` (the CLI) or only build the API (tests use `inject`). */
  listen?: boolean;
  /** The parts this process runs; all by default. Scale out by running more processes of one role. */
  roles?: readonly Role[];
  progressIntervalMs?: number;
  /** With simulated tenants: small ones (a few users and records), for tests. */
  smallDemo?: boolean;
  /** Where the first admin key goes when one is made (default: printed once on stdout). */
  announceKey?: (key: string) => void;
}

export const ROLES = ['connectors', 'sink', 'policy', 'governance', 'api'] as const;
export type Role = (typeof ROLES)[number];

export interface RunningAppwarden {
  config: AppConfig;
  bus: KafkaBus;
  clickhouse: ClickHouse | null;
  runtime: ConnectorRuntime | null;
  /** Each connector instance's one connection in this process, shared by the runtime, the governance executor and the API. */
  connections: Connections;
  sink: ClickHouseSink | null;
  policy: PolicyProcessor | null;
  governance: GovernanceExecutor | null;
  app: FastifyInstance | null;
  /** The API keys (with the API). */
  keys: KeyStore | null;
  /** The API's address when it listens. */
  url: string | null;
  /** With simulated tenants: a user to try the API with. */
  exampleUser: string | null;
  stop(): Promise<void>;
}

/**
 * Runs every part of Appwarden in this process: topics, the ClickHouse sink, the policy processor,
 * the governance executor, the connector instances (simulated tenants when none is configured and
 * `simulate` is on) and the API.
 * In embedded ClickHouse mode the sink and the API must share a process: chdb binds one data
 * folder per process.
 */
export async function startAppwarden(options: AppwardenOptions): Promise<RunningAppwarden> {
  const { log } = options;
  const cleanups: Array<() => Promise<unknown>> = [];
  const warnFailed = (err: unknown) => log.warn({ err }, 'shutdown step failed');
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(warnFailed);
    cleanups.length = 0;
  };
  /** Steps run side by side, at this point of the shutdown's order (each waits out its own consumers' fetches). */
  const stoppedTogether = (): Array<() => Promise<unknown>> => {
    const steps: Array<() => Promise<unknown>> = [];
    cleanups.push(() => Promise.all(steps.map((step) => step().catch(warnFailed))));
    return steps;
  };
  try {
    let config = options.config;
    let exampleUser: string | null = null;
    if (Object.keys(config.connectors).length === 0 && config.simulate) {
      const demo = await startDemoTenants(log, { small: options.smallDemo ?? false });
      cleanups.push(() => demo.close());
      exampleUser = demo.exampleUser;
      config = { ...config, connectors: demo.connectors };
    }

    // One connection per instance in this process; closed after every part that uses it has stopped.
    const connections = new Connections({ connectors: config.connectors, definitions: CONNECTORS, log });
    cleanups.push(async () => connections.close());

    const bus = createKafkaBus({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      prefix: config.kafka.topicPrefix,
      partitions: config.kafka.partitions,
      replicationFactor: config.kafka.replicationFactor,
      maxMessageBytes: config.kafka.maxMessageBytes,
      producerClient: config.kafka.producerClient,
      consumerSessionTimeoutMs: config.kafka.consumerSessionTimeoutMs,
      log,
      ...securityOption(config.kafka),
    });
    cleanups.push(() => bus.disconnect());
    const created = await bus.ensureTopics();
    log.info({ topics: bus.topics, created, producer: bus.producerClient }, 'Kafka topics ready');

    // Connections changed at run time: every process follows them (the API tests credentials, the executor acts).
    const connectionStore = new ConnectionStore({ bus, log });
    await connectionStore.start();
    cleanups.push(() => connectionStore.stop());
    const env = options.env ?? process.env;
    const inlineSecretsKey = secretsKey(env.APPWARDEN_SECRETS_KEY);
    const applier = new ConnectionApplier({
      store: connectionStore, connections, definitions: CONNECTORS, providerDefaults: providerDefaults(), secretsKey: inlineSecretsKey, env, log,
    });
    applier.start();

    const roles = new Set(options.roles ?? ROLES);
    const signingKey = governanceSigningKey(config.governance, log);
    let clickhouse: ClickHouse | null = null;
    if (roles.has('sink') || roles.has('api')) {
      const opened = await openClickHouse({ ...config.clickhouse, log });
      clickhouse = opened;
      cleanups.push(() => opened.close());
    }
    const engine = clickhouse?.kind === 'embedded' ? clickhouse : null;
    const stopMemoryLog = startMemoryLog({ log, everyMs: config.memoryLogEveryMs, ...(engine ? { extra: () => embeddedClickHouseMemory(engine) } : {}) });
    cleanups.push(async () => stopMemoryLog());

    // The roles stop side by side, after the API and before the engine and the bus they share.
    const roleStops = stoppedTogether();

    let sink: ClickHouseSink | null = null;
    if (roles.has('sink') && clickhouse) {
      const cluster = config.clickhouse.cluster ? { cluster: { cluster: config.clickhouse.cluster, database: config.clickhouse.database } } : {};
      const started = new ClickHouseSink({ bus, clickhouse, log, ...config.sink, governanceSigningKey: signingKey, ...cluster });
      await started.start();
      sink = started;
      roleStops.push(() => started.stop());
    }

    let governance: GovernanceExecutor | null = null;
    if (roles.has('governance')) {
      const started = createGovernanceExecutor(config, bus, connections, signingKey, log);
      await started.start();
      governance = started;
      roleStops.push(() => started.stop());
    }

    let policy: PolicyProcessor | null = null;
    if (roles.has('policy')) {
      // Started before the connectors, so that it is in the group when their first events arrive.
      const started = await createPolicyProcessor(config, bus, log, path.join(PROJECT_ROOT, 'policies'), { signingKey });
      await started.start();
      policy = started;
      roleStops.push(() => started.stop());
    }

    let runtime: ConnectorRuntime | null = null;
    let owners: ConnectorOwners | null = null;
    if (roles.has('connectors')) {
      // Every connector worker joins one group; it runs the instances of the partitions it is given.
      const gate = new ConnectorOwners({
        bus, groupId: config.connectorWorkers.groupId ?? `${config.kafka.topicPrefix}.connectors`, takeoverTimeoutMs: config.connectorWorkers.takeoverTimeoutMs, log,
      });
      const started = new ConnectorRuntime({ connections, bus, dataDir: config.dataDir, log, progressIntervalMs: options.progressIntervalMs, gate, worker: gate.label });
      await applier.holdAtStart(started);
      await started.start();
      applier.attach(started);
      runtime = started;
      // The partitions are given up before the instances stop.
      let gateStarted = false;
      roleStops.push(async () => {
        if (gateStarted) await gate.stop();
        await started.stop();
      });
      await gate.start(started);
      gateStarted = true;
      owners = gate;
    }

    let app: FastifyInstance | null = null;
    let keys: KeyStore | null = null;
    let url: string | null = null;
    if (roles.has('api') && clickhouse) {
      let ready = false;
      // Stopped after the API has closed.
      const apiPartStops = stoppedTogether();
      // The policy processor of this process follows the store already; an API on its own follows one of its own.
      let policyStore = policy?.store ?? null;
      if (!policyStore) {
        const own = new PolicyStore({ bus, log, limits: policyLimits(config) });
        await own.start();
        apiPartStops.push(() => own.stop());
        policyStore = own;
      }
      const proposals = new PolicyProposals({ bus, log });
      await proposals.start();
      apiPartStops.push(() => proposals.stop());
      const security = await startApiSecurity(config, bus, log, options.announceKey ?? ((key) => process.stdout.write(firstKeyNotice(key))));
      apiPartStops.push(() => security.stop());
      keys = security.keys;
      const built = await buildApp({
        clickhouse, log, maxPageSize: config.api.maxPageSize, limits: config.api, connectorStatuses: connectorStatuses(runtime, owners, bus, config, log, connectionStore, applier), ready: () => ready,
        bus, governanceActions: new ActionCatalog(connections), policyStore, governanceSigningKey: signingKey,
        security: security.security, policyProposals: proposals,
        connectionAdmin: { store: connectionStore, applier, connections, definitions: CONNECTORS, secretsKey: inlineSecretsKey },
        builtinPolicyIds: config.policies.builtins ? await builtinPolicyIds(PROJECT_ROOT) : [],
        ...(sink ? { sinkStatus: sinkStatusOf(sink, bus, config.sink.groupId) } : {}),
      });
      app = built;
      cleanups.push(() => built.close());
      if (options.listen) url = await built.listen({ host: config.api.host, port: config.api.port });
      else await built.ready();
      ready = true;
    }
    return { config, bus, clickhouse, runtime, connections, sink, policy, governance, app, keys, url, exampleUser, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The connector instances this process runs; without the connectors role, every configured one and
 * every one connected at run time, as the runners record their status in the cursors topic.
 */
function connectorStatuses(
  runtime: ConnectorRuntime | null, owners: ConnectorOwners | null, bus: KafkaBus, config: AppConfig, log: Logger, store: ConnectionStore, applier: ConnectionApplier,
): () => InstanceStatus[] | Promise<InstanceStatus[]> {
  const fromCursors = new CursorStatusSource(bus, () => listedInstances(config.connectors, store.list()), log);
  if (!runtime) return async () => withConnectionState(await fromCursors.statuses(), store, applier);
  return async () => {
    const here = runtime.statuses();
    // Instances of partitions other workers hold: as they last recorded them.
    const elsewhere = runtime.instances().some((i) => owners?.runElsewhere(i.provider, i.instance))
      ? (await fromCursors.statuses()).filter((s) => owners?.runElsewhere(s.provider, s.instance) && !here.some((h) => h.provider === s.provider && h.instance === s.instance))
      : [];
    return withConnectionState([...here, ...elsewhere], store, applier);
  };
}

/** The sink this process runs, with its group's lag (null when Kafka does not answer). */
function sinkStatusOf(sink: ClickHouseSink, bus: KafkaBus, groupId: string): () => Promise<SinkStatus> {
  return async () => {
    const lag = await bus.fetchLag(groupId, sink.topics).then((parts) => parts.reduce((n, p) => n + p.lag, 0), () => null);
    return { source: 'process', stats: sink.getStats(), lag };
  };
}

function securityOption(kafka: AppConfig['kafka']): { security?: KafkaSecurity } {
  const security = kafkaSecurityFromConfig(kafka);
  return security ? { security } : {};
}
