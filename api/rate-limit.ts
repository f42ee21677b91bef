import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppwardenError } from '../core/errors.js';

export interface RateLimitSettings {
  /** Tokens added per minute; 0 turns the limit off. */
  requestsPerMinute: number;
  /** Bucket size: requests a caller may send at once. */
  burst: number;
}

/** Buckets idle long enough to be full again are forgotten once this many callers are tracked. */
const SWEEP_AT = 10_000;

/** One token bucket per key, refilled continuously at `requestsPerMinute`. */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #perMs: number;

  constructor(private readonly settings: RateLimitSettings, private readonly now: () => number = Date.now) {
    this.#perMs = settings.requestsPerMinute / 60_000;
  }

  /** Takes a token for `key`: 0 when granted, else the milliseconds until one is there. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.settings.burst, at: now };
    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    if (this.#buckets.size >= SWEEP_AT && !this.#buckets.has(key)) this.#sweep(now);
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.#perMs);
  }

  #sweep(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.#perMs >= this.settings.burst) this.#buckets.delete(key);
    }
  }
}

/**
 * The caller a limit counts for: the authenticated principal when authentication has set one
 * (`request.principal`, in an onRequest hook), else the client's address.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const principal = (request as FastifyRequest & { principal?: { id?: unknown } }).principal;
  return typeof principal?.id === 'string' ? `principal:${principal.id}` : `ip:${request.ip}`;
}

/**
 * Per-caller rate limit of every route, answered 429 AW_RATE_LIMITED with Retry-After. Runs before
 * the body is read (preParsing), after authentication. A route opts out with `config: { rateLimit: false }`.
 */
export function installRateLimit(app: FastifyInstance, settings: RateLimitSettings): void {
  if (settings.requestsPerMinute <= 0) return;
  const buckets = new TokenBuckets(settings);
  app.addHook('preParsing', async (request, _reply, payload) => {
    if ((request.routeOptions.config as { rateLimit?: boolean } | undefined)?.rateLimit === false) return payload;
    const waitMs = buckets.take(rateLimitKey(request));
    if (waitMs > 0) {
      const retryAfterSeconds = Math.ceil(waitMs / 1000);
      throw new AppwardenError('AW_RATE_LIMITED', `too many requests: at most ${settings.requestsPerMinute} a minute (bursts of ${settings.burst}); try again in ${retryAfterSeconds} s`, {
        details: { retryAfterSeconds },
      });
    }
    return payload;
  });
}
