import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../../core/config.js';
import { AppwardenError } from '../../core/errors.js';
import { ensurePrivateDirSync } from '../../core/private-files.js';
import type { Logger } from '../../core/logger.js';
import type { SigningKey } from './command-message.js';

/**
 * The key that signs governance commands: `governance.signingKey` when set; otherwise the key kept in
 * `governance.signingKeyFile`, generated there (mode 0600, folder 0700) by the first process that
 * needs it, so processes sharing the folder share the key. Processes on other machines must be given
 * the same `governance.signingKey`.
 */
export function governanceSigningKey(settings: Pick<AppConfig['governance'], 'signingKey' | 'signingKeyFile'>, log: Logger): SigningKey {
  if (settings.signingKey) return Buffer.from(settings.signingKey, 'utf8');
  const file = path.resolve(settings.signingKeyFile);
  const existing = readKeyFile(file);
  if (existing) return existing;
  ensurePrivateDirSync(path.dirname(file));
  try {
    // 'wx': of two processes starting together, one writes and the other reads what it wrote.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
    log.info({ file }, 'generated the governance signing key');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = readKeyFile(file);
  if (!key) throw new AppwardenError('AW_CONFIG_INVALID', `governance.signingKeyFile ${file} holds no key`);
  return key;
}

function readKeyFile(file: string): SigningKey | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return text.length >= 32 ? Buffer.from(text, 'utf8') : null;
}
