/**
 * The Okta simulator in its own process, as a real provider is: the bench's Appwarden process then
 * spends its CPU and heap on Appwarden alone. Started from `simulators/okta/main.ts`, whose first lines
 * give the URL, the token and the number of System Log events it serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface SimulatorProcess {
  url: string;
  token: string;
  events: number;
  close(): Promise<void>;
}

export interface SimulatorProcessOptions {
  seed: string;
  users: number;
  groups: number;
  eventsPerDay: number;
  days: number;
  rateLimit: number;
}

export async function startOktaSimulatorProcess(o: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [
    '--import', 'tsx', path.join(ROOT, 'simulators/okta/main.ts'), '--log-level', 'warn',
    '--seed', o.seed, '--users', String(o.users), '--groups', String(o.groups),
    '--events-per-day', String(o.eventsPerDay), '--days', String(o.days), '--rate-limit', String(o.rateLimit),
  ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killedWithBench(child);
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const found: Partial<Record<'url' | 'token' | 'events', string>> = {};
  const lines = createInterface({ input: child.stdout! });
  try {
    for await (const line of lines) {
      const m = /^Okta simulator at (\S+)$|^token: (\S+)$|^events: (\d+) /.exec(line);
      if (m?.[1]) found.url = m[1];
      if (m?.[2]) found.token = m[2];
      if (m?.[3]) found.events = m[3];
      if (found.url && found.token && found.events) break;
    }
  } catch (err) {
    await close();
    throw err;
  }
  if (!found.url || !found.token || !found.events) {
    await close();
    throw new Error('bench: the Okta simulator process exited before printing its URL, token and event count');
  }
  child.stdout!.resume();
  return { url: found.url, token: found.token, events: Number(found.events), close };
}

let exitOnSignal = false;

/**
 * The child is killed when the bench ends, however it ends: a failure (process.exit), or Ctrl-C or
 * SIGTERM, which are turned into an exit. A child outliving the bench would go on loading the machine.
 */
export function killedWithBench(child: ChildProcess): void {
  if (!exitOnSignal) {
    exitOnSignal = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  }
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}
