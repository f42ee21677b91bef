import { createHttpApp, startHttpServer } from '../common/http-server.js';
import { serviceNowContinuation } from './errors.js';
import { createRateLimiter } from '../common/rate-limiter.js';
import { ServiceNowInstance } from './instance.js';
import { resolveOptions, type ResolvedOptions, type ServiceNowSimulatorOptions } from './options.js';
import { renderRow } from './render.js';
import { registerOAuthRoute, registerTableRoutes } from './routes.js';
import type { HistoryTable, Row } from './tables.js';

export interface ServiceNowSimulator {
  url: string;
  options: ResolvedOptions;
  instance: ServiceNowInstance;
  /** The rows of a table as `GET /api/now/table/<table>` serves them (values in the instance's zone), optionally filtered. */
  served(table: string, keep?: (row: Row) => boolean): Array<Record<string, unknown>>;
  /** Adds a row to `sysevent`, `sys_audit` or `syslog_transaction`, dated `at`, readable from now on. */
  addActivity(table: HistoryTable, row: Row): Row;
  /** The next `count` requests get the rate limit rule's 429 (`Retry-After`, `X-RateLimit-*`). */
  throttleNext(count: number): void;
  /** The next `count` requests are cancelled by a transaction quota rule (429 without `Retry-After`). */
  quotaNext(count: number): void;
  /** The integration user loses a permission (`sys_audit.read`, `sys_user.write`...): 403 as ServiceNow's ACLs answer; `allow` gives it back. */
  deny(permission: string): void;
  allow(permission: string): void;
  /** Every access token issued so far stops working (the next request answers 401). */
  expireTokens(): void;
  close(): Promise<void>;
}

/** Starts a simulated ServiceNow instance: Table API, OAuth token endpoint, ACLs, rate limit rules and quotas. */
export async function startServiceNowSimulator(options: ServiceNowSimulatorOptions = {}): Promise<ServiceNowSimulator> {
  const resolved = resolveOptions(options);
  const instance = new ServiceNowInstance(resolved);
  const app = createHttpApp(resolved.log, { continuation: serviceNowContinuation });
  const limiter = resolved.rateLimitPerHour === null ? null : createRateLimiter({ limit: resolved.rateLimitPerHour, windowMs: 3_600_000, clock: resolved.clock });
  registerOAuthRoute(app, instance);
  registerTableRoutes(app, instance, limiter);
  const server = await startHttpServer(app, { host: resolved.host, port: resolved.port });
  return {
    url: server.url,
    options: resolved,
    instance,
    served: (table, keep = () => true) => (instance.rows(table) ?? []).filter(keep).map((row) => renderRow(table, row, instance.tables, {
      zone: resolved.timeZone, fields: null, displayValue: 'false', excludeReferenceLink: true, baseUrl: server.url,
    })),
    addActivity: (table, row) => instance.addActivity(table, row),
    throttleNext: (count) => { instance.throttle.rateLimit = count; },
    quotaNext: (count) => { instance.throttle.quota = count; },
    deny: (permission) => { instance.denied.add(permission); },
    allow: (permission) => { instance.denied.delete(permission); },
    expireTokens: () => instance.tokens.clear(),
    close: () => server.close(),
  };
}
