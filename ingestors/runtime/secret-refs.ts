import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppwardenError } from '../../core/errors.js';

/**
 * A secret setting of a connection made through the API: a reference to an environment variable or
 * a file (read when the connection is applied, so a rotated file or variable is picked up at the next
 * apply), or a value given inline, kept encrypted (AES-256-GCM) with the key of `APPWARDEN_SECRETS_KEY`.
 */
export type SecretRef = { env: string } | { file: string } | { encrypted: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The encryption key of inline secrets, from any text of 32 characters or more (hashed to 256 bits). */
export function secretsKey(text: string | undefined): Buffer | null {
  if (!text) return null;
  if (text.length < 32) throw new AppwardenError('AW_CONFIG_INVALID', 'APPWARDEN_SECRETS_KEY must be 32 characters or more');
  return createHash('sha256').update(text, 'utf8').digest();
}

export function encryptSecret(value: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

export function decryptSecret(sealed: string, key: Buffer): string {
  const bytes = Buffer.from(sealed.replace(/^v1:/, ''), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Maps every value under a secret key (at any depth) with `f`, leaving the rest as is. */
function mapSecrets(value: unknown, keys: readonly string[], f: (v: unknown, path: string) => unknown, at = ''): unknown {
  if (Array.isArray(value)) return value.map((v, i) => mapSecrets(v, keys, f, `${at}[${i}]`));
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => {
    const path = at ? `${at}.${k}` : k;
    return [k, keys.includes(k) ? f(v, path) : mapSecrets(v, keys, f, path)];
  }));
}

/**
 * Settings as the API received them → as they are stored: a secret given inline is encrypted; a
 * reference is checked. `where` prefixes the path in messages (`body.settings`).
 */
export function sealSecrets(settings: Record<string, unknown>, keys: readonly string[], key: Buffer | null, where: string): Record<string, unknown> {
  return mapSecrets(settings, keys, (v, path) => {
    if (typeof v === 'string') {
      if (!key) throw new AppwardenError('AW_BAD_REQUEST', `${where}.${path}: an inline secret is kept encrypted, and this process has no APPWARDEN_SECRETS_KEY; give { "env": "NAME" } or { "file": "/path" } instead`, { details: { field: `${where}.${path}` } });
      return { encrypted: encryptSecret(v, key) };
    }
    if (isObject(v) && typeof v.env === 'string' && ENV_NAME.test(v.env) && Object.keys(v).length === 1) return { env: v.env };
    if (isObject(v) && typeof v.file === 'string' && v.file.startsWith('/') && Object.keys(v).length === 1) return { file: v.file };
    throw new AppwardenError('AW_BAD_REQUEST', `${where}.${path}: a secret is a string, { "env": "NAME" } or { "file": "/absolute/path" }`, { details: { field: `${where}.${path}` } });
  }) as Record<string, unknown>;
}

/** Stored settings → the values a connector uses: references read, encrypted values decrypted. */
export function resolveSecrets(settings: Record<string, unknown>, keys: readonly string[], key: Buffer | null, env: NodeJS.ProcessEnv): Record<string, unknown> {
  return mapSecrets(settings, keys, (v, path) => {
    if (!isObject(v)) return v; // a file-configured value
    if (typeof v.env === 'string') {
      const found = env[v.env];
      if (found === undefined) throw new AppwardenError('AW_CONFIG_INVALID', `${path}: environment variable ${v.env} is not set`);
      return found;
    }
    if (typeof v.file === 'string') {
      try {
        return readFileSync(v.file, 'utf8').trim();
      } catch (err) {
        throw new AppwardenError('AW_CONFIG_INVALID', `${path}: cannot read ${v.file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    }
    if (typeof v.encrypted === 'string') {
      if (!key) throw new AppwardenError('AW_CONFIG_INVALID', `${path}: stored encrypted, and this process has no APPWARDEN_SECRETS_KEY`);
      try {
        return decryptSecret(v.encrypted, key);
      } catch {
        throw new AppwardenError('AW_CONFIG_INVALID', `${path}: cannot be decrypted with this APPWARDEN_SECRETS_KEY`);
      }
    }
    return v;
  }) as Record<string, unknown>;
}

/** Stored settings as the API shows them: references as they are, encrypted values as `[encrypted]`, never a secret. */
export function describeSecrets(settings: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return mapSecrets(settings, keys, (v) => {
    if (isObject(v) && typeof v.env === 'string') return { env: v.env };
    if (isObject(v) && typeof v.file === 'string') return { file: v.file };
    return '[encrypted]';
  }) as Record<string, unknown>;
}
