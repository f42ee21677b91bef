import { isAppwardenError, providerStatus } from '../../core/errors.js';
import type { CredentialCheck } from '../contract.js';
import type { DirectoryClient } from './directory-client.js';
import type { DriveClient } from './drive-client.js';
import type { GoogleApi } from './google-api.js';
import type { ReportsClient } from './reports-client.js';
import { SCOPE_CAPABILITIES, SCOPES, type ScopeName } from './scopes.js';
import { oauthErrorOf } from './service-account.js';

// Token refusals that mean "this scope is not authorized for the client" rather than "these credentials are wrong".
const SCOPE_REFUSALS = new Set(['unauthorized_client', 'access_denied']);

type Verdict = { kind: 'granted' } | { kind: 'missing'; reason: string } | { kind: 'refused'; reason: string };

/**
 * What the service account may do, scope by scope: a token for each scope (domain-wide delegation
 * is authorized per scope), then one small read to see that the admin may use the API. The scans
 * consult `allows` to leave out what the credentials cannot read.
 */
export class CredentialProbe {
  #granted: Set<ScopeName> | null = null;

  constructor(
    private readonly api: GoogleApi,
    private readonly clients: { reports: ReportsClient; directory: DirectoryClient; drive: DriveClient },
    private readonly adminEmail: string,
  ) {}

  /** Before the first check every scope is assumed; afterwards, those the check saw work. */
  allows(scope: ScopeName): boolean {
    return this.#granted === null || this.#granted.has(scope);
  }

  async check(): Promise<CredentialCheck> {
    const names = Object.keys(SCOPES) as ScopeName[];
    const verdicts = await Promise.all(names.map((scope) => this.#checkScope(scope)));
    const permissions: string[] = [];
    const missing: CredentialCheck['missing'] = [];
    const granted = new Set<ScopeName>();
    let refused = false;
    names.forEach((scope, i) => {
      const verdict = verdicts[i]!;
      if (verdict.kind === 'granted') {
        granted.add(scope);
        permissions.push(SCOPES[scope]);
        return;
      }
      if (verdict.kind === 'refused') refused = true;
      for (const capability of SCOPE_CAPABILITIES[scope]) missing.push({ capability, reason: verdict.reason });
    });
    this.#granted = granted;
    return { ok: !refused && permissions.length > 0, permissions, missing };
  }

  async #checkScope(scope: ScopeName): Promise<Verdict> {
    const url = SCOPES[scope];
    try {
      await this.api.tokens.token({ scope });
    } catch (err) {
      const oauthError = oauthErrorOf(err);
      if (oauthError !== null && SCOPE_REFUSALS.has(oauthError)) {
        return { kind: 'missing', reason: `missing permission: ${url} (not authorized for the service account's domain-wide delegation)` };
      }
      if (isAppwardenError(err, 'AW_PROVIDER_AUTH_FAILED') || isAppwardenError(err, 'AW_CONFIG_INVALID')) {
        return { kind: 'refused', reason: `credentials refused: ${err.message}` };
      }
      throw err;
    }
    try {
      await this.#probe(scope);
      return { kind: 'granted' };
    } catch (err) {
      // Throttled or unavailable: the token proves the scope is authorized; the API could not say more now.
      if (isAppwardenError(err, 'AW_PROVIDER_THROTTLED') || isAppwardenError(err, 'AW_PROVIDER_UNAVAILABLE')) return { kind: 'granted' };
      const status = providerStatus(err);
      if (status === 403) return { kind: 'missing', reason: `missing permission: ${url} (the API answered 403: ${this.adminEmail} lacks the admin privilege or the API is off)` };
      if (status === 401) return { kind: 'refused', reason: `credentials refused: ${(err as Error).message}` };
      throw err;
    }
  }

  #probe(scope: ScopeName): Promise<unknown> {
    switch (scope) {
      case 'reports': return this.clients.reports.probe();
      case 'drive': return this.clients.drive.probe(this.adminEmail);
      default: return this.clients.directory.probe(scope, this.adminEmail);
    }
  }
}
