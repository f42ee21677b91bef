import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Type, { type Static, type TSchema } from 'typebox';
import Value from 'typebox/value';
import YAML from 'yaml';
import { AppwardenError } from './errors.js';
import { httpsUrl } from './https-url.js';
import { KAFKA_SASL_MECHANISMS } from './kafka-security.js';
import { PRODUCER_CLIENTS } from './kafka/types.js';

/**
 * Settings every connector instance has, whatever its provider. A provider's own settings (URL,
 * credentials) come from its definition's `configSchema` and sit beside these in the same object.
 */
export const InstanceSettingsSchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  schedule: Type.Object({
    activitiesEveryMs: Type.Integer({ minimum: 100, default: 60_000, description: 'pause between activity polls' }),
    accountsEveryMs: Type.Integer({ minimum: 100, default: 12 * 3_600_000, description: 'period of the account scan' }),
    filesEveryMs: Type.Integer({ minimum: 100, default: 12 * 3_600_000, description: 'period of the file scan' }),
    changesEveryMs: Type.Integer({ minimum: 100, default: 30_000, description: 'pause between reads of a change feed' }),
    permissionsRecheckMs: Type.Integer({ minimum: 100, default: 15 * 60_000, description: 'how often the credentials are checked again, so that a granted permission resumes its streams' }),
    unavailableRecheckMs: Type.Integer({ minimum: 100, default: 6 * 3_600_000, description: 'how often a stream the tenant lacks (no license for the product) is tried again' }),
  }, { default: {}, additionalProperties: false }),
  activities: Type.Object({
    initialLookbackMs: Type.Integer({ minimum: 0, default: 7 * 86_400_000, description: 'history read on the first poll' }),
    trailingWindowMs: Type.Integer({ minimum: 0, default: 15 * 60_000, description: 're-read before the cursor on every poll, for late events' }),
    maxWindowMs: Type.Integer({ minimum: 1000, default: 86_400_000, description: 'largest time range one bounded query covers' }),
    settleMs: Type.Integer({ minimum: 0, default: 0, description: 'newest part of the timeline left for the next poll' }),
    latenessMs: Type.Optional(Type.Integer({ minimum: 0, description: 'how late the provider documents it may make an event visible; when over trailingWindowMs, a slower sweep re-reads this far back every lateSweepEveryMs (default 0: none)' })),
    lateSweepEveryMs: Type.Optional(Type.Integer({ minimum: 1000, description: 'pause between two sweeps of the lateness window (default 15 minutes)' })),
  }, { default: {}, additionalProperties: false }),
  limits: Type.Object({
    concurrency: Type.Integer({ minimum: 1, default: 4 }),
    requestsPerMinute: Type.Optional(Type.Integer({ minimum: 1 })),
    maxThrottleWaitMs: Type.Integer({ minimum: 0, default: 15 * 60_000 }),
    timeoutMs: Type.Integer({ minimum: 100, default: 30_000 }),
    maxAttempts: Type.Integer({ minimum: 1, default: 6 }),
    retryBaseDelayMs: Type.Integer({ minimum: 0, default: 500 }),
    retryMaxDelayMs: Type.Integer({ minimum: 0, default: 30_000 }),
  }, { default: {}, additionalProperties: false }),
});
export type InstanceSettings = Static<typeof InstanceSettingsSchema>;

