import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.js';

/** The resources a token can be for (its `aud` claim). */
export const AUDIENCES = {
  graph: 'https://graph.microsoft.com',
  management: 'https://manage.office.com',
} as const;
export type Api = keyof typeof AUDIENCES;

export interface TokenClaims {
  aud: string;
  tid: string;
  appid: string;
  roles: string[];
  iat: number;
  nbf: number;
  exp: number;
  /** The simulator's own claim: tokens of an older generation were revoked. */
  xms_sim_gen: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'audience' };

/**
 * Issues and checks access tokens the way Entra ID's do: JWTs whose `aud` names the API, `roles` the
 * application permissions and `exp` the expiry. Signed with a key of this simulator run (HS256).
 */
export class TokenAuthority {
  readonly #key = randomBytes(32);
  /** Tokens of an older generation are refused: `revokeAll` makes every client re-authenticate. */
  #generation = 0;

  constructor(
    private readonly settings: { tenantId: string; clientId: string; lifetimeMs: number; roles: Record<Api, readonly string[]> },
    private readonly clock: Clock,
  ) {}

  issue(api: Api): { token: string; expiresInS: number } {
    const now = Math.floor(this.clock.now() / 1000);
    const expiresInS = Math.max(1, Math.round(this.settings.lifetimeMs / 1000));
    const claims: TokenClaims = {
      aud: AUDIENCES[api], tid: this.settings.tenantId, appid: this.settings.clientId, roles: [...this.settings.roles[api]],
      iat: now, nbf: now, exp: now + expiresInS, xms_sim_gen: this.#generation,
    };
    const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${header}.${payload}.${this.#sign(`${header}.${payload}`)}`, expiresInS };
  }

  /** Checks an `Authorization` header for a token of `api` that is still valid. */
  check(authorization: string | undefined, api: Api): TokenCheck {
    if (authorization === undefined || !/^Bearer\s+\S+$/i.test(authorization)) return { ok: false, reason: 'missing' };
    const token = authorization.replace(/^Bearer\s+/i, '');
    const [header, payload, signature] = token.split('.');
    if (header === undefined || payload === undefined || signature !== this.#sign(`${header}.${payload}`)) return { ok: false, reason: 'invalid' };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    const now = this.clock.now() / 1000;
    if (claims.exp <= now || claims.xms_sim_gen !== this.#generation) return { ok: false, reason: 'expired' };
    if (claims.aud !== AUDIENCES[api]) return { ok: false, reason: 'audience' };
    return { ok: true, claims };
  }

  /** Every token issued so far stops working (as when an admin revokes the app's sessions). */
  revokeAll(): void {
    this.#generation++;
  }

  #sign(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url');
  }
}
