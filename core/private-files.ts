import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { chmodSync, mkdirSync } from 'node:fs';

/**
 * Folders and files that hold Appwarden's data, keys and credentials are for its own user only:
 * folders 0700, files 0600. The mode given to mkdir/writeFile applies only to what they create, so an
 * existing folder or file is tightened as well.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

export function ensurePrivateDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export async function writePrivateFile(file: string, data: string | Uint8Array): Promise<void> {
  await writeFile(file, data, { mode: 0o600 });
  await chmod(file, 0o600);
}
