import { AppwardenError } from '../../core/errors.js';
import type { HttpClientOptions, HttpMethod, HttpRequest } from './http-options.js';
import { attemptSignal, mergeHeaders, streamedBody, type FailedAttempt, type RawResponse } from './http-wire.js';
import type { SecretScrubber } from './secret-scrubber.js';

/** Same-origin redirects followed per attempt; a redirect to another origin is never followed. */
const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Sends one attempt of a request: signs and sends it, following at most `MAX_REDIRECTS` redirects
 * within the same origin (each signed again for its own URL). Network failures are returned, not
 * thrown, so the caller decides; a redirect elsewhere is refused.
 */
export class HttpAttempt<C = unknown> {
  readonly #options: HttpClientOptions<C>;
  readonly #secrets: SecretScrubber;
  readonly #onRequest: () => void;

  /** `secrets` learns each header value `authenticate` returns; `onRequest` counts each request sent. */
  constructor(options: HttpClientOptions<C>, secrets: SecretScrubber, onRequest: () => void) {
    this.#options = options;
    this.#secrets = secrets;
    this.#onRequest = onRequest;
  }

  async send(req: HttpRequest<C>, url: URL, stop: AbortSignal | undefined): Promise<RawResponse | FailedAttempt> {
    const type = req.responseType ?? 'auto';
    const wantsStream = type === 'stream';
    let method: HttpMethod = req.method ?? 'GET';
    let body = req.body !== undefined ? JSON.stringify(req.body) : req.rawBody;
    let headers = mergeHeaders(
      type === 'auto' || type === 'json' ? { accept: 'application/json' } : {},
      req.body !== undefined ? { 'content-type': 'application/json' } : {},
      this.#options.headers, req.headers,
    );
    let target = url;
    for (let redirects = 0; ; redirects++) {
      const auth = this.#options.authenticate
        ? await this.#options.authenticate({ method, url: target, headers: { ...headers }, body, credential: req.credential })
        : {};
      this.#secrets.remember(Object.values(auth).flatMap((value) => [value, value.slice(value.indexOf(' ') + 1)])); // "Bearer abc": the token alone may be echoed too
      const sent = await this.#fetch(target, method, mergeHeaders(headers, auth), body, stop, wantsStream);
      const location = 'status' in sent && REDIRECT_STATUSES.has(sent.status) ? sent.headers.get('location') : null;
      if (location === null) return sent;
      const next = URL.canParse(location, target.href) ? new URL(location, target) : null;
      if (next === null || next.origin !== target.origin) {
        throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED',
          `${method} ${target.pathname} answered ${(sent as RawResponse).status}, a redirect to ${next?.origin ?? 'an invalid URL'}; credentials are never sent to another origin`,
          { details: { status: (sent as RawResponse).status, path: target.pathname, redirectOrigin: next?.origin ?? null } });
      }
      if (redirects >= MAX_REDIRECTS) {
        throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `${method} ${url.pathname} redirected more than ${MAX_REDIRECTS} times`, {
          details: { path: url.pathname },
        });
      }
      // As fetch does: a 303, or a 301/302 answering a POST, is followed with a GET without body.
      const status = (sent as RawResponse).status;
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        const { 'content-type': _dropped, ...rest } = headers;
        headers = rest;
      }
      target = next;
    }
  }

  async #fetch(
    url: URL, method: HttpMethod, headers: Record<string, string>, body: string | Uint8Array | undefined, stop: AbortSignal | undefined, wantsStream = false,
  ): Promise<RawResponse | FailedAttempt> {
    const attempt = attemptSignal(stop, this.#options.timeoutMs);
    this.#onRequest();
    let handedOver = false;
    try {
      const response = await fetch(url, { method, headers, body, signal: attempt.signal, redirect: 'manual' });
      if (wantsStream && response.ok && response.body !== null) {
        // The caller reads the body; the attempt's signal (its timeout, our stop) stays with the stream.
        handedOver = true;
        return { status: response.status, headers: response.headers, url: url.href, body: Buffer.alloc(0), stream: streamedBody(response.body, attempt) };
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, url: url.href, body: bytes };
    } catch (error) {
      if (stop?.aborted) throw stop.reason;
      return { error, timedOut: attempt.timedOut() };
    } finally {
      if (!handedOver) attempt.dispose();
    }
  }
}
