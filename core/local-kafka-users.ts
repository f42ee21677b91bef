import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './local-process.js';

/**
 * Who uses the local broker of a data folder: one file per process (`users/<pid>`). A run that started
 * the broker stops it at its end only when no other live process still uses it, so `npm test` never
 * pulls the broker from under an `npm start` that reused it (or the other way round).
 */
export async function registerBrokerUser(dataDir: string, pid = process.pid): Promise<() => Promise<void>> {
  const dir = join(dataDir, 'users');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, String(pid));
  await writeFile(file, `${new Date().toISOString()}\n`, { mode: 0o600 });
  return () => rm(file, { force: true });
}

/** Live processes other than `self` that use the broker; files of dead processes are removed. */
export async function otherBrokerUsers(dataDir: string, self = process.pid): Promise<number[]> {
  const dir = join(dataDir, 'users');
  const names = await readdir(dir).catch(() => [] as string[]);
  const live: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === self) continue;
    if (isAlive(pid)) live.push(pid);
    else await rm(join(dir, name), { force: true });
  }
  return live;
}
