/** A bearer token (or any credential, e.g. AWS temporary keys) and how long it stays valid. */
export interface IssuedToken<T = string> {
  token: T;
  expiresInMs: number;
}

/**
 * Caches an OAuth access token until shortly before it expires; concurrent callers share one
 * request for a new token. Pair `get` with the HTTP client's `authenticate` and `invalidate` with
 * its `onUnauthorized` (a 401 means the provider revoked or rotated the token early).
 */
export class TokenCache<T = string> {
  private current: { token: T; expiresAt: number } | null = null;
  private pending: Promise<T> | null = null;

  constructor(
    private readonly issue: () => Promise<IssuedToken<T>>,
    /** Renew this long before expiry, so a token never expires in flight. */
    private readonly marginMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<T> {
    if (this.current && this.now() < this.current.expiresAt - this.marginMs) return this.current.token;
    this.pending ??= this.issue()
      .then(({ token, expiresInMs }) => {
        this.current = { token, expiresAt: this.now() + expiresInMs };
        return token;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  invalidate(): void {
    this.current = null;
  }
}