/** The API's address and the limits every request and query is held to. */
export const ApiConfigSchema = Type.Object({
  host: Type.String({ default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  maxPageSize: Type.Integer({ minimum: 1, default: 1000, description: 'the largest `limit` of a list request' }),
  maxQueryRangeDays: Type.Integer({ minimum: 1, default: 400, description: 'the longest time range (`from` to `to`) of one query' }),
  queryTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 30, description: 'ClickHouse `max_execution_time` of every API query' }),
  exportTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 3600, description: 'ClickHouse `max_execution_time` of a streamed export (`format=ndjson|csv`), which runs as long as the client reads' }),
  queryMaxMemoryBytes: Type.Integer({ minimum: 1_000_000, default: 2_000_000_000, description: 'ClickHouse `max_memory_usage` of every API query' }),
  bodyLimitBytes: Type.Integer({ minimum: 1024, default: 262_144, description: 'the largest request body' }),
  policyBodyLimitBytes: Type.Integer({ minimum: 1024, default: 1_048_576, description: 'the largest body of the routes that take policies' }),
  rateLimit: Type.Object({
    requestsPerMinute: Type.Integer({ minimum: 0, default: 1200, description: 'requests per minute per caller (API key, else address); 0: no limit' }),
    burst: Type.Integer({ minimum: 1, default: 600, description: 'requests a caller may send at once before the rate applies' }),
  }, { default: {}, additionalProperties: false }),
  backtest: Type.Object({
    maxRangeDays: Type.Integer({ minimum: 1, default: 92, description: 'the longest time range of one backtest' }),
    concurrency: Type.Integer({ minimum: 1, default: 2, description: 'backtests running at once in this process; more are answered 429' }),
  }, { default: {}, additionalProperties: false }),
  authentication: Type.Boolean({ default: true, description: 'require a key or token on every route but /healthz, /readyz and /docs; false only on a loopback address' }),
  adminKey: Type.Optional(Type.String({ minLength: 32, secret: true, description: 'the first admin key (APPWARDEN_ADMIN_KEY); unset: one is generated at first start and printed once' })),
  allowedHosts: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Host header names accepted besides localhost, 127.0.0.1, ::1 and the bind address' }),
  corsOrigins: Type.Array(Type.String({ pattern: '^https?://[^/\\s]+$' }), { default: [], description: 'origins allowed cross-origin (CORS); empty: none' }),
  rawAccessRoles: Type.Array(Type.Enum(['analyst', 'policy-author', 'responder', 'admin']), { default: ['admin'], description: 'roles that may ask for include_raw (besides keys with the raw permission)' }),
  oidc: Type.Optional(Type.Object({
    jwksUrl: Type.String({ pattern: '^https?://\\S+$', description: "the identity provider's JWKS URL" }),
    issuer: Type.String({ minLength: 1 }),
    audience: Type.String({ minLength: 1 }),
    roleClaim: Type.String({ minLength: 1, default: 'appwarden_role', description: 'the claim holding the role (a string or a list)' }),
    roles: Type.Record(Type.String(), Type.Enum(['analyst', 'policy-author', 'responder', 'admin']), { default: {}, description: 'claim value → role; empty: the claim holds role names' }),
    rawClaimValue: Type.Optional(Type.String({ minLength: 1, description: 'a value of the role claim that also grants include_raw' })),
    cacheMs: Type.Integer({ minimum: 0, default: 600_000, description: 'how long the JWKS is kept' }),
  }, { additionalProperties: false })),
}, { default: {}, additionalProperties: false });

export type ApiConfig = Static<typeof ApiConfigSchema>;

