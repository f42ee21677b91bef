import type { FastifyInstance, InjectOptions } from 'fastify';
import type { ApiSecurity } from '../../api/app.js';
import { allowedHostNames } from '../../api/auth/guard.js';
import { KeyStore } from '../../api/auth/key-store.js';
import { ROLES, type Role } from '../../api/auth/roles.js';
import { createKafkaBus, type KafkaBus } from '../../core/kafka.js';
import { freshName, testBrokers } from './fresh.js';
import { testLog } from './stack.js';

/** A key of each role, and `analyst-raw`: an analyst key with the raw permission. */
export type TestKeyName = Role | 'analyst-raw';

export interface TestAuth {
  /** What `buildApp` takes as `security`. */
  security: ApiSecurity;
  keys: KeyStore;
  /** The bus the key store and the audit trail use (fresh topics, unless one was given). */
  bus: KafkaBus;
  /** The key made for a role. */
  key(name: TestKeyName): string;
  /** `authorization` (and, with a body, `content-type`) headers for a role. */
  headers(name: TestKeyName): Record<string, string>;
  stop(): Promise<void>;
}

/** Starts a key store on `bus` (or on fresh topics) and makes one key per role. */
export async function testAuth(options: { bus?: KafkaBus; security?: Partial<ApiSecurity> } = {}): Promise<TestAuth> {
  let bus = options.bus;
  const own = !bus;
  if (!bus) {
    bus = createKafkaBus({ brokers: testBrokers(), clientId: 'test-auth', prefix: freshName('auth'), partitions: 1, replicationFactor: 1, log: testLog });
    await bus.ensureTopics();
  }
  const keys = new KeyStore({ bus, log: testLog });
  await keys.start();
  const key = await roleKeys(keys);
  return {
    security: {
      authentication: true, keys, allowedHosts: allowedHostNames('127.0.0.1', []), corsOrigins: [], rawAccessRoles: ['admin'], ...options.security,
    },
    keys,
    bus,
    key,
    headers: (name) => bearer(key(name)),
    async stop() {
      await keys.stop();
      if (own) await bus.disconnect();
    },
  };
}

/** Authentication off (every caller a local admin), for tests about something else, e.g. limits. Loopback only. */
export const OPEN_SECURITY: ApiSecurity = {
  authentication: false, keys: null, allowedHosts: allowedHostNames('127.0.0.1', []), corsOrigins: [], rawAccessRoles: ['admin'],
};

/** Makes a key of each role (and `analyst-raw`) in a started key store; answers the key of a name. */
export async function roleKeys(keys: KeyStore): Promise<(name: TestKeyName) => string> {
  const made = new Map<TestKeyName, string>();
  for (const role of ROLES) made.set(role, (await keys.create({ name: `test ${role}`, role })).key);
  made.set('analyst-raw', (await keys.create({ name: 'test analyst-raw', role: 'analyst', raw: true })).key);
  return (name) => made.get(name)!;
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** `app.inject` as a role: the key in `authorization`; a JSON payload gets its content-type from inject. */
export function injectAs(app: FastifyInstance, auth: Pick<TestAuth, 'headers'>, name: TestKeyName) {
  return (options: InjectOptions) => app.inject({ ...options, headers: { ...auth.headers(name), ...(options.headers ?? {}) } });
}
