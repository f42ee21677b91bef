import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import Value from 'typebox/value';
import { withQuerySettings, type ClickHouse } from '../core/clickhouse.js';
import { ApiConfigSchema, type ApiConfig } from '../core/config.js';
import type { KafkaBus } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import type { InstanceStatus } from '../ingestors/runtime/instance-status.js';
import type { ActionCatalog } from '../processors/governance/index.js';
import type { SigningKey } from '../processors/governance/index.js';
import type { PolicyStore } from '../processors/policy/policy-store.js';
import { installSecurity } from './auth/guard.js';
import type { KeyStore } from './auth/key-store.js';
import type { OidcVerifier } from './auth/oidc.js';
import type { Role } from './auth/roles.js';
import { consoleRoutes } from './console.js';
import { installErrorHandler } from './errors.js';
import type { PolicyProposals } from './policy-proposals.js';
import { installRateLimit } from './rate-limit.js';
import { documentErrorResponses } from './schemas.js';
import { accountRoutes } from './routes/accounts.js';
import { activityRoutes } from './routes/activities.js';
import { aggregationRoutes } from './routes/aggregations.js';
import { alertRoutes } from './routes/alerts.js';
import { auditTrailRoutes } from './routes/audit-trail.js';
import { connectionRoutes, type ConnectionAdmin } from './routes/connections.js';
import { connectorRoutes } from './routes/connectors.js';
import { fileRoutes } from './routes/files.js';
import { governanceRoutes } from './routes/governance.js';
import { grantRoutes } from './routes/grants.js';
import { healthRoutes } from './routes/health.js';
import { sinkRoutes, type SinkStatus } from './routes/sink.js';
import { keyRoutes } from './routes/keys.js';
import { meRoutes } from './routes/me.js';
import { peopleRoutes } from './routes/people.js';
import { policyRoutes } from './routes/policies.js';
import { providerRoutes } from './routes/providers.js';
import { schemaRoutes } from './routes/schemas.js';
import { timelineRoutes } from './routes/timelines.js';

/** Who may call the API, from where: see `installSecurity`. */
export interface ApiSecurity {
  /** Off only on a loopback address (the configuration refuses it otherwise); every caller is then an admin. */
  authentication: boolean;
  /** The API keys; without them only OIDC tokens (or nothing) get in. */
  keys: KeyStore | null;
  oidc?: OidcVerifier;
  /** Host names answered for (`allowedHostNames`). */
  allowedHosts: readonly string[];
  corsOrigins: readonly string[];
  /** Roles that may ask for `include_raw` (a key with the raw permission may, whatever its role). */
  rawAccessRoles: readonly Role[];
}

export interface ApiDependencies {
  clickhouse: ClickHouse;
  log: Logger;
  maxPageSize: number;
  security: ApiSecurity;
  /** Query, body, rate and backtest limits (`api.*` of the configuration); unset ones take their defaults. */
  limits?: Partial<Omit<ApiConfig, 'host' | 'port' | 'maxPageSize'>>;
  /** Connector instances: those this process runs, or (an API on its own) as the cursors topic tells. */
  connectorStatuses?: () => InstanceStatus[] | Promise<InstanceStatus[]>;
  ready?: () => boolean;
  /** Publishes governance commands and the audit trail; without it every change answers 503. */
  bus?: KafkaBus;
  /** The configured instances' governance actions: checks requested instances, finds inverses for reverts. */
  governanceActions?: ActionCatalog;
  /** Policies deployed through the API (started by the caller); without it those routes answer 503 (validate and backtest still work). */
  policyStore?: PolicyStore;
  /** Signs the governance commands the API publishes (the executor carries out only signed ones). */
  governanceSigningKey?: SigningKey;
  /** Enforce-mode policies proposed by policy authors (started by the caller); without it only admins deploy enforce mode. */
  policyProposals?: PolicyProposals;
  /** Ids of the built-in policies: changing one needs an admin. */
  builtinPolicyIds?: readonly string[];
  /** The ClickHouse sink's status (`GET /v1/sink`); without it the route answers that the sink runs elsewhere. */
  sinkStatus?: () => Promise<SinkStatus>;
  /** Connections at run time (the store, this process's connections); without it those routes answer 503. */
  connectionAdmin?: ConnectionAdmin;
}