export const ConfigSchema = Type.Object({
  kafka: Type.Object({
    brokers: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'empty: start a local broker' }),
    clientId: Type.String({ default: 'appwarden' }),
    topicPrefix: Type.String({ pattern: '^[A-Za-z0-9._-]+$', default: 'appwarden' }),
    partitions: Type.Integer({ minimum: 1, default: 6 }),
    replicationFactor: Type.Integer({ minimum: 1, default: 1 }),
    maxMessageBytes: Type.Integer({ minimum: 65_536, default: 1_000_000, description: "largest message published, at most the brokers' message.max.bytes (1 MB by default); a larger event is dead-lettered" }),
    producerClient: Type.Enum(PRODUCER_CLIENTS, { default: 'auto', description: 'the client that publishes: rdkafka (librdkafka, @confluentinc/kafka-javascript), kafkajs, or auto (rdkafka when it loads, else kafkajs with a warning)' }),
    ssl: Type.Optional(Type.Object({
      caFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of the CA that signed the brokers; default: the system trust store' })),
      certFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM client certificate (mutual TLS)' })),
      keyFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key of the client certificate' })),
      keyPassword: Type.Optional(Type.String({ minLength: 1, secret: true })),
      rejectUnauthorized: Type.Boolean({ default: true, description: 'refuse brokers whose certificate does not verify' }),
    }, { additionalProperties: false, description: 'connect to the brokers over TLS' })),
    sasl: Type.Optional(Type.Object({
      mechanism: Type.Enum(KAFKA_SASL_MECHANISMS, { description: 'plain, scram-sha-256 or scram-sha-512' }),
      username: Type.String({ minLength: 1 }),
      password: Type.String({ minLength: 1, secret: true }),
    }, { additionalProperties: false, description: 'authenticate to the brokers with SASL' })),
  }, { default: {}, additionalProperties: false }),
  clickhouse: Type.Object({
    url: Type.Optional(Type.String({ minLength: 1, description: 'a ClickHouse server; unset: embedded chdb' })),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String({ secret: true })),
    database: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', default: 'appwarden' }),
    dataDir: Type.String({ default: '.data/clickhouse' }),
    cluster: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$', description: 'a cluster name of the server\'s remote_servers (letters, digits, _ . -): tables are made replicated ON CLUSTER, read through Distributed tables' })),
    tls: Type.Optional(Type.Object({
      caFile: Type.String({ minLength: 1, description: 'PEM file of the CA that signed the server (an https url)' }),
      certFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM client certificate (mutual TLS)' })),
      keyFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key of the client certificate' })),
    }, { additionalProperties: false })),
  }, { default: {}, additionalProperties: false }),
  api: ApiConfigSchema,
  sink: Type.Object({
    groupId: Type.String({ default: 'appwarden-sink' }),
    maxBatchRows: Type.Integer({ minimum: 1, default: 50_000 }),
    flushIntervalMs: Type.Integer({ minimum: 10, default: 1000 }),
  }, { default: {}, additionalProperties: false }),
  governance: Type.Object({
    groupId: Type.Optional(Type.String({ minLength: 1, description: 'consumer group of the executors; default `<topicPrefix>.governance`' })),
    dryRun: Type.Boolean({ default: false, description: 'the kill switch: record every command (new, approved, retried or resumed) as dry_run and act on nothing' }),
    signingKey: Type.Optional(Type.String({ minLength: 32, secret: true, description: 'HMAC-SHA256 key that signs governance commands (policy processor, API) and that the executor checks; unset: read from signingKeyFile, generated there at first start' })),
    signingKeyFile: Type.String({ minLength: 1, default: '.data/governance-signing.key', description: 'where the generated signing key is kept (mode 0600); processes on other machines need signingKey set instead' }),
    maxEventAgeMs: Type.Integer({ minimum: 0, default: 3_600_000, description: 'a policy command about an event older than this (wall clock) is recorded as skipped and never carried out; its alert is raised' }),
    limits: Type.Object({
      actionsPerHour: Type.Integer({ minimum: 0, default: 50, description: 'hard ceiling: actions carried out per connector instance and action in any hour of wall-clock time, whoever asked' }),
      perAction: Type.Record(Type.String({ pattern: '^[a-z_]+$' }), Type.Integer({ minimum: 0 }), { default: {}, description: 'a ceiling per action replacing actionsPerHour for it, e.g. `suspend_user: 10`' }),
      policyTargetsPerHour: Type.Integer({ minimum: 1, default: 50, description: "hard ceiling of a policy's safety.max_targets_per_hour (a policy asking more gets this)" }),
    }, { default: {}, additionalProperties: false }),
    protectedAccounts: Type.Array(Type.String({ minLength: 1 }), {
      default: [], description: 'accounts never acted on automatically, and only by an admin by hand: ids, emails or patterns where `*` matches any run of characters (`*@corp.example`)',
    }),
    protectPrivileged: Type.Boolean({ default: true, description: 'also protect every account the account scans show with an admin privilege, and the connectors\' own service identities' }),
    retry: Type.Object({
      maxAttempts: Type.Integer({ minimum: 1, default: 5, description: 'attempts of an action that fails for a reason that passes' }),
      baseDelayMs: Type.Integer({ minimum: 0, default: 1000 }),
      maxDelayMs: Type.Integer({ minimum: 0, default: 60_000 }),
    }, { default: {}, additionalProperties: false }),
    verify: Type.Object({
      attempts: Type.Integer({ minimum: 1, default: 5, description: 're-reads of the target before an action counts as not taken effect' }),
      delayMs: Type.Integer({ minimum: 0, default: 2000 }),
    }, { default: {}, additionalProperties: false }),
    notify: Type.Object({
      defaultTo: Type.Optional(Type.String({ pattern: '^[^\\s@]+@[^\\s@]+$', description: 'an email address, for notify commands that name none' })),
      allowedRecipients: Type.Array(Type.String({ minLength: 1 }), {
        default: [], description: 'who notify may write to: email addresses, domains (`corp.example`, every address there) and webhook URLs; defaultTo and the configured webhook are always allowed',
      }),
      maxPerRecipientPerHour: Type.Integer({ minimum: 1, default: 20, description: 'notifications per recipient in any hour; more are refused' }),
      webhook: Type.Optional(Type.Object({
        url: httpsUrl('https://hooks.example.com/appwarden', { what: 'the URL that receives a JSON POST per notification' }),
        token: Type.Optional(Type.String({ minLength: 1, secret: true, description: 'sent as `Authorization: Bearer <token>`' })),
        timeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
      }, { additionalProperties: false })),
      smtp: Type.Optional(Type.Object({
        host: Type.String({ minLength: 1 }),
        port: Type.Integer({ minimum: 1, maximum: 65535, default: 25 }),
        from: Type.String({ pattern: '^[^\\s@<>]+@[^\\s@<>]+$', description: 'the envelope and From address' }),
        heloName: Type.String({ minLength: 1, default: 'localhost', description: 'the name this client gives in EHLO' }),
        timeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
      }, { additionalProperties: false })),
    }, { default: {}, additionalProperties: false }),
  }, { default: {}, additionalProperties: false }),
  policies: Type.Object({
    builtins: Type.Boolean({ default: true, description: 'load the built-in detections of the `policies/` folder' }),
    folders: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'more policy folders or files, loaded at start after the built-ins' }),
    groupId: Type.Optional(Type.String({ minLength: 1, description: 'consumer group of the policy processors; default `<topicPrefix>.policy`' })),
    lateArrivalMs: Type.Integer({ minimum: 0, default: 3_600_000, description: 'how far behind the newest record of a partition a record may arrive and still count in its window' }),
    maxPolicies: Type.Integer({ minimum: 1, default: 1000, description: 'policies the store holds at most; a deploy of one more is refused' }),
    maxVersions: Type.Integer({ minimum: 1, default: 50, description: 'versions kept per policy; older ones are dropped' }),
    maxDocumentBytes: Type.Integer({ minimum: 1024, default: 262_144, description: 'largest policy document (YAML or JSON)' }),
    evaluationBudgetMs: Type.Number({ exclusiveMinimum: 0, default: 5, description: 'time one policy may take on one record; a policy over it evaluationStrikes times in a row is disabled with an alert' }),
    evaluationStrikes: Type.Integer({ minimum: 1, default: 20, description: 'consecutive records over the budget that disable a policy' }),
  }, { default: {}, additionalProperties: false }),
  connectorWorkers: Type.Object({
    groupId: Type.Optional(Type.String({ minLength: 1, description: 'consumer group of the processes with the connectors role, which share the connector instances out; default `<topicPrefix>.connectors`' })),
    // The group's session timeout is half of it (Kafka brokers accept 6 s to 30 min by default), heartbeats every tenth.
    takeoverTimeoutMs: Type.Integer({ minimum: 12_000, maximum: 3_600_000, default: 30_000, description: 'how soon the instances of a connector worker that died are run by another one (12 s to 1 h)' }),
  }, { default: {}, additionalProperties: false }),
  dataDir: Type.String({ minLength: 1, default: '.data', description: 'local state of this process: what each snapshot scan saw, to find deletions' }),
  simulate: Type.Boolean({ default: true, description: 'with no connector configured, run simulated tenants' }),
  memoryLogEveryMs: Type.Integer({ minimum: 0, default: 60_000, description: 'period of the `process memory` log line (info): RSS, V8 heap, native, embedded ClickHouse; 0: none' }),
  connectors: Type.Record(Type.String(), Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())), { default: {} }),
}, { additionalProperties: false }); // every section is closed: a misspelt setting is reported, never ignored

