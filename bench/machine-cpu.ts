/**
 * CPU time of the whole machine (every process: the Kafka broker, the simulator, this one), from
 * Linux's /proc/stat. On a quiet machine, what a stage cost the machine per event bounds the rate the
 * machine can reach at all: cores / (machine CPU per event).
 */
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function busyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal ...
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) * TICK_MS;
  } catch {
    return null;
  }
}

/** Starts a measurement; the returned function gives the machine's busy CPU ms since (null when not Linux). */
export function machineCpu(): () => number | null {
  const start = busyMs();
  return () => {
    const end = busyMs();
    return start === null || end === null ? null : end - start;
  };
}

/**
 * "the machine's CPU: X s for N events, of which this process Y s; at most R events/s on C cores", with the
 * load average, which says whether other work was in the figure.
 */
export function formatMachineCpu(events: number, machineMs: number | null, processMs: number): string {
  if (machineMs === null) return 'machine CPU: not measured (no /proc/stat)';
  const cores = cpus().length;
  const ceiling = Math.round((events / machineMs) * 1000 * cores);
  return `machine CPU ${(machineMs / 1000).toFixed(1)} s (this process ${(processMs / 1000).toFixed(1)} s, the broker and any other process `
    + `${(Math.max(0, machineMs - processMs) / 1000).toFixed(1)} s): at most ${ceiling.toLocaleString('en-US')} events/s on ${cores} cores `
    + `at this cost (load average ${loadavg()[0]!.toFixed(1)}; other work counts in it)`;
}
