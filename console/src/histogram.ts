import { fmtTime, h, svg } from './dom.js';

export interface Bucket {
  /** Start of the bucket, ms since the epoch. */
  t: number;
  n: number;
}

/** A bucket width that gives between ~24 and ~120 bars over the range. */
export function bucketWidth(spanMs: number): number {
  const steps = [60_000, 300_000, 900_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000];
  return steps.find((s) => spanMs / s <= 120) ?? steps[steps.length - 1]!;
}

/** Counts of `times` (ms) per bucket of `width` from `from` to `to`, empty buckets included. */
export function bucketize(times: number[], from: number, to: number, width: number): Bucket[] {
  const start = Math.floor(from / width) * width;
  const buckets: Bucket[] = [];
  for (let t = start; t < to; t += width) buckets.push({ t, n: 0 });
  for (const time of times) {
    const i = Math.floor((time - start) / width);
    if (i >= 0 && i < buckets.length) buckets[i]!.n++;
  }
  return buckets;
}

/** Bars of counts over time; a click on a bar (or Enter on it) narrows to that bucket. */
export function histogram(buckets: Bucket[], width: number, caption: string, onPick?: (from: number, to: number) => void): HTMLElement {
  const max = Math.max(1, ...buckets.map((b) => b.n));
  const total = buckets.reduce((s, b) => s + b.n, 0);
  const W = 1000;
  const H = 120;
  const bw = W / Math.max(1, buckets.length);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'histogram-chart', role: 'img', 'aria-label': `${caption}: ${total} events` },
    buckets.map((b, i) => {
      const height = b.n === 0 ? 0 : Math.max(2, (b.n / max) * (H - 4));
      const rect = svg('rect', { x: (i * bw + bw * 0.1).toFixed(2), y: (H - height).toFixed(2), width: (bw * 0.8).toFixed(2), height: height.toFixed(2), class: 'bar' },
        svg('title', {}, `${fmtTime(new Date(b.t).toISOString())}: ${b.n}`));
      if (onPick && b.n > 0) rect.addEventListener('click', () => onPick(b.t, b.t + width));
      return rect;
    }));
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  return h('figure', { class: 'histogram' },
    chart,
    h('figcaption', {},
      h('span', {}, first ? fmtTime(new Date(first.t).toISOString()) : ''),
      h('span', { class: 'histogram-caption' }, `${caption} · ${total.toLocaleString()} events · max ${max.toLocaleString()} per ${labelOf(width)}`),
      h('span', {}, last ? fmtTime(new Date(last.t + width).toISOString()) : '')));
}

function labelOf(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${ms / 60_000}m`;
}
