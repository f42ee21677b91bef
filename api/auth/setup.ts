import path from 'node:path';
import { recordAuditTrail } from '../../core/audit-trail.js';
import type { AppConfig } from '../../core/config.js';
import type { KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { loadPolicyFiles } from '../../processors/policy/loader.js';
import type { ApiSecurity } from '../app.js';
import { allowedHostNames } from './guard.js';
import { KeyStore } from './key-store.js';
import { OidcVerifier } from './oidc.js';

export interface StartedSecurity {
  security: ApiSecurity;
  keys: KeyStore;
  stop(): Promise<void>;
}

/**
 * The API's security from the configuration: the key store (read whole before the API answers), the
 * first admin key, the OIDC verifier, the allowed hosts and origins. The first admin key is
 * `api.adminKey` (`APPWARDEN_ADMIN_KEY`) when set; otherwise, at the first start (the store has never
 * held a key), one is made and handed to `announceKey` (the CLI prints it once on stdout, never through
 * the logger). An admin locked out later sets `APPWARDEN_ADMIN_KEY`.
 */
export async function startApiSecurity(
  config: AppConfig, bus: KafkaBus, log: Logger, announceKey: (key: string) => void,
): Promise<StartedSecurity> {
  const keys = new KeyStore({ bus, log });
  await keys.start();
  if (config.api.adminKey) {
    await keys.setConfiguredAdminKey(config.api.adminKey);
  } else if (config.api.authentication && keys.isEmpty()) {
    const { key, info } = await keys.create({ name: 'first admin', role: 'admin', raw: true, createdBy: 'system:first-start' });
    await recordAuditTrail(bus, {
      actor_id: 'system:first-start', actor_name: 'Appwarden', actor_role: 'admin', ip: null,
      action: 'first start', target: info.id, summary: `created the first admin key ${info.id}`, status: 0,
    });
    announceKey(key);
  }
  const { api } = config;
  const security: ApiSecurity = {
    authentication: api.authentication,
    keys,
    ...(api.oidc ? { oidc: new OidcVerifier(api.oidc, log.child({ component: 'oidc' })) } : {}),
    allowedHosts: allowedHostNames(api.host, api.allowedHosts),
    corsOrigins: api.corsOrigins,
    rawAccessRoles: api.rawAccessRoles,
  };
  return { security, keys, stop: () => keys.stop() };
}

/** The ids of the built-in policies (`<project>/policies`), which only admins change. */
export async function builtinPolicyIds(projectRoot: string): Promise<string[]> {
  const load = await loadPolicyFiles([path.join(projectRoot, 'policies')]);
  return load.policies.map((p) => p.compiled.id);
}

/** What `npm start` prints once, on stdout, when it made the first admin key. */
export function firstKeyNotice(key: string): string {
  return [
    '',
    'Appwarden made the first admin API key. It is shown this once and stored only hashed:',
    '',
    `  ${key}`,
    '',
    'Send it as "Authorization: Bearer <key>"; make keys for people with `appwarden keys create`.',
    '',
  ].join('\n');
}
