/**
 * CPU time of this process, per kind of thread, read from Linux's /proc/self/task/<tid>/stat. On a
 * loaded machine wall-clock rates move with the other processes; the CPU a stage consumed does not
 * (much), so the bench prints both, and this says which threads spent it: the JavaScript thread,
 * V8's garbage-collector helpers, libuv's pool, and the embedded ClickHouse engine's threads.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

type Snapshot = Map<string, { name: string; ms: number }>;

function snapshot(): Snapshot {
  const out: Snapshot = new Map();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out; // not Linux: no breakdown
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The name is in parentheses and may hold spaces; the fields after it are space-separated.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      out.set(tid, { name, ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

function kind(name: string, tid: string): string {
  if (tid === String(process.pid)) return 'JavaScript';
  if (name.startsWith('V8') || name === 'node') return 'V8 helpers (GC, compiler)';
  if (name.startsWith('libuv')) return 'libuv pool';
  return 'engine and other';
}

export interface ThreadCpu {
  /** CPU milliseconds of every thread of the process. */
  totalMs: number;
  byKind: Array<{ kind: string; ms: number }>;
}

/** Starts counting; the returned function gives the CPU spent since, per kind of thread. */
export function threadCpu(): () => ThreadCpu {
  const before = snapshot();
  return () => {
    const after = snapshot();
    const byKind = new Map<string, number>();
    for (const [tid, { name, ms }] of after) {
      const spent = ms - (before.get(tid)?.ms ?? 0);
      if (spent > 0) byKind.set(kind(name, tid), (byKind.get(kind(name, tid)) ?? 0) + spent);
    }
    const list = [...byKind.entries()].map(([k, ms]) => ({ kind: k, ms })).sort((a, b) => b.ms - a.ms);
    return { totalMs: list.reduce((n, k) => n + k.ms, 0), byKind: list };
  };
}

/** `CPU 12.0 s: JavaScript 7.1 s, engine and other 4.0 s, …`. */
export function formatThreadCpu(c: ThreadCpu): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `CPU ${s(c.totalMs)}: ${c.byKind.map((k) => `${k.kind} ${s(k.ms)}`).join(', ')}`;
}

/** This process's CPU time in milliseconds, every thread counted (`process.cpuUsage`). */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
