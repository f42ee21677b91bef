import { AppwardenError, isAppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { HttpClient } from '../../ingestors/runtime/http-client.js';
import type { Notification, Notifier } from './notifier.js';

export interface WebhookNotifierSettings {
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  timeoutMs: number;
}

/**
 * Delivers notifications as a JSON POST to a configured URL, through the shared HTTP client
 * (timeouts, 429 and `Retry-After`). The executor retries failures, so the client tries once.
 * `Idempotency-Key` carries the command id, so a receiver can drop a repeat.
 */
export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook';
  readonly needsRecipient = false;
  readonly destination: string;
  private readonly http: HttpClient;

  constructor(settings: WebhookNotifierSettings, log: Logger, signal?: AbortSignal) {
    this.destination = settings.url;
    const token = settings.token;
    this.http = new HttpClient({
      baseUrl: settings.url,
      ...(token ? { authenticate: () => ({ authorization: `Bearer ${token}` }) } : {}),
      limits: { concurrency: 2 },
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxThrottleWaitMs: settings.timeoutMs },
      timeoutMs: settings.timeoutMs,
      log: log.child({ component: 'webhook-notifier' }),
      ...(signal ? { signal } : {}),
    });
  }

  async send(notification: Notification, signal: AbortSignal): Promise<string> {
    try {
      const res = await this.http.request({
        method: 'POST',
        body: { type: 'appwarden.notification', ...notification },
        headers: { 'idempotency-key': notification.command_id },
        responseType: 'text',
        signal,
      });
      return `posted to the webhook (HTTP ${res.status})`;
    } catch (err) {
      if (signal.aborted || !isAppwardenError(err)) throw err;
      throw new AppwardenError('AW_NOTIFY_FAILED', `the webhook did not take the notification: ${err.message}`, {
        cause: err, retriable: err.retriable, details: { ...err.details },
      });
    }
  }
}
