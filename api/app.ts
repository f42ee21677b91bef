import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { ClickHouse } from '../core/clickhouse.js';
import type { KafkaBus } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import type { InstanceStatus } from '../ingestors/runtime/instance-runner.js';
import type { ActionCatalog } from '../processors/governance/index.js';
import type { SigningKey } from '../processors/governance/index.js';
import type { PolicyStore } from '../processors/policy/policy-store.js';
import { installErrorHandler } from './errors.js';
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
  /** Connector instances run by this process (none when the API runs alone). */
  connectorStatuses?: () => InstanceStatus[];
  ready?: () => boolean;
  /** Publishes governance commands (manual actions, approvals, retries, reverts); without it those routes answer 503. */
  bus?: KafkaBus;
  /** The configured instances' governance actions: checks requested instances, finds inverses for reverts. */
  governanceActions?: ActionCatalog;
  /** Policies deployed through the API (started by the caller); without it those routes answer 503 (validate and backtest still work). */
  policyStore?: PolicyStore;
  /** Signs the governance commands the API publishes (the executor carries out only signed ones). */
  governanceSigningKey?: SigningKey;
}

/** Builds the API without listening: `start` calls `listen`, tests call `inject`. */
export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const log = deps.log.child({ component: 'api' });
  const app = Fastify({
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
  activityRoutes(app, deps);
  accountRoutes(app, deps);
  alertRoutes(app, deps);
  policyRoutes(app, { clickhouse: deps.clickhouse, ...(deps.policyStore ? { store: deps.policyStore } : {}) });
  schemaRoutes(app);
  connectorRoutes(app, { statuses: deps.connectorStatuses ?? (() => []) });
  governanceRoutes(app, {
    clickhouse: deps.clickhouse, maxPageSize: deps.maxPageSize,
    ...(deps.bus ? { bus: deps.bus } : {}), ...(deps.governanceActions ? { actions: deps.governanceActions } : {}),
    ...(deps.governanceSigningKey ? { signingKey: deps.governanceSigningKey } : {}),
  });
  healthRoutes(app, deps);
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