export type AppConfig = Omit<Static<typeof ConfigSchema>, 'connectors'> & {
  /** provider id → instance id → that instance's validated settings. */
  connectors: Record<string, Record<string, InstanceConfig>>;
};

export type InstanceConfig = InstanceSettings & Record<string, unknown>;

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** A YAML or JSON file; defaults to `APPWARDEN_CONFIG`. */
  file?: string;
  /** Overrides applied after the file and the environment (tests, the CLI). */
  overrides?: Partial<Record<keyof AppConfig, unknown>>;
  /** The provider-specific schema of each registered provider. */
  providerSchemas: Record<string, TSchema>;
  /** Per provider, defaults of the shared instance settings that suit it (under what the user set). */
  providerDefaults?: Record<string, Record<string, unknown>>;
  /** Receives what is allowed but unsafe (a file holding secrets that others may read); the caller logs it. */
  warnings?: string[];
}

/**
 * Reads the configuration from a file, the environment and overrides, checks it against one schema
 * and reports every problem at once, with its path (`connectors.okta.main.token: required`).
 */
export function loadConfig(options: LoadConfigOptions): AppConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const file = options.file ?? env.APPWARDEN_CONFIG;
  const fromFile = file ? readConfigFile(file, env, problems, secretNames(options.providerSchemas), options.warnings) : {};
  const merged = mergeDeep(mergeDeep(fromFile, fromEnvironment(env)), (options.overrides ?? {}) as Record<string, unknown>);
  // Convert and Default change values in place: work on a copy, never on the caller's overrides.
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, structuredClone(merged))) as Record<string, unknown>;
  problems.push(...collectErrors(ConfigSchema, withDefaults, ''));
  const api = withDefaults.api as { host?: string; authentication?: boolean } | undefined;
  if (api?.authentication === false && api.host !== undefined && !isLoopback(api.host)) {
    problems.push(`api.authentication: cannot be off when the API listens on ${api.host}, which is not a loopback address`);
  }

  const clickhouse = withDefaults.clickhouse as { url?: string; cluster?: string } | undefined;
  if (clickhouse?.cluster !== undefined && clickhouse.url === undefined) {
    problems.push('clickhouse.cluster: needs clickhouse.url (CLICKHOUSE_URL): embedded ClickHouse is one process, not a cluster');
  }

  const connectors: Record<string, Record<string, InstanceConfig>> = {};
  const rawConnectors = (withDefaults.connectors ?? {}) as Record<string, Record<string, unknown>>;
  for (const [provider, instances] of Object.entries(rawConnectors)) {
    const providerSchema = options.providerSchemas[provider];
    if (!providerSchema) {
      problems.push(`connectors.${provider}: unknown provider (known: ${Object.keys(options.providerSchemas).join(', ')})`);
      continue;
    }
    const schema = instanceSchema(providerSchema);
    connectors[provider] = {};
    for (const [id, raw] of Object.entries(instances ?? {})) {
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(id)) problems.push(`connectors.${provider}.${id}: instance ids are lower-case letters, digits, _ and -`);
      const value = instanceDefaults(schema, providerSchema, mergeDeep(options.providerDefaults?.[provider] ?? {}, (raw ?? {}) as Record<string, unknown>));
      problems.push(...collectErrors(schema, value, `connectors.${provider}.${id}`));
      connectors[provider][id] = value as InstanceConfig;
    }
  }
  if (problems.length > 0) {
    throw new AppwardenError('AW_CONFIG_INVALID', `configuration is invalid:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
  return Object.freeze({ ...(withDefaults as Omit<AppConfig, 'connectors'>), connectors }) as AppConfig;
}

/** localhost, 127.0.0.0/8 and ::1: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** Builds the per-instance settings from defaults, for code that creates instances without a file. */
export function instanceConfig(providerSchema: TSchema, raw: Record<string, unknown>, defaults: Record<string, unknown> = {}): InstanceConfig {
  const schema = instanceSchema(providerSchema);
  const value = instanceDefaults(schema, providerSchema, mergeDeep(defaults, raw));
  const problems = collectErrors(schema, value, 'instance');
  if (problems.length > 0) throw new AppwardenError('AW_CONFIG_INVALID', problems.join('; '), { details: { problems } });
  return value as InstanceConfig;
}

function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  const set = (section: string, key: string, value: unknown) => { (out[section] ??= {})[key] = value; };
  if (env.KAFKA_BROKERS) set('kafka', 'brokers', env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean));
  if (env.KAFKA_TOPIC_PREFIX) set('kafka', 'topicPrefix', env.KAFKA_TOPIC_PREFIX);
  if (env.KAFKA_PARTITIONS) set('kafka', 'partitions', Number(env.KAFKA_PARTITIONS));
  if (env.KAFKA_REPLICATION_FACTOR) set('kafka', 'replicationFactor', Number(env.KAFKA_REPLICATION_FACTOR));
  if (env.KAFKA_PRODUCER_CLIENT) set('kafka', 'producerClient', env.KAFKA_PRODUCER_CLIENT);
  if (env.KAFKA_SSL && !/^(0|false|no)$/i.test(env.KAFKA_SSL)) set('kafka', 'ssl', env.KAFKA_SSL_CA_FILE ? { caFile: env.KAFKA_SSL_CA_FILE } : {});
  if (env.KAFKA_SASL_MECHANISM || env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
    set('kafka', 'sasl', {
      mechanism: env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512',
      ...(env.KAFKA_SASL_USERNAME ? { username: env.KAFKA_SASL_USERNAME } : {}),
      ...(env.KAFKA_SASL_PASSWORD ? { password: env.KAFKA_SASL_PASSWORD } : {}),
    });
  }
  if (env.CLICKHOUSE_URL) set('clickhouse', 'url', env.CLICKHOUSE_URL);
  if (env.CLICKHOUSE_USER) set('clickhouse', 'username', env.CLICKHOUSE_USER);
  if (env.CLICKHOUSE_PASSWORD) set('clickhouse', 'password', env.CLICKHOUSE_PASSWORD);
  if (env.CLICKHOUSE_DATABASE) set('clickhouse', 'database', env.CLICKHOUSE_DATABASE);
  if (env.CLICKHOUSE_DATA_DIR) set('clickhouse', 'dataDir', env.CLICKHOUSE_DATA_DIR);
  if (env.CLICKHOUSE_CLUSTER) set('clickhouse', 'cluster', env.CLICKHOUSE_CLUSTER);
  if (env.CLICKHOUSE_TLS_CA_FILE) set('clickhouse', 'tls', { caFile: env.CLICKHOUSE_TLS_CA_FILE });
  if (env.APPWARDEN_POLICY_DIRS) set('policies', 'folders', env.APPWARDEN_POLICY_DIRS.split(',').map((d) => d.trim()).filter(Boolean));
  if (env.PORT) set('api', 'port', Number(env.PORT));
  if (env.HOST) set('api', 'host', env.HOST);
  if (env.APPWARDEN_ADMIN_KEY) set('api', 'adminKey', env.APPWARDEN_ADMIN_KEY);
  const top: Record<string, unknown> = { ...out };
  if (env.APPWARDEN_DATA_DIR) top.dataDir = env.APPWARDEN_DATA_DIR;
  if (env.APPWARDEN_MEMORY_LOG_MS) top.memoryLogEveryMs = Number(env.APPWARDEN_MEMORY_LOG_MS);
  if (env.APPWARDEN_SIMULATE) top.simulate = !/^(0|false|no)$/i.test(env.APPWARDEN_SIMULATE);
  return top;
}

/** The common settings and the provider's own as one closed object, so that a misspelt key is reported. */
function instanceSchema(providerSchema: TSchema): TSchema {
  const merged = Type.Evaluate(Type.Intersect([InstanceSettingsSchema, providerSchema])) as TSchema;
  // A provider schema that says how to treat other keys keeps its choice.
  if (!Type.IsObject(merged) || 'additionalProperties' in providerSchema) return merged;
  return Type.Object(merged.properties, { additionalProperties: false });
}

function instanceDefaults(schema: TSchema, providerSchema: TSchema, raw: unknown): unknown {
  const converted = Value.Convert(schema, structuredClone(raw));
  return Value.Default(providerSchema, Value.Default(InstanceSettingsSchema, converted));
}

/** The file's settings, `${NAME}` replaced; what goes wrong is added to `problems`. */
function readConfigFile(
  file: string, env: NodeJS.ProcessEnv, problems: string[], secrets: ReadonlySet<string>, warnings: string[] | undefined,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(path.resolve(file), 'utf8'), { maxAliasCount: 100 });
  } catch (err) {
    problems.push(`cannot read configuration file ${file}: ${(err as Error).message.split('\n', 1)[0]}`);
    return {};
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    problems.push(`configuration file ${file}: must be a mapping of settings`);
    return {};
  }
  const literal = literalSecretPaths(parsed, secrets, '');
  if (literal.length > 0 && warnings && readableByOthers(file)) {
    warnings.push(`configuration file ${file} holds secrets (${literal.join(', ')}) and other users can read it: `
      + 'chmod 600 it, or write ${NAME} and pass the secret in the environment');
  }
  return interpolateEnv(parsed, env, problems, '') as Record<string, unknown>;
}

/** Names of the settings marked `secret: true`, in the common settings and every provider's. */
function secretNames(providerSchemas: Record<string, TSchema>): Set<string> {
  return new Set([ConfigSchema, ...Object.values(providerSchemas)].flatMap((schema) => secretKeys(schema)));
}

/** Paths of secret settings written in the file itself rather than as a `${NAME}` reference. */
function literalSecretPaths(value: unknown, secrets: ReadonlySet<string>, at: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => literalSecretPaths(v, secrets, `${at}[${i}]`));
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = at ? `${at}.${k}` : k;
    if (secrets.has(k) && typeof v === 'string') return /^(\$\{[A-Za-z_][A-Za-z0-9_]*\})+$/.test(v.trim()) ? [] : [here];
    return literalSecretPaths(v, secrets, here);
  });
}

function readableByOthers(file: string): boolean {
  try {
    return (statSync(path.resolve(file)).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/**
 * Replaces `${NAME}` in the file's string values with the environment's value, so secrets stay
 * out of the file. Done after parsing: a value is never read as YAML, so a secret holding `#`,
 * `: ` or a leading `*` arrives intact, and a reference in a comment is no reference.
 */
function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, problems: string[], at: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      const found = env[name];
      if (found !== undefined) return found;
      problems.push(`${at || '(root)'}: environment variable ${name} is not set`);
      return whole;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, problems, `${at}[${i}]`));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, problems, at ? `${at}.${k}` : k)]));
  }
  return value;
}

