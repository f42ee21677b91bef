import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { AppwardenError } from './errors.js';
import type { Logger } from './logger.js';

// Process, port and file helpers of the local broker: a loopback port, a lock file, a child process.

/** Any free port on 127.0.0.1 other than `except`. */
export async function freePort(except?: number): Promise<number> {
  for (let i = 0; i < 10; i++) {
    const port = await anyFreePort();
    if (port !== except) return port;
  }
  throw new AppwardenError('AW_LOCAL_STACK_FAILED', 'local Kafka: found no free port on 127.0.0.1');
}

export function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Takes `lockFile` with O_EXCL. A lock whose holder has died is removed; one held by a live process
 * is waited for, up to `timeoutMs`.
 */
export async function acquireLock(lockFile: string, timeoutMs: number, log: Logger): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readNumber(lockFile);
    const age = Date.now() - ((await stat(lockFile).catch(() => undefined))?.mtimeMs ?? Date.now());
    // A lock file still empty was created a moment ago; the holder writes its pid right after.
    if ((holder !== undefined && !isAlive(holder)) || (holder === undefined && age > 5000)) {
      log.warn({ lockFile, holder }, 'removing a stale lock left by a process that is gone');
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new AppwardenError('AW_LOCAL_STACK_FAILED', `local Kafka: process ${holder} has held ${lockFile} for too long`);
    }
    if (!told) log.info({ holder }, 'waiting for another process that is starting the broker');
    told = true;
    await sleep(200);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers signal 0 until its parent reaps it.
  const stateLine = readProcSync(`/proc/${pid}/stat`);
  return stateLine === undefined || !/^\d+ \(.*\) Z/.test(stateLine);
}

export function readProcSync(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

export async function readNumber(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const n = Number(text?.trim());
  return text !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

export async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(100);
  }
  return condition();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a command to its end, collecting stdout and stderr together. */
export function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ code: 127, output: `${command}: ${err.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
