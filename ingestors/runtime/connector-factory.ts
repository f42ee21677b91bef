import { secretKeys, secretValues, type InstanceConfig } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectorDefinition, ConnectorInstance } from '../contract.js';
import { HttpClient } from './http-client.js';

/**
 * Creates a connector instance with HTTP clients built from the instance's limits, each keeping the
 * instance's secrets (the settings its schema marks `secret: true`) out of its errors. In a process,
 * `Connections` calls it once per instance; tests that run a connector on its own may call it directly.
 */
export function createConnector(
  definition: ConnectorDefinition,
  instance: string,
  config: InstanceConfig,
  log: Logger,
  signal: AbortSignal,
): ConnectorInstance {
  const { limits } = config;
  const secrets = secretValues(config, secretKeys(definition.configSchema));
  return definition.create({
    instance,
    config,
    log,
    signal,
    http: ({ providerRate, ...options }) => new HttpClient({
      ...options,
      secrets,
      limits: { concurrency: limits.concurrency, ...pace(limits.requestsPerMinute, providerRate) },
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

/** The stricter of the user's requests per minute and the provider's documented rate, as the limiter's interval. */
function pace(requestsPerMinute: number | undefined, providerRate: { requests: number; perMs: number } | undefined): { requestsPerInterval?: number; intervalMs?: number } {
  const user = requestsPerMinute ? { requestsPerInterval: requestsPerMinute, intervalMs: 60_000 } : undefined;
  const provider = providerRate ? { requestsPerInterval: providerRate.requests, intervalMs: providerRate.perMs } : undefined;
  if (!user || !provider) return user ?? provider ?? {};
  return user.requestsPerInterval / user.intervalMs < provider.requestsPerInterval / provider.intervalMs ? user : provider;
}
