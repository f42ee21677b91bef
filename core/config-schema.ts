import Type, { type Static } from 'typebox';
import { httpsUrl } from './https-url.js';
import { KAFKA_SASL_MECHANISMS } from './kafka-security.js';
import { PRODUCER_CLIENTS } from './kafka/types.js';
import { secretKeys } from './secret-settings.js';

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
    consumerSessionTimeoutMs: Type.Integer({ minimum: 6000, maximum: 1_800_000, default: 30_000, description: "how long a consumer group (sink, policy, governance) waits for a member that stopped heartbeating (a dead process, a restarted broker) before it re-forms without it; within the brokers' group.min/max.session.timeout.ms (6 s to 30 min by default)" }),
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

/** The settings of the core configuration marked `secret: true` (Kafka and ClickHouse passwords, the webhook token...). */
export const CORE_SECRET_KEYS: readonly string[] = secretKeys(ConfigSchema);
