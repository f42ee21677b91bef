import type { InstanceConfig } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectorDefinition, ConnectorInstance } from '../contract.js';
import { HttpClient } from './http-client.js';

/**
 * Creates a connector instance with HTTP clients built from the instance's limits. The runtime
 * uses it to scan; the governance executor and tests use it to run actions.
 */
export function createConnector(
  definition: ConnectorDefinition,
  instance: string,
  config: InstanceConfig,
  log: Logger,
  signal: AbortSignal,
): ConnectorInstance {
  const { limits } = config;
  return definition.create({
    instance,
    config,
    log,
    signal,
    http: (options) => new HttpClient({
      ...options,
      limits: {
        concurrency: limits.concurrency,
        ...(limits.requestsPerMinute ? { requestsPerInterval: limits.requestsPerMinute, intervalMs: 60_000 } : {}),
      },
      retry: {
        maxAttempts: limits.maxAttempts,
        baseDelayMs: limits.retryBaseDelayMs,
        maxDelayMs: limits.retryMaxDelayMs,
        maxThrottleWaitMs: limits.maxThrottleWaitMs,
      },
      timeoutMs: limits.timeoutMs,
      log: log.child({ component: 'http', provider: definition.id, instance }),
      signal,
    }),
  });
}