function collectErrors(schema: TSchema, value: unknown, prefix: string): string[] {
  const out: string[] = [];
  for (const error of Value.Errors(schema, value)) {
    if (['boolean', 'allOf'].includes(error.keyword as string)) continue; // restated by a more precise error
    const at = [prefix, ...error.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
    const params = error.params as { requiredProperties?: string[]; additionalProperties?: string[] };
    if (error.keyword === 'required' && params.requiredProperties) {
      for (const p of params.requiredProperties) out.push(`${at ? `${at}.` : ''}${p}: required`);
    } else if (error.keyword === 'additionalProperties' && params.additionalProperties) {
      for (const p of params.additionalProperties) out.push(`${at ? `${at}.` : ''}${p}: unknown setting`);
    } else {
      out.push(`${at || '(root)'}: ${describeError(schema, error)}`);
    }
  }
  return [...new Set(out)];
}

/** A pattern means little to a reader: say what the value must be when the schema describes it. */
function describeError(schema: TSchema, error: { keyword: unknown; schemaPath: string; message: string; params?: unknown }): string {
  const allowed = (error.params as { allowedValues?: unknown[] } | undefined)?.allowedValues;
  if (error.keyword === 'enum' && Array.isArray(allowed)) return `must be one of ${allowed.join(', ')}`;
  if (error.keyword !== 'pattern') return error.message;
  let node: unknown = schema;
  for (const part of error.schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = isPlainObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  const description = isPlainObject(node) ? node.description : undefined;
  return typeof description === 'string' ? `must be ${description}` : error.message;
}

/** `b` over `a`, object by object; an object `isLeaf` accepts (a secret reference) replaces, whole. */
export function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>, isLeaf: (v: Record<string, unknown>) => boolean = () => false): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) && !isLeaf(v) ? mergeDeep(prev, v, isLeaf) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Names of the settings a schema marks `secret: true`, at any depth (nested objects, arrays,
 * records, unions): what redaction in logs and API answers hides.
 */
