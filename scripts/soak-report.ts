import { Raster, type Rgb } from './png.js';

export interface Sample {
  /** Seconds since the start. */
  t: number;
  added: number;
  /** Consumer lag (records) by group: sink, policy. */
  lag: Record<string, number>;
  /** RSS in MB by process. */
  rssMb: Record<string, number>;
  /** By process: its last `process memory` log line (MB: rssMb, heapLiveMb, externalMb, nativeMb, ch*Mb). */
  memory: Record<string, Record<string, number>>;
  errors: number;
}

/** Least-squares slope of y against x (seconds), per minute. */
export function slopePerMinute(points: Array<[number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60;
}

const COLORS: Rgb[] = [[31, 119, 180], [214, 39, 40], [44, 160, 44], [148, 103, 189], [255, 127, 14], [140, 86, 75]];

/** V8 heap used after the last full GC, else the least seen over the sample period (MB). */
export function heapOf(s: Sample, role: string): number | undefined {
  return s.memory[role]?.heapAfterGcMb ?? s.memory[role]?.heapLiveMb;
}

/** A memory figure of one process at one sample (MB), or undefined when its line was not read yet. */
export function memoryFigure(s: Sample, role: string, figure: string): number | undefined {
  if (figure === 'heap') return heapOf(s, role);
  return figure === 'rss' ? s.rssMb[role] : s.memory[role]?.[figure];
}

/** Three panels against time: consumer lag, RSS per process, V8 heap (live) per process with embedded ClickHouse's tracked memory. */
export function drawChart(samples: Sample[]): Buffer {
  const width = 900;
  const panel = 260;
  const r = new Raster(width, panel * 3 + 180);
  const roles = Object.keys(samples[0]?.rssMb ?? {});
  const series = (name: string, of: (s: Sample) => number | undefined) => ({
    name, points: samples.flatMap((s) => { const v = of(s); return v === undefined ? [] : [[s.t, Math.max(0, v)] as [number, number]]; }),
  });
  const lagSeries = Object.keys(samples[0]?.lag ?? {}).map((k) => series(`lag ${k}`, (s) => s.lag[k]));
  const rssSeries = roles.map((k) => series(k, (s) => s.rssMb[k]));
  const heapSeries = [...roles.map((k) => series(k, (s) => heapOf(s, k))), series('store chdb', (s) => s.memory.store?.chTrackedMb)];
  plot(r, 20, 'CONSUMER LAG (RECORDS) VS TIME (S)', lagSeries, panel);
  plot(r, panel + 80, 'RSS PER PROCESS (MB) VS TIME (S)', rssSeries, panel);
  plot(r, 2 * panel + 140, 'V8 HEAP AFTER FULL GC (MB); STORE CHDB TRACKED (MB) VS TIME (S)', heapSeries, panel);
  return r.png();
}

function plot(r: Raster, top: number, title: string, series: Array<{ name: string; points: Array<[number, number]> }>, height: number): void {
  const left = 70;
  const right = r.width - 20;
  const bottom = top + height - 30;
  const plotTop = top + 20;
  r.text(left, top, title, [0, 0, 0]);
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1, ...ys) * 1.1;
  r.line(left, plotTop, left, bottom, [0, 0, 0]);
  r.line(left, bottom, right, bottom, [0, 0, 0]);
  for (let i = 0; i <= 4; i++) {
    const y = bottom - ((bottom - plotTop) * i) / 4;
    r.line(left - 4, y, right, y, [225, 225, 225]);
    r.text(4, y - 5, (yMax * i / 4).toFixed(0), [60, 60, 60]);
    const x = left + ((right - left) * i) / 4;
    r.text(x - 10, bottom + 6, (xMax * i / 4).toFixed(0), [60, 60, 60]);
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const at = (p: [number, number]) => [left + (p[0] / xMax) * (right - left), bottom - (p[1] / yMax) * (bottom - plotTop)] as const;
    for (let k = 1; k < s.points.length; k++) {
      const [x0, y0] = at(s.points[k - 1]!);
      const [x1, y1] = at(s.points[k]!);
      r.line(x0, y0, x1, y1, color, 2);
    }
    const lx = left + i * 120;
    r.rect(lx, bottom + 22, 10, 10, color);
    r.text(lx + 14, bottom + 22, s.name, [0, 0, 0]);
  });
}
