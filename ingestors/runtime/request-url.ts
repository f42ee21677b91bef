import { AppwardenError } from '../../core/errors.js';
import type { HttpRequest } from './http-options.js';

/**
 * Where a request goes: its path or URL against the provider's base URL, with its query. Credentials
 * go only to the provider's origins: the base URL's, the configured ones and those `trust` adds.
 */
export class RequestUrls {
  readonly #baseHref: string;
  readonly #trustedOrigins: Set<string>;

  constructor(baseUrl: string, trustedOrigins: readonly string[] = []) {
    this.#baseHref = baseUrl.replace(/\/+$/, '');
    this.#trustedOrigins = new Set([new URL(baseUrl).origin, ...trustedOrigins.map((o) => new URL(o).origin)]);
  }

  /** Adds the origin of `url` (already checked by the caller); answers it. */
  trust(url: string): string {
    const { origin } = new URL(url);
    this.#trustedOrigins.add(origin);
    return origin;
  }

  /** The request's URL; invalid, or on an origin not trusted → AW_PROVIDER_REQUEST_FAILED. */
  resolve(req: HttpRequest<unknown>): URL {
    let url: URL;
    try {
      url = req.url !== undefined ? new URL(req.url, `${this.#baseHref}/`) : new URL(req.path ? `${this.#baseHref}/${req.path.replace(/^\/+/, '')}` : this.#baseHref);
    } catch (cause) {
      throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', 'the request URL is invalid', { cause, details: { url: req.url, path: req.path } });
    }
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    if (!this.#trustedOrigins.has(url.origin)) {
      throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', `refusing to send credentials to ${url.origin}, which is not the provider's origin`, {
        details: { origin: url.origin },
      });
    }
    return url;
  }
}
