/**
 * A CPU profile of a stage, taken in-process with the inspector, summarised as the functions that
 * spent the most time themselves (self time). Printed under a stage so that the next bottleneck is
 * visible without guessing. `BENCH_PROFILE=0` turns it off.
 */
import { Session } from 'node:inspector/promises';

/** The repository's root as a file URL, so that profiled files are named from it. */
const ROOT = new URL('../', import.meta.url).href;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Share of the profiled time each top function spent itself, biggest first. */
  top: Array<{ name: string; share: number }>;
  /** Share of the time the thread was idle (waiting on I/O: the broker, the engine, timers). */
  idle: number;
}

const enabled = process.env.BENCH_PROFILE !== '0';

/** Runs `work` under the CPU profiler; returns its result and the top `count` functions by self time. */
export async function profiled<T>(work: () => Promise<T>, count = 8): Promise<{ result: T; profile: ProfileSummary | null }> {
  if (!enabled) return { result: await work(), profile: null };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  let result: T;
  let profile: Profile;
  try {
    result = await work();
  } finally {
    ({ profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile });
    session.disconnect();
  }
  return { result, profile: summarise(profile, count) };
}

function summarise(profile: Profile, count: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfTime = new Map<string, number>();
  let total = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    const dt = deltas[i] ?? 0;
    if (!node) continue;
    total += dt;
    const name = label(node);
    selfTime.set(name, (selfTime.get(name) ?? 0) + dt);
  }
  const idle = (selfTime.get('(idle)') ?? 0) / (total || 1);
  const top = [...selfTime.entries()]
    .filter(([name]) => name !== '(idle)' && name !== '(program)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, t]) => ({ name, share: t / (total || 1) }));
  return { top, idle };
}

function label(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (!url) return functionName || '(anonymous)';
  // Line numbers are left out: through tsx's transform they point into the compiled text.
  const file = url.startsWith(ROOT) ? url.slice(ROOT.length) : url;
  return `${functionName || '(anonymous)'} ${file}`;
}

/** One line: `idle 40%; top: fn file:line 12%, …`. */
export function formatProfile(p: ProfileSummary | null): string {
  if (!p) return 'profile off';
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return `idle ${pct(p.idle)}; top self time: ${p.top.map((t) => `${t.name} ${pct(t.share)}`).join(', ')}`;
}
