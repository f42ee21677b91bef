import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import Value from 'typebox/value';
import { withQuerySettings, type ClickHouse } from '../core/clickhouse.js';
import { ApiConfigSchema, type ApiConfig } from '../core/config.js';
import type { KafkaBus } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import type { InstanceStatus } from '../ingestors/runtime/instance-runner.js';
import type { ActionCatalog } from '../processors/governance/index.js';
import type { PolicyStore } from '../processors/policy/policy-store.js';
import { installErrorHandler } from './errors.js';
import { installRateLimit } from './rate-limit.js';
import { documentErrorResponses } from './schemas.js';
import { accountRoutes } from './routes/accounts.js';
import { activityRoutes } from './routes/activities.js';
import { alertRoutes } from './routes/alerts.js';
import { connectorRoutes } from './routes/connectors.js';
import { governanceRoutes } from './routes/governance.js';
import { healthRoutes } from './routes/health.js';
import { policyRoutes } from './routes/policies.js';
import { schemaRoutes } from './routes/schemas.js';

export interface ApiDependencies {
  clickhouse: ClickHouse;
  log: Logger;
  maxPageSize: number;
  /** Query, body, rate and backtest limits (`api.*` of the configuration); unset ones take their defaults. */
  limits?: Partial<Omit<ApiConfig, 'host' | 'port' | 'maxPageSize'>>;
  /** Connector instances run by this process (none when the API runs alone). */
  connectorStatuses?: () => InstanceStatus[];
  ready?: () => boolean;
  /** Publishes governance commands (manual actions, approvals, retries, reverts); without it those routes answer 503. */
  bus?: KafkaBus;
  /** The configured instances' governance actions: checks requested instances, finds inverses for reverts. */
  governanceActions?: ActionCatalog;
  /** Policies deployed through the API (started by the caller); without it those routes answer 503 (validate and backtest still work). */
  policyStore?: PolicyStore;
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
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Appwarden API', version: '1', description: 'Query the activity trail and accounts; read connector health and the published Avro schemas.' },
    },
  });
  installErrorHandler(app, log);
  installRateLimit(app, limits.rateLimit);
  documentErrorResponses(app);
  const query = { clickhouse, maxPageSize: deps.maxPageSize, maxQueryRangeDays: limits.maxQueryRangeDays };
  activityRoutes(app, query);
  accountRoutes(app, query);
  alertRoutes(app, query);
  policyRoutes(app, {
    clickhouse, bodyLimit: limits.policyBodyLimitBytes, backtest: limits.backtest, ...(deps.policyStore ? { store: deps.policyStore } : {}),
  });
  schemaRoutes(app);
  connectorRoutes(app, { statuses: deps.connectorStatuses ?? (() => []) });
  governanceRoutes(app, {
    ...query, ...(deps.bus ? { bus: deps.bus } : {}), ...(deps.governanceActions ? { actions: deps.governanceActions } : {}),
  });
  healthRoutes(app, { ...deps, clickhouse });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** The API's limits: those given, and the configuration's defaults for the others. */
export function apiLimits(given: ApiDependencies['limits'] = {}): ApiConfig {
  return Value.Default(ApiConfigSchema, structuredClone(given)) as ApiConfig;
}
