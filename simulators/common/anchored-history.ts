import { createPrng, type Prng } from './prng.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Generated records anchored to fixed times, as a real provider's history is: time is cut into
 * slots (an hour by default) counted from the epoch, and each slot's records come from a generator
 * seeded by the seed and the slot's index. Any process with the same seed (a restarted simulator)
 * makes the same records, with the same ids and times, for any range it is asked for, and live
 * activity arriving as time passes is the same slot by slot.
 */
export class AnchoredHistory<T> {
  private cached: { slot: number; records: Array<{ atMs: number; record: T }> } | null = null;

  constructor(
    private readonly seed: string,
    /** Records per day, spread evenly over the slots (fractions carry to the next slot). */
    private readonly perDay: number,
    /** Makes one record at `atMs`, drawing everything else from `prng`. */
    private readonly make: (prng: Prng, atMs: number) => T,
    readonly slotMs: number = HOUR,
  ) {}

  /** The start of the slot that holds `ms`: where a history window begins, so that it is the same after a restart. */
  anchor(ms: number): number {
    return Math.floor(ms / this.slotMs) * this.slotMs;
  }

  /** The records whose time is in [fromMs, toMs), oldest first. */
  between(fromMs: number, toMs: number): T[] {
    const out: T[] = [];
    if (toMs <= fromMs || this.perDay <= 0) return out;
    for (let slot = Math.floor(fromMs / this.slotMs); slot * this.slotMs < toMs; slot++) {
      for (const { atMs, record } of this.slot(slot)) if (atMs >= fromMs && atMs < toMs) out.push(record);
    }
    return out;
  }

  private slot(slot: number): Array<{ atMs: number; record: T }> {
    if (this.cached?.slot === slot) return this.cached.records;
    const perSlot = (this.perDay * this.slotMs) / DAY;
    const count = Math.floor((slot + 1) * perSlot) - Math.floor(slot * perSlot);
    const prng = createPrng(`${this.seed}:slot:${slot}`);
    const start = slot * this.slotMs;
    const times = Array.from({ length: count }, () => start + Math.floor(prng.next() * this.slotMs)).sort((a, b) => a - b);
    const records = times.map((atMs) => ({ atMs, record: this.make(prng, atMs) }));
    // The current slot is asked for again on every live read; older ones only once.
    this.cached = { slot, records };
    return records;
  }
}

/**
 * The "now" a simulator's directory and files are generated at: the start of the current UTC day, so a
 * restart on the same day serves the same users and files, with the same creation and sign-in times.
 */
export function generationDay(nowMs: number): number {
  return Math.floor(nowMs / DAY) * DAY;
}
