import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import { isRole, type Principal, type Role } from './roles.js';

export interface OidcSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** The claim holding the role (a string or a list of strings). */
  roleClaim: string;
  /** Claim value → role; empty: the claim's values are role names. */
  roles: Record<string, Role>;
  /** A value of the role claim that also grants `include_raw`. */
  rawClaimValue?: string;
  cacheMs: number;
}

const ALGORITHMS: Record<string, { kty: string; options: { dsaEncoding?: 'ieee-p1363' }; hash: string }> = {
  RS256: { kty: 'RSA', options: {}, hash: 'sha256' },
  ES256: { kty: 'EC', options: { dsaEncoding: 'ieee-p1363' }, hash: 'sha256' },
};
/** Clock difference tolerated on exp and nbf. */
const LEEWAY_S = 60;

/**
 * Verifies OIDC bearer tokens (JWTs signed RS256 or ES256) against the identity provider's JWKS,
 * fetched once and kept `cacheMs` (fetched again, at most every 30 s, when a token names an unknown
 * key id: the provider rotated its keys). Checks signature, `iss`, `aud`, `exp` and `nbf`.
 */
export class OidcVerifier {
  private keys = new Map<string, { key: KeyObject; kty: string }>();
  private fetchedAt = 0;
  private fetching: Promise<void> | null = null;

  constructor(private readonly settings: OidcSettings, private readonly log: Logger) {}

  /** True when the credential looks like a JWT (three base64url parts). */
  static looksLikeJwt(token: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
  }

  /** The principal a token stands for, or null with the reason (logged, never answered). */
  async authenticate(token: string): Promise<{ principal: Principal } | { reason: string }> {
    const [h, p, s] = token.split('.') as [string, string, string];
    let header: { alg?: unknown; kid?: unknown };
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    } catch {
      return { reason: 'not a JWT' };
    }
    const alg = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
    if (!alg) return { reason: `algorithm ${String(header.alg)} is not accepted (RS256, ES256)` };
    const kid = typeof header.kid === 'string' ? header.kid : '';
    const key = await this.key(kid);
    if (!key || key.kty !== alg.kty) return { reason: `no ${alg.kty} key ${kid} in the JWKS` };
    const signed = verifySignature(alg.hash, Buffer.from(`${h}.${p}`), { key: key.key, ...alg.options }, Buffer.from(s, 'base64url'));
    if (!signed) return { reason: 'bad signature' };
    const now = Date.now() / 1000;
    if (claims.iss !== this.settings.issuer) return { reason: 'wrong issuer' };
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(this.settings.audience)) return { reason: 'wrong audience' };
    if (typeof claims.exp !== 'number' || claims.exp + LEEWAY_S < now) return { reason: 'expired' };
    if (typeof claims.nbf === 'number' && claims.nbf - LEEWAY_S > now) return { reason: 'not yet valid' };
    if (typeof claims.sub !== 'string' || claims.sub === '') return { reason: 'no subject' };
    const values = ([] as unknown[]).concat(claims[this.settings.roleClaim] ?? []).filter((v): v is string => typeof v === 'string');
    const role = this.highestRole(values);
    if (!role) return { reason: `claim ${this.settings.roleClaim} names no role` };
    const name = [claims.preferred_username, claims.email, claims.sub].find((v): v is string => typeof v === 'string' && v !== '')!;
    const raw = this.settings.rawClaimValue !== undefined && values.includes(this.settings.rawClaimValue);
    return { principal: { id: `oidc:${claims.sub}`, name, role, raw } };
  }

  private highestRole(values: string[]): Role | null {
    const mapped = Object.keys(this.settings.roles).length > 0 ? values.map((v) => this.settings.roles[v]) : values;
    const roles = mapped.filter(isRole);
    const order = ['analyst', 'policy-author', 'responder', 'admin'];
    return roles.sort((a, b) => order.indexOf(b) - order.indexOf(a))[0] ?? null;
  }

  private async key(kid: string): Promise<{ key: KeyObject; kty: string } | null> {
    const stale = Date.now() - this.fetchedAt > this.settings.cacheMs;
    const unknownSoonAfter = !this.keys.has(kid) && Date.now() - this.fetchedAt > 30_000;
    if (stale || unknownSoonAfter) await this.refresh();
    return this.keys.get(kid) ?? null;
  }

  private refresh(): Promise<void> {
    this.fetching ??= this.fetchJwks().finally(() => { this.fetching = null; });
    return this.fetching;
  }

  private async fetchJwks(): Promise<void> {
    try {
      const res = await fetch(this.settings.jwksUrl, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
      if (!res.ok) throw new Error(`the JWKS URL answered ${res.status}`);
      const body = (await res.json()) as { keys?: Array<JsonWebKey & { kid?: string; use?: string }> };
      const keys = new Map<string, { key: KeyObject; kty: string }>();
      for (const jwk of body.keys ?? []) {
        if (jwk.use && jwk.use !== 'sig') continue;
        try {
          keys.set(jwk.kid ?? '', { key: createPublicKey({ key: jwk, format: 'jwk' }), kty: String(jwk.kty) });
        } catch (err) {
          this.log.warn({ err, kid: jwk.kid }, 'ignored an unreadable key of the JWKS');
        }
      }
      this.keys = keys;
      this.fetchedAt = Date.now();
    } catch (err) {
      // Keep the keys we had; try again on the next token.
      this.fetchedAt = Math.max(this.fetchedAt, Date.now() - this.settings.cacheMs + 5_000);
      this.log.error({ err, jwksUrl: this.settings.jwksUrl }, 'could not fetch the OIDC JWKS');
    }
  }
}
