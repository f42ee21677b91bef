import { readFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from './logger.js';

/** One `process memory` log line's figures, in MB. */
export interface MemoryFigures {
  rssMb: number;
  /** The least V8 heap used seen over the period (sampled every second): live objects, without the garbage. */
  heapLiveMb: number;
  /** V8 heap used just after the last full (mark-compact) collection, when one has run. */
  heapAfterGcMb?: number;
  heapUsedMb: number;
  heapTotalMb: number;
  /** Memory of C++ objects bound to JavaScript ones (buffers among them). */
  externalMb: number;
  arrayBuffersMb: number;
  /** RSS that is neither V8's heap nor external: native code, libraries, chdb's engine, malloc's free lists. */
  nativeMb: number;
  /**
   * Linux: RSS of anonymous pages (heaps, allocators' free pages) and of mapped files (code such as
   * chdb's 540 MB library, paged in as it runs and reclaimable by the kernel).
   */
  rssAnonMb?: number;
  rssFileMb?: number;
}

export interface MemoryLogOptions {
  log: Logger;
  /** Period of the line; 0 turns it off. */
  everyMs: number;
  /** Figures of a part of the process that counts its own memory (embedded ClickHouse), added to the line. */
  extra?: () => Promise<Record<string, number>>;
}

const MB = 1024 * 1024;
const round = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

/**
 * Logs the process's memory every `everyMs` at info (`process memory`), so that an operator can tell
 * a JavaScript heap that grows from native memory that does. Returns the function that stops it.
 */
export function startMemoryLog(options: MemoryLogOptions): () => void {
  if (options.everyMs <= 0) return () => undefined;
  const log = options.log.child({ component: 'memory' });
  let least = Infinity;
  let afterGc: number | undefined;
  const sample = setInterval(() => { least = Math.min(least, getHeapStatistics().used_heap_size); }, Math.min(1000, options.everyMs));
  const gc = new PerformanceObserver((list) => {
    const major = list.getEntries().some((e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (major) afterGc = getHeapStatistics().used_heap_size;
  });
  gc.observe({ entryTypes: ['gc'] });
  const report = setInterval(() => {
    const figures = { ...memoryFigures(least), ...(afterGc === undefined ? {} : { heapAfterGcMb: round(afterGc) }) };
    least = Infinity;
    void (options.extra?.() ?? Promise.resolve({}))
      .catch((err: unknown) => { log.debug({ err }, 'memory figures of a part not read'); return {}; })
      .then((extra) => log.info({ memory: { ...figures, ...extra } }, 'process memory'));
  }, options.everyMs);
  sample.unref();
  report.unref();
  return () => { clearInterval(sample); clearInterval(report); gc.disconnect(); };
}

/** The figures now; `leastHeapUsed` is the least heap used seen since the last line (bytes). */
export function memoryFigures(leastHeapUsed = Infinity): MemoryFigures {
  const m = process.memoryUsage();
  return {
    rssMb: round(m.rss),
    heapLiveMb: round(Math.min(leastHeapUsed, m.heapUsed)),
    heapUsedMb: round(m.heapUsed),
    heapTotalMb: round(m.heapTotal),
    externalMb: round(m.external),
    arrayBuffersMb: round(m.arrayBuffers),
    nativeMb: round(Math.max(0, m.rss - m.heapTotal - m.external)),
    ...residentKinds(),
  };
}

/** `RssAnon` and `RssFile` of /proc/self/status (kB), where there is one. */
function residentKinds(): { rssAnonMb?: number; rssFileMb?: number } {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return {};
  }
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  const anon = kb('RssAnon');
  const file = kb('RssFile');
  return Number.isFinite(anon) && Number.isFinite(file) ? { rssAnonMb: round(anon), rssFileMb: round(file) } : {};
}