export function secretKeys(schema: TSchema): string[] {
  const keys = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (s: unknown) => {
    if (!s || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    const node = s as {
      properties?: Record<string, unknown>; patternProperties?: Record<string, unknown>; additionalProperties?: unknown;
      allOf?: unknown[]; anyOf?: unknown[]; oneOf?: unknown[]; items?: unknown; prefixItems?: unknown[];
    };
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      if ((v as { secret?: boolean }).secret) keys.add(k);
      walk(v);
    }
    for (const v of Object.values(node.patternProperties ?? {})) walk(v);
    for (const sub of [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.prefixItems ?? [])]) walk(sub);
    walk(node.additionalProperties);
    walk(Array.isArray(node.items) ? { allOf: node.items } : node.items);
  };
  walk(schema);
  return [...keys];
}

/** The string values held under secret keys anywhere in `value`: what an HTTP client must never echo. */
export function secretValues(value: unknown, keys: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown, secret: boolean) => {
    if (typeof v === 'string') {
      if (secret && v !== '') out.push(v);
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, secret);
    } else if (isPlainObject(v)) {
      for (const [k, item] of Object.entries(v)) walk(item, secret || keys.includes(k));
    }
  };
  walk(value, false);
  return out;
}

/** A copy of an instance's settings with its secrets replaced (at any depth, in arrays too), safe for logs and API answers. */
export function redactSecrets<T extends Record<string, unknown>>(value: T, keys: readonly string[]): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isPlainObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      out[k] = keys.includes(k) ? (item === undefined ? undefined : '[redacted]') : walk(item);
    }
    return out;
  };
  return walk(value) as T;
}

/** The settings of the core configuration marked `secret: true` (Kafka and ClickHouse passwords, the webhook token...). */
export const CORE_SECRET_KEYS: readonly string[] = secretKeys(ConfigSchema);