/** Builds the API without listening: `start` calls `listen`, tests call `inject`. */
export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const log = deps.log.child({ component: 'api' });
  const limits = apiLimits(deps.limits);
  // Every query the API runs stops past these limits (AW_QUERY_LIMIT), whatever the route.
  const clickhouse = withQuerySettings(deps.clickhouse, { max_execution_time: limits.queryTimeoutSeconds, max_memory_usage: limits.queryMaxMemoryBytes });
  const app = Fastify({
    bodyLimit: limits.bodyLimitBytes,
    loggerInstance: log as FastifyBaseLogger,
    // Per-request lines would drown the connector progress; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: true } },
    // Above every path parameter's own maxLength (a file id: 1024), so that a long one gets the schema's
    // 400 naming the parameter rather than the router's 414.
    routerOptions: { maxParamLength: 4096 },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Appwarden API', version: '1', description: 'Query the activity trail and accounts; read connector health and the published Avro schemas. Every route but /healthz, /readyz and /docs needs `Authorization: Bearer <key>`; `x-required-role` names the least role it needs.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API key (appwarden keys create) or an OIDC token' } } },
    },
  });
  installErrorHandler(app, log);
  const { security } = deps;
  installSecurity(app, { ...security, bus: deps.bus ?? null });
  installRateLimit(app, limits.rateLimit);
  documentErrorResponses(app);
  const query = { clickhouse, maxPageSize: deps.maxPageSize, maxQueryRangeDays: limits.maxQueryRangeDays };
  activityRoutes(app, { ...query, rawAccessRoles: security.rawAccessRoles, exportTimeoutSeconds: limits.exportTimeoutSeconds });
  accountRoutes(app, query);
  fileRoutes(app, query);
  grantRoutes(app, query);
  peopleRoutes(app, query);
  aggregationRoutes(app, query);
  timelineRoutes(app, query);
  alertRoutes(app, query);
  policyRoutes(app, {
    clickhouse, bodyLimit: limits.policyBodyLimitBytes, backtest: limits.backtest, builtinIds: new Set(deps.builtinPolicyIds ?? []),
    ...(deps.policyStore ? { store: deps.policyStore } : {}), ...(deps.policyProposals ? { proposals: deps.policyProposals } : {}),
  });
  schemaRoutes(app);
  connectorRoutes(app, { statuses: deps.connectorStatuses ?? (() => []) });
  sinkRoutes(app, { status: deps.sinkStatus ?? null });
  connectionRoutes(app, { admin: deps.connectionAdmin ?? null, clickhouse: deps.clickhouse });
  providerRoutes(app, { definitions: deps.connectionAdmin?.definitions ?? null });
  governanceRoutes(app, {
    ...query, ...(deps.bus ? { bus: deps.bus } : {}), ...(deps.governanceActions ? { actions: deps.governanceActions } : {}),
    ...(deps.governanceSigningKey ? { signingKey: deps.governanceSigningKey } : {}),
  });
  keyRoutes(app, { keys: security.keys });
  meRoutes(app, { rawAccessRoles: security.rawAccessRoles });
  auditTrailRoutes(app, query);
  healthRoutes(app, { ...deps, clickhouse });
  consoleRoutes(app);
  app.get('/docs/json', { config: { role: 'public' }, schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** The API's limits: those given, and the configuration's defaults for the others. */
export function apiLimits(given: ApiDependencies['limits'] = {}): ApiConfig {
  return Value.Default(ApiConfigSchema, structuredClone(given)) as ApiConfig;
}
